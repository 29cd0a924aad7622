"""Tables of the recommendations service."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import (
    Column,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlmodel import Field

from localrights.consumer import ProcessedEvent
from localrights.outbox import OutboxMessage
from localrights_recommendations.follow_up_models import (
    FollowUpPublication,
    FollowUpStatus,
    Indicator,
    IndicatorObservation,
    IndicatorRecommendation,
    IndicatorReminder,
    RecurrenceLink,
    StatusEntry,
)
from localrights_recommendations.table_base import RecommendationsTable
from localrights_recommendations.table_base import now_column as _now_column
from localrights_recommendations.table_base import text_array as _text_array

__all__ = [
    "ConsultationResult",
    "Exercise",
    "ExerciseRecommendation",
    "FollowUpPublication",
    "FollowUpStatus",
    "ImportBatch",
    "ImportJob",
    "Indicator",
    "IndicatorObservation",
    "IndicatorRecommendation",
    "IndicatorReminder",
    "Institution",
    "LocalInput",
    "LocalInputVersion",
    "OutboxMessage",
    "ProcessedEvent",
    "Recommendation",
    "RecommendationsTable",
    "RecurrenceLink",
    "StatusEntry",
]


# English stemming for the recommendation text (UHRI and UPR Info publish in English);
# the symbol and mechanism as plain tokens so "A/HRC/34/12" or "CEDAW" also match.
SEARCH_DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, text), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, "
    "coalesce(document_symbol, '') || ' ' || mechanism), 'B')"
)


class Recommendation(RecommendationsTable, table=True):
    """One UN recommendation to one country, from the UPR, a treaty body or a special procedure."""

    __tablename__ = "recommendations"
    __table_args__ = (
        UniqueConstraint("source", "natural_key"),
        Index("ix_recommendations_themes", "themes", postgresql_using="gin"),
        Index("ix_recommendations_affected_groups", "affected_groups", postgresql_using="gin"),
        Index("ix_recommendations_sdg_targets", "sdg_targets", postgresql_using="gin"),
        Index("ix_recommendations_jurisdictions", "jurisdictions", postgresql_using="gin"),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    source: str = Field(sa_column=Column(Text, nullable=False))  # uhri | upr_info | manual
    natural_key: str = Field(sa_column=Column(Text, nullable=False))
    mechanism_type: str = Field(sa_column=Column(Text, nullable=False, index=True))
    mechanism: str = Field(sa_column=Column(Text, nullable=False, index=True))
    country: str = Field(sa_column=Column(Text, nullable=False, index=True))
    cycle: int | None = Field(default=None, sa_column=Column(Integer))
    session: str | None = Field(default=None, sa_column=Column(Text))
    recommending_states: list[str] = Field(default_factory=list, sa_column=_text_array())
    response: str | None = Field(default=None, sa_column=Column(Text))
    action_category: int | None = Field(default=None, sa_column=Column(Integer))
    document_symbol: str | None = Field(default=None, sa_column=Column(Text))
    paragraph: str | None = Field(default=None, sa_column=Column(Text))
    text: str = Field(sa_column=Column(Text, nullable=False))
    date: dt.date | None = Field(default=None, sa_column=Column(Date))
    themes: list[str] = Field(default_factory=list, sa_column=_text_array())
    affected_groups: list[str] = Field(default_factory=list, sa_column=_text_array())
    sdg_targets: list[str] = Field(default_factory=list, sa_column=_text_array())
    owner_level: str = Field(
        default="national", sa_column=Column(Text, nullable=False, server_default="national")
    )
    jurisdictions: list[str] = Field(default_factory=list, sa_column=_text_array())
    import_id: UUID | None = Field(default=None, sa_column=Column(PG_UUID(as_uuid=True)))
    created_at: datetime | None = Field(default=None, sa_column=_now_column())
    updated_at: datetime | None = Field(default=None, sa_column=_now_column())


# The search document is a table column the ORM never loads: PostgreSQL computes it, and
# only WHERE and ORDER BY read it.
_search = Column("search", TSVECTOR, Computed(SEARCH_DOCUMENT, persisted=True))
Recommendation.__table__.append_column(_search)  # type: ignore[attr-defined]
Index("ix_recommendations_search", _search, postgresql_using="gin")


class ImportBatch(RecommendationsTable, table=True):
    """One import call: what came in and what became of it (the rejected rows' reasons too)."""

    __tablename__ = "import_batches"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    source_format: str = Field(sa_column=Column(Text, nullable=False))
    imported_by: str = Field(sa_column=Column(Text, nullable=False))
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    report: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    created_at: datetime | None = Field(default=None, sa_column=_now_column())


class ImportJob(RecommendationsTable, table=True):
    """An import running in the background: its progress, seen by every replica, then its end.

    Written in transactions of its own (the import's transaction commits only at its end),
    so a page polling it sees the rows read so far.
    """

    __tablename__ = "import_jobs"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    status: str = Field(default="running", sa_column=Column(Text, nullable=False))
    source_format: str = Field(sa_column=Column(Text, nullable=False))
    imported_by: str = Field(sa_column=Column(Text, nullable=False))
    bytes_total: int = 0
    rows_read: int = 0
    report: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB, nullable=True))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    started_at: datetime | None = Field(default=None, sa_column=_now_column())
    updated_at: datetime | None = Field(default=None, sa_column=_now_column())
    finished_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class Institution(RecommendationsTable, table=True):
    """Projection of the gateway's institutions (from ``institution.events``)."""

    __tablename__ = "institutions"

    id: UUID = Field(primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(sa_column=Column(Text, nullable=False))
    country: str = Field(sa_column=Column(Text, nullable=False, index=True))
    jurisdiction: str = Field(sa_column=Column(Text, nullable=False, index=True))
    active: bool = True
    changed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class Exercise(RecommendationsTable, table=True):
    """A reporting exercise: a ministry asks invited institutions for input on recommendations."""

    __tablename__ = "exercises"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    ministry_institution_id: UUID | None = Field(default=None, index=True)
    created_by: str = Field(sa_column=Column(Text, nullable=False))
    report_type: str = Field(sa_column=Column(Text, nullable=False))
    country: str = Field(sa_column=Column(Text, nullable=False, index=True))
    mechanism: str | None = Field(default=None, sa_column=Column(Text))
    title: str = Field(sa_column=Column(Text, nullable=False))
    description: str | None = Field(default=None, sa_column=Column(Text))
    deadline: dt.date = Field(sa_column=Column(Date, nullable=False))
    status: str = Field(
        default="draft", sa_column=Column(Text, nullable=False, server_default="draft", index=True)
    )
    invited_institution_ids: list[UUID] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(PG_UUID(as_uuid=True)), nullable=False, server_default="{}"),
    )
    invited_jurisdictions: list[str] = Field(default_factory=list, sa_column=_text_array())
    selection: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    opened_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    closed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    created_at: datetime | None = Field(default=None, sa_column=_now_column())


