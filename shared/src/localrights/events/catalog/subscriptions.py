"""Events of institutions' alert subscriptions (topic ``subscription.events``, keyed by one).

A webhook subscription whose endpoint answers 410 Gone, or has failed every call for days,
is disabled by the notifications service; its owner is told from this event, in its inbox
and by e-mail. The endpoint's address stays out of the event: it can carry a token.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from localrights.events.registry import SUBSCRIPTION_EVENTS, EventPayload, EventType, register

DisabledReason = Literal["endpoint_gone", "failing_too_long"]


class SubscriptionDisabled(EventPayload):
    """A subscription stopped receiving; what it misses is kept for when it is re-enabled."""

    subscription_id: UUID
    institution_id: UUID
    channel: str = Field(description="webhook")
    reason: DisabledReason = Field(
        description="endpoint_gone: the endpoint answered 410 Gone; failing_too_long: every "
        "call failed for longer than the service's limit (5 days by default)"
    )
    failing_since: datetime | None = Field(
        default=None, description="When the run of failed calls began"
    )
    disabled_at: datetime


SUBSCRIPTION_DISABLED = register(
    EventType(
        type="subscription.disabled",
        topic=SUBSCRIPTION_EVENTS,
        key="subscription_id",
        version=1,
        model=SubscriptionDisabled,
        producer="notifications",
        description="A webhook subscription was disabled: its endpoint is gone (410) or kept "
        "failing; its owner is told, and it receives nothing until re-enabled.",
        example=SubscriptionDisabled(
            subscription_id=UUID("6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"),
            institution_id=UUID("2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e"),
            channel="webhook",
            reason="failing_too_long",
            failing_since=datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
            disabled_at=datetime(2026, 3, 7, 8, 5, tzinfo=UTC),
        ),
    )
)
