"""Tables of the gateway: who may call the platform (institutions, users, API keys)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from localrights.consumer import ProcessedEvent
from localrights.db import service_registry
from localrights.outbox import OutboxMessage


class GatewayTable(SQLModel, registry=service_registry()):
    """Base of the gateway database's tables (its own MetaData)."""


__all__ = ["ApiKey", "Institution", "OutboxMessage", "ProcessedEvent", "User"]


def _created_at() -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=False, server_default=func.now())


class Institution(GatewayTable, table=True):
    """A public body that acts on the platform (a municipality, a ministry...)."""

    __tablename__ = "institutions"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(sa_column=Column(Text, nullable=False))
    country: str = Field(sa_column=Column(Text, nullable=False, index=True))
    jurisdiction: str = Field(sa_column=Column(Text, nullable=False, index=True))
    municipality: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    created_at: datetime | None = Field(default=None, sa_column=_created_at())
    updated_at: datetime | None = Field(default=None, sa_column=_created_at())


class User(GatewayTable, table=True):
    """A person who signs in; every role but admin acts for one institution."""

    __tablename__ = "users"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    # Stored lower-cased, so the unique index is case-insensitive in effect.
    email: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    full_name: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    password_hash: str = Field(sa_column=Column(Text, nullable=False))
    roles: list[str] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(Text), nullable=False, server_default=text("'{}'")),
    )
    institution_id: UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey("institutions.id"), nullable=True, index=True),
    )
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    # Carried in each access token; bumped by every change that takes access away, so the
    # tokens issued before it stop working (see revocation.py).
    token_version: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )
    created_at: datetime | None = Field(default=None, sa_column=_created_at())


class ApiKey(GatewayTable, table=True):
    """A machine client's credential: only its prefix and keyed hash are kept."""

    __tablename__ = "api_keys"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False))
    prefix: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    key_hash: str = Field(sa_column=Column(Text, nullable=False))
    roles: list[str] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(Text), nullable=False, server_default=text("'{}'")),
    )
    institution_id: UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey("institutions.id"), nullable=True, index=True),
    )
    created_by: UUID | None = Field(default=None)
    created_at: datetime | None = Field(default=None, sa_column=_created_at())
    revoked_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
