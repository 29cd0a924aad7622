"""Tables of the consultation service."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Column, DateTime, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from localrights.consumer import ProcessedEvent
from localrights.outbox import OutboxMessage

__all__ = ["Consultation", "OutboxMessage", "ProcessedEvent"]


class Consultation(SQLModel, table=True):
    __tablename__ = "consultations"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    institution_id: UUID = Field(index=True)
    country: str = Field(sa_column=Column(Text, nullable=False, index=True))
    jurisdiction: str = Field(sa_column=Column(Text, nullable=False, index=True))
    municipality: str | None = None
    title: dict[str, str] = Field(sa_column=Column(JSONB, nullable=False))
    description: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False)
    )
    status: str = Field(default="draft", sa_column=Column(Text, nullable=False, index=True))
    participation_mode: str = Field(default="open", sa_column=Column(Text, nullable=False))
    opens_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    closes_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    definition: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False)
    )
    created_at: datetime | None = Field(
        default=None,
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
