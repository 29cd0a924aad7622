"""Request and response models of the consultation API."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field


class ConsultationCreate(BaseModel):
    title: dict[str, str] = Field(min_length=1)
    description: dict[str, str] = Field(default_factory=dict)
    country: str = Field(pattern=r"^[A-Z]{2}$")
    jurisdiction: str = Field(pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
    municipality: str | None = None
    opens_at: datetime
    closes_at: datetime
    participation_mode: str = Field(default="open", pattern="^(open|code)$")


class ConsultationRead(BaseModel):
    id: UUID
    institution_id: UUID
    country: str
    jurisdiction: str
    municipality: str | None
    title: dict[str, str]
    description: dict[str, str]
    status: str
    participation_mode: str
    opens_at: datetime
    closes_at: datetime
