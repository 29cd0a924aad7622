"""Tables of follow-up between reviews: status timelines, recurrence links, local indicators."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlmodel import Field

from localrights_recommendations.table_base import RecommendationsTable, now_column, text_array


def _recommendation_key(*, primary_key: bool = False) -> Column[UUID]:
    return Column(
        PG_UUID(as_uuid=True),
        ForeignKey("recommendations.id"),
        nullable=False,
        primary_key=primary_key,
    )


class StatusEntry(RecommendationsTable, table=True):
    """One entry of a recommendation's implementation timeline in one institution's place.

    Reported entries (origin ``exercise_input`` or ``institution_update``) carry the
    ministry's review (pending, validated, returned with a comment); a validation is an entry
    of its own (origin ``ministry_validation``) pointing at the entry it validates, so what
    was reported and what was validated stay apart. Entries are never rewritten, only
    reviewed.
    """

    __tablename__ = "status_entries"
    __table_args__ = (
        UniqueConstraint("input_id", "input_version"),
        Index("ix_status_entries_timeline", "recommendation_id", "institution_id", "as_of"),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    recommendation_id: UUID = Field(sa_column=_recommendation_key())
    institution_id: UUID = Field(index=True)
    jurisdiction: str = Field(sa_column=Column(Text, nullable=False, index=True))
    country: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(sa_column=Column(Text, nullable=False))
    as_of: dt.date = Field(sa_column=Column(Date, nullable=False))
    measures: str | None = Field(default=None, sa_column=Column(Text))
    evidence_links: list[str] = Field(default_factory=list, sa_column=text_array())
    responsible_body: str | None = Field(default=None, sa_column=Column(Text))
    origin: str = Field(sa_column=Column(Text, nullable=False))
    exercise_id: UUID | None = Field(default=None)
    input_id: UUID | None = Field(default=None)
    input_version: int | None = Field(default=None)
    validates_entry_id: UUID | None = Field(
        default=None,
        sa_column=Column(PG_UUID(as_uuid=True), ForeignKey("status_entries.id")),
    )
    review: str | None = Field(default=None, sa_column=Column(Text))
    review_comment: str | None = Field(default=None, sa_column=Column(Text))
    reviewed_by: str | None = Field(default=None, sa_column=Column(Text))
    reviewed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    recorded_by: str = Field(sa_column=Column(Text, nullable=False))
    recorded_at: datetime | None = Field(default=None, sa_column=now_column())


class FollowUpStatus(RecommendationsTable, table=True):
    """Where a recommendation stands in one institution's place now: the dashboards read this.

    Kept in step with the timeline in the transaction that adds an entry; a recommendation
    with no entry of its own shows its confirmed predecessor's (``carried_from``).
    """

    __tablename__ = "follow_up_statuses"
    __table_args__ = (Index("ix_follow_up_statuses_country", "country", "jurisdiction"),)

    recommendation_id: UUID = Field(sa_column=_recommendation_key(primary_key=True))
    institution_id: UUID = Field(sa_column=Column(PG_UUID(as_uuid=True), primary_key=True))
    jurisdiction: str = Field(sa_column=Column(Text, nullable=False, index=True))
    country: str = Field(sa_column=Column(Text, nullable=False))
    reported_status: str | None = Field(default=None, sa_column=Column(Text))
    reported_entry_id: UUID | None = Field(default=None)
    reported_as_of: dt.date | None = Field(default=None, sa_column=Column(Date))
    review: str | None = Field(default=None, sa_column=Column(Text))
    validated_status: str | None = Field(default=None, sa_column=Column(Text))
    validated_as_of: dt.date | None = Field(default=None, sa_column=Column(Date))
    carried_from: UUID | None = Field(default=None)
    entries: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    updated_at: datetime | None = Field(default=None, sa_column=now_column())


class FollowUpPublication(RecommendationsTable, table=True):
    """Whether an institution publishes its follow-up (timeline, indicators) to everyone."""

    __tablename__ = "follow_up_publications"

    institution_id: UUID = Field(primary_key=True)
    published: bool = Field(sa_column=Column(Boolean, nullable=False))
    changed_by: str = Field(sa_column=Column(Text, nullable=False))
    changed_at: datetime | None = Field(default=None, sa_column=now_column())


class RecurrenceLink(RecommendationsTable, table=True):
    """A later recommendation repeating an earlier one to the same State: suggested by the
    matcher, then confirmed or rejected by the country's ministry."""

    __tablename__ = "recurrence_links"
    __table_args__ = (
        UniqueConstraint("earlier_id", "later_id"),
        Index("ix_recurrence_links_country_status", "country", "status"),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    earlier_id: UUID = Field(sa_column=_recommendation_key())
    later_id: UUID = Field(
        sa_column=Column(
            PG_UUID(as_uuid=True), ForeignKey("recommendations.id"), nullable=False, index=True
        )
    )
    country: str = Field(sa_column=Column(Text, nullable=False))
    mechanism: str = Field(sa_column=Column(Text, nullable=False))
    earlier_cycle: int | None = Field(default=None)
    later_cycle: int | None = Field(default=None)
    similarity: float = Field(sa_column=Column(Float, nullable=False))
    score: float = Field(sa_column=Column(Float, nullable=False))
    reasons: list[str] = Field(default_factory=list, sa_column=text_array())
    status: str = Field(
        default="suggested",
        sa_column=Column(Text, nullable=False, server_default="suggested"),
    )
    decided_by: str | None = Field(default=None, sa_column=Column(Text))
    decided_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    created_at: datetime | None = Field(default=None, sa_column=now_column())


class Indicator(RecommendationsTable, table=True):
    """A local human-rights indicator, as OHCHR's framework and the SDGs describe one."""

    __tablename__ = "indicators"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    institution_id: UUID = Field(index=True)
    country: str = Field(sa_column=Column(Text, nullable=False, index=True))
    jurisdiction: str = Field(sa_column=Column(Text, nullable=False))
    name: dict[str, str] = Field(sa_column=Column(JSONB, nullable=False))
    unit: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(sa_column=Column(Text, nullable=False))
    sdg_target: str | None = Field(default=None, sa_column=Column(Text))
    sdg_indicator: str | None = Field(default=None, sa_column=Column(Text))
    breakdowns: list[str] = Field(default_factory=list, sa_column=text_array())
    baseline_value: float | None = Field(default=None, sa_column=Column(Float))
    baseline_year: int | None = Field(default=None)
    target_value: float | None = Field(default=None, sa_column=Column(Float))
    target_year: int | None = Field(default=None)
    source: str | None = Field(default=None, sa_column=Column(Text))
    update_every_months: int | None = Field(default=None)
    created_by: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime | None = Field(default=None, sa_column=now_column())
    updated_at: datetime | None = Field(default=None, sa_column=now_column())


class IndicatorRecommendation(RecommendationsTable, table=True):
    """A recommendation an indicator measures."""

    __tablename__ = "indicator_recommendations"

    indicator_id: UUID = Field(
        sa_column=Column(
            PG_UUID(as_uuid=True),
            ForeignKey("indicators.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    recommendation_id: UUID = Field(
        sa_column=Column(
            PG_UUID(as_uuid=True), ForeignKey("recommendations.id"), primary_key=True, index=True
        )
    )


class IndicatorObservation(RecommendationsTable, table=True):
    """A value of an indicator in a place for the period ending on ``observed_on``."""

    __tablename__ = "indicator_observations"
    __table_args__ = (UniqueConstraint("indicator_id", "jurisdiction", "observed_on"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    indicator_id: UUID = Field(
        sa_column=Column(
            PG_UUID(as_uuid=True), ForeignKey("indicators.id"), nullable=False, index=True
        )
    )
    institution_id: UUID
    jurisdiction: str = Field(sa_column=Column(Text, nullable=False, index=True))
    observed_on: dt.date = Field(sa_column=Column(Date, nullable=False))
    period: str | None = Field(default=None, sa_column=Column(Text))
    value: float = Field(sa_column=Column(Float, nullable=False))
    breakdown: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False)
    )
    note: str | None = Field(default=None, sa_column=Column(Text))
    revision: int = 1
    recorded_by: str = Field(sa_column=Column(Text, nullable=False))
    recorded_at: datetime | None = Field(default=None, sa_column=now_column())


class IndicatorReminder(RecommendationsTable, table=True):
    """A reminder that was emitted: one row per indicator, place and due day, so it fires once."""

    __tablename__ = "indicator_reminders"

    indicator_id: UUID = Field(
        sa_column=Column(PG_UUID(as_uuid=True), ForeignKey("indicators.id"), primary_key=True)
    )
    jurisdiction: str = Field(sa_column=Column(Text, primary_key=True))
    due_on: dt.date = Field(sa_column=Column(Date, primary_key=True))
    institution_id: UUID
    created_at: datetime | None = Field(default=None, sa_column=now_column())
