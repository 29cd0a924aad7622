"""Tables of the consultation service.

Answers are stored as one JSONB object per response, keyed by question id. One row per
response keeps a submission to one INSERT (the ingest path is the hot one), and the results
are one GROUP BY over those objects (``repository.TALLIES``), which PostgreSQL does in a
single scan; a normalised answers table would cost several rows per submission for a
results query that is not faster in our measurements (bench/consultation_results.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Column, DateTime, LargeBinary, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from localrights.consumer import ProcessedEvent
from localrights.db import service_registry
from localrights.outbox import OutboxMessage


class ConsultationTable(SQLModel, registry=service_registry()):
    """Base of the consultation database's tables (its own MetaData)."""


__all__ = [
    "ClientQuota",
    "Consultation",
    "IdempotencyRecord",
    "OutboxMessage",
    "ParticipationCode",
    "ProcessedEvent",
    "PublishedResults",
    "Response",
]


def _timestamp(*, nullable: bool = True, default_now: bool = False) -> Any:
    return Field(
        default=None,
        sa_column=Column(
            DateTime(timezone=True),
            nullable=nullable,
            server_default=func.now() if default_now else None,
        ),
    )


class Consultation(ConsultationTable, table=True):
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
    # {"questions": [...]}: the question definitions as validated at creation.
    definition: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False)
    )
    recommendation_ids: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    )
    sdg_targets: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    )
    exercise_id: UUID | None = None
    topics: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    )
    # What the institution will do with the results, by language; written when publishing.
    what_happens_next: dict[str, str] = Field(
        default_factory=dict,
        sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    )
    created_at: datetime | None = _timestamp(nullable=False, default_now=True)
    opened_at: datetime | None = _timestamp()
    closed_at: datetime | None = _timestamp()
    published_at: datetime | None = _timestamp()


class Response(ConsultationTable, table=True):
    """One resident's answers. The id is random and links to nothing else."""

    __tablename__ = "responses"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    consultation_id: UUID = Field(index=True)
    answers: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    language: str | None = None
    created_at: datetime | None = _timestamp(nullable=False, default_now=True)


class ClientQuota(ConsultationTable, table=True):
    """Responses one device (the gateway's pseudonymous client key) sent in one time window.

    Kept apart from the responses so that no response is linked to a device; the rows of a
    consultation are deleted when it closes.
    """

    __tablename__ = "client_quotas"

    consultation_id: UUID = Field(primary_key=True)
    client_key: str = Field(sa_column=Column(Text, primary_key=True))
    window_start: datetime = Field(sa_column=Column(DateTime(timezone=True), primary_key=True))
    used: int


class ParticipationCode(ConsultationTable, table=True):
    """A one-time code, stored only as its SHA-256 (see ``domain.codes``)."""

    __tablename__ = "participation_codes"

    consultation_id: UUID = Field(primary_key=True)
    code_hash: bytes = Field(sa_column=Column(LargeBinary, primary_key=True))
    created_at: datetime | None = _timestamp(nullable=False, default_now=True)
    used_at: datetime | None = _timestamp()


class IdempotencyRecord(ConsultationTable, table=True):
    """An Idempotency-Key seen with a submission: the body's hash and the response it made."""

    __tablename__ = "idempotency_keys"

    consultation_id: UUID = Field(primary_key=True)
    key: str = Field(sa_column=Column(Text, primary_key=True))
    body_hash: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    response_id: UUID
    created_at: datetime | None = _timestamp(nullable=False, default_now=True)


class PublishedResults(ConsultationTable, table=True):
    """A published consultation's results, computed once when it was published.

    One row per breakdown: ``""`` for everyone together, else a demographic question's id.
    Responses stop at closing, so these are final: the public page and downloads read them
    instead of tallying every response again (a page costs the same for 100 or 1,000,000).
    """

    __tablename__ = "published_results"

    consultation_id: UUID = Field(primary_key=True)
    breakdown: str = Field(sa_column=Column(Text, primary_key=True))
    results: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    created_at: datetime | None = _timestamp(nullable=False, default_now=True)
