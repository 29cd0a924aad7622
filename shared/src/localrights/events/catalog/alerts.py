"""Events of the notifications service's alerts (topic ``alert.events``, keyed by alert)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from pydantic import Field

from localrights.events.registry import ALERT_EVENTS, EventPayload, EventType, register


class AlertFacts(EventPayload):
    """What an alert says, as subscribers receive it."""

    alert_id: UUID
    revision: int = Field(description="1 when published, +1 on every update or cancellation")
    kind: str = Field(
        description="upr_review | treaty_body_review | country_visit | "
        "call_for_input | deadline | consultation_opened | "
        "input_requested | reminder"
    )
    stage: str | None = None
    status: str = Field(description="published | cancelled")
    country: str = Field(description="ISO 3166-1 alpha-2")
    mechanism: str = Field(description="UPR, a treaty body code, or a special-procedure mandate")
    title: dict[str, str]
    body: dict[str, str] = Field(default_factory=dict)
    how_to_take_part: dict[str, str] = Field(default_factory=dict)
    themes: list[str] = Field(default_factory=list)
    jurisdictions: list[str] = Field(default_factory=list)
    starts_on: date | None = None
    ends_on: date | None = None
    deadline: date | None = None
    source_url: str | None = None
    published_at: datetime


class AlertPublished(AlertFacts):
    """A new alert was published."""


class AlertUpdated(AlertFacts):
    """A published alert changed (new dates, new stage, corrected text)."""


class AlertCancelled(AlertFacts):
    """A published alert was withdrawn."""


class AlertReminderDue(AlertFacts):
    """A published alert's deadline is ``days_before`` days away (sent once per offset)."""

    days_before: int = Field(description="Days left until the alert's deadline")


_EXAMPLE = {
    "alert_id": UUID("3c5d7e9f-1a2b-4c3d-8e4f-5a6b7c8d9e0f"),
    "revision": 1,
    "kind": "country_visit",
    "stage": "announced",
    "status": "published",
    "country": "US",
    "mechanism": "SR on adequate housing",
    "title": {"en": "Special Rapporteur on adequate housing to visit the United States"},
    "body": {"en": "The Special Rapporteur will visit several cities."},
    "how_to_take_part": {"en": "Send information on local housing policy before the visit."},
    "themes": ["housing"],
    "starts_on": date(2026, 9, 14),
    "ends_on": date(2026, 9, 25),
    "deadline": date(2026, 8, 1),
    "source_url": "https://www.ohchr.org/en/special-procedures/sr-housing",
    "published_at": datetime(2026, 6, 1, 12, 0, tzinfo=UTC),
}

ALERT_PUBLISHED = register(
    EventType(
        type="alert.published",
        topic=ALERT_EVENTS,
        key="alert_id",
        version=1,
        model=AlertPublished,
        producer="notifications",
        description="A UN review, country visit, call for input or deadline alert was published.",
        example=AlertPublished(**_EXAMPLE),
    )
)

ALERT_UPDATED = register(
    EventType(
        type="alert.updated",
        topic=ALERT_EVENTS,
        key="alert_id",
        version=1,
        model=AlertUpdated,
        producer="notifications",
        description="A published alert changed; subscribers are notified again.",
        example=AlertUpdated(**{**_EXAMPLE, "revision": 2, "stage": "ongoing"}),
    )
)

ALERT_CANCELLED = register(
    EventType(
        type="alert.cancelled",
        topic=ALERT_EVENTS,
        key="alert_id",
        version=1,
        model=AlertCancelled,
        producer="notifications",
        description="A published alert was withdrawn; subscribers are notified again.",
        example=AlertCancelled(**{**_EXAMPLE, "revision": 3, "status": "cancelled"}),
    )
)

ALERT_REMINDER_DUE = register(
    EventType(
        type="alert.reminder_due",
        topic=ALERT_EVENTS,
        key="alert_id",
        version=1,
        model=AlertReminderDue,
        producer="notifications",
        description="A published alert's deadline is near (30 and 7 days ahead by default).",
        example=AlertReminderDue(**{**_EXAMPLE, "days_before": 30}),
    )
)
