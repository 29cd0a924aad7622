"""Tables of the notifications service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from localrights.consumer import ProcessedEvent
from localrights.db import service_registry
from localrights.outbox import OutboxMessage


class NotificationsTable(SQLModel, registry=service_registry()):
    """Base of the notifications database's tables (its own MetaData)."""


__all__ = [
    "Alert",
    "Delivery",
    "InboxItem",
    "Institution",
    "Notification",
    "OutboxMessage",
    "ProcessedEvent",
    "Reminder",
    "Subscription",
]


def _now_column(*, onupdate: bool = False) -> Any:
    return Column(
        DateTime(timezone=True),
        nullable=False,
        server_default=func.now(),
        onupdate=func.now() if onupdate else None,
    )


def _text_array() -> Any:
    return Column(ARRAY(Text), nullable=False, server_default=text("'{}'"))


class Alert(NotificationsTable, table=True):
    """A UN review, country visit, call for input or deadline, as its publisher wrote it."""

    __tablename__ = "alerts"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    kind: str = Field(sa_column=Column(Text, nullable=False, index=True))
    stage: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str = Field(default="published", sa_column=Column(Text, nullable=False))
    revision: int = Field(default=1, sa_column=Column(Integer, nullable=False))
    country: str = Field(sa_column=Column(Text, nullable=False, index=True))
    mechanism: str = Field(sa_column=Column(Text, nullable=False, index=True))
    title: dict[str, str] = Field(sa_column=Column(JSONB, nullable=False))
    body: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    how_to_take_part: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False)
    )
    themes: list[str] = Field(default_factory=list, sa_column=_text_array())
    jurisdictions: list[str] = Field(default_factory=list, sa_column=_text_array())
    starts_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    ends_on: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    deadline: date | None = Field(default=None, sa_column=Column(Date, nullable=True, index=True))
    source_url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    published_by: str = Field(sa_column=Column(Text, nullable=False))
    published_at: datetime | None = Field(default=None, sa_column=_now_column())
    updated_at: datetime | None = Field(default=None, sa_column=_now_column(onupdate=True))


class Subscription(NotificationsTable, table=True):
    """An institution's wish to hear about some alerts, on one channel."""

    __tablename__ = "subscriptions"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    institution_id: UUID = Field(index=True)
    name: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    countries: list[str] = Field(default_factory=list, sa_column=_text_array())
    mechanisms: list[str] = Field(default_factory=list, sa_column=_text_array())
    kinds: list[str] = Field(default_factory=list, sa_column=_text_array())
    themes: list[str] = Field(default_factory=list, sa_column=_text_array())
    jurisdictions: list[str] = Field(default_factory=list, sa_column=_text_array())
    channel: str = Field(sa_column=Column(Text, nullable=False))
    webhook_url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # Kept to sign every delivery; shown to the institution once, at creation.
    webhook_secret: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    email: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    mode: str = Field(default="immediate", sa_column=Column(Text, nullable=False))
    created_at: datetime | None = Field(default=None, sa_column=_now_column())
    updated_at: datetime | None = Field(default=None, sa_column=_now_column(onupdate=True))
    deleted_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    # A disabled subscription receives nothing: its deliveries wait as 'suspended' until it
    # is enabled again. Webhooks are disabled when their endpoint answers 410 Gone or has
    # failed every call since ``failing_since`` for longer than ``webhook_disable_after``.
    disabled_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    disabled_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    failing_since: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class Notification(NotificationsTable, table=True):
    """One consumed event worth telling institutions about; its deliveries share its body."""

    __tablename__ = "notifications"

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    event_id: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    event_type: str = Field(sa_column=Column(Text, nullable=False))
    alert_id: UUID | None = Field(default=None, index=True)
    kind: str = Field(sa_column=Column(Text, nullable=False))
    country: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    mechanism: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    title: dict[str, str] = Field(sa_column=Column(JSONB, nullable=False))
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    # The CloudEvent envelope as JSON: the webhook body, byte for byte on every attempt.
    envelope: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime | None = Field(default=None, sa_column=_now_column())


class Delivery(NotificationsTable, table=True):
    """One notification (or one daily digest) for one subscription, and how sending it went."""

    __tablename__ = "deliveries"
    __table_args__ = (
        # A redelivered event finds its deliveries already there.
        UniqueConstraint("subscription_id", "event_id"),
        Index(
            "ix_deliveries_due",
            "next_attempt_at",
            postgresql_where=text("status IN ('pending', 'sending')"),
        ),
        Index(
            "ix_deliveries_held",
            "subscription_id",
            postgresql_where=text("status = 'held'"),
        ),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    # Looked up through the (subscription_id, event_id) unique index: a second index on the
    # column alone only made every status change write one more index entry.
    subscription_id: UUID
    institution_id: UUID
    notification_id: UUID | None = Field(default=None, index=True)
    event_id: str = Field(sa_column=Column(Text, nullable=False))
    channel: str = Field(sa_column=Column(Text, nullable=False))
    # pending -> sending -> delivered | pending (retry) | dead; held -> digested (digest items);
    # suspended while the subscription is disabled, pending again when it is enabled
    status: str = Field(default="pending", sa_column=Column(Text, nullable=False))
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    next_attempt_at: datetime | None = Field(default=None, sa_column=_now_column())
    claimed_until: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    last_status_code: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    delivered_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    digest_day: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    digest_delivery_id: UUID | None = Field(default=None)
    created_at: datetime | None = Field(default=None, sa_column=_now_column())
    updated_at: datetime | None = Field(default=None, sa_column=_now_column(onupdate=True))


class InboxItem(NotificationsTable, table=True):
    """A notification in an institution's in-app inbox."""

    __tablename__ = "inbox_items"
    __table_args__ = (UniqueConstraint("institution_id", "event_id"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    institution_id: UUID = Field(index=True)
    event_id: str = Field(sa_column=Column(Text, nullable=False))
    event_type: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(sa_column=Column(Text, nullable=False))
    alert_id: UUID | None = Field(default=None)
    title: dict[str, str] = Field(sa_column=Column(JSONB, nullable=False))
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    created_at: datetime | None = Field(default=None, sa_column=_now_column())
    read_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class Institution(NotificationsTable, table=True):
    """Projection of the gateway's institutions (from ``institution.*`` events)."""

    __tablename__ = "institutions"

    id: UUID = Field(primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(sa_column=Column(Text, nullable=False))
    country: str = Field(sa_column=Column(Text, nullable=False))
    jurisdiction: str = Field(sa_column=Column(Text, nullable=False, index=True))
    active: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))
    changed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class ClosedExercise(NotificationsTable, table=True):
    """A reporting exercise that stopped taking input (from ``exercise.closed``).

    Its own table rather than a mark on the invitation: topics are not ordered with one
    another, so a closure can be known before, or without, the opening it ends.
    """

    __tablename__ = "closed_exercises"

    exercise_id: UUID = Field(primary_key=True)
    closed_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class Reminder(NotificationsTable, table=True):
    """A deadline reminder that was emitted: one row per alert and offset, so it fires once."""

    __tablename__ = "reminders"
    __table_args__ = (PrimaryKeyConstraint("alert_id", "days_before"),)

    alert_id: UUID
    days_before: int
    event_id: str = Field(sa_column=Column(Text, nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=_now_column())