class ExerciseRecommendation(RecommendationsTable, table=True):
    """A recommendation selected for an exercise, in the order the annex lists them."""

    __tablename__ = "exercise_recommendations"

    exercise_id: UUID = Field(
        sa_column=Column(
            PG_UUID(as_uuid=True),
            ForeignKey("exercises.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    recommendation_id: UUID = Field(
        sa_column=Column(
            PG_UUID(as_uuid=True), ForeignKey("recommendations.id"), primary_key=True, index=True
        )
    )
    position: int = Field(sa_column=Column(Integer, nullable=False))


class LocalInput(RecommendationsTable, table=True):
    """The current version of one institution's input on one recommendation of an exercise."""

    __tablename__ = "local_inputs"
    __table_args__ = (UniqueConstraint("exercise_id", "recommendation_id", "institution_id"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    exercise_id: UUID = Field(
        sa_column=Column(
            PG_UUID(as_uuid=True), ForeignKey("exercises.id"), nullable=False, index=True
        )
    )
    recommendation_id: UUID = Field(
        sa_column=Column(PG_UUID(as_uuid=True), ForeignKey("recommendations.id"), nullable=False)
    )
    institution_id: UUID = Field(index=True)
    jurisdiction: str | None = Field(default=None, sa_column=Column(Text))
    status: str = Field(sa_column=Column(Text, nullable=False))
    measures_taken: str | None = Field(default=None, sa_column=Column(Text))
    indicators: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False)
    )
    good_practice: str | None = Field(default=None, sa_column=Column(Text))
    challenges: str | None = Field(default=None, sa_column=Column(Text))
    evidence_links: list[str] = Field(default_factory=list, sa_column=_text_array())
    consultation_id: UUID | None = Field(default=None, index=True)
    version: int = 1
    submitted_by: str = Field(sa_column=Column(Text, nullable=False))
    submitted_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    created_at: datetime | None = Field(default=None, sa_column=_now_column())


class LocalInputVersion(RecommendationsTable, table=True):
    """Every version an institution submitted, never overwritten."""

    __tablename__ = "local_input_versions"

    input_id: UUID = Field(
        sa_column=Column(PG_UUID(as_uuid=True), ForeignKey("local_inputs.id"), primary_key=True)
    )
    version: int = Field(sa_column=Column(Integer, primary_key=True))
    content: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    submitted_by: str = Field(sa_column=Column(Text, nullable=False))
    submitted_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class ConsultationResult(RecommendationsTable, table=True):
    """Published results of a consultation, attached to the inputs that name it."""

    __tablename__ = "consultation_results"

    consultation_id: UUID = Field(primary_key=True)
    institution_id: UUID
    jurisdiction: str = Field(sa_column=Column(Text, nullable=False))
    title: dict[str, str] = Field(sa_column=Column(JSONB, nullable=False))
    published_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    response_count: int
    suppression_threshold: int
    summary: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False)
    )
    event_id: str = Field(sa_column=Column(Text, nullable=False))
    received_at: datetime | None = Field(default=None, sa_column=_now_column())
