"""The events this service emits, each built from what it describes.

A use case changes its rows, then announces the fact with ``uow.emit(events.x(model))``;
which fields an event copies from a model is decided here, once per event.
"""

from __future__ import annotations

from typing import Any, cast

from localrights.events.catalog.alerts import AlertCancelled, AlertPublished, AlertUpdated
from localrights.events.catalog.subscriptions import DisabledReason, SubscriptionDisabled
from localrights_notifications.models import Alert, Subscription


def alert_facts(alert: Alert) -> dict[str, Any]:
    """The alert as every alert event carries it."""
    return {
        "alert_id": alert.id,
        "revision": alert.revision,
        "kind": alert.kind,
        "stage": alert.stage,
        "status": alert.status,
        "country": alert.country,
        "mechanism": alert.mechanism,
        "title": alert.title,
        "body": alert.body,
        "how_to_take_part": alert.how_to_take_part,
        "themes": list(alert.themes),
        "jurisdictions": list(alert.jurisdictions),
        "starts_on": alert.starts_on,
        "ends_on": alert.ends_on,
        "deadline": alert.deadline,
        "source_url": alert.source_url,
        "published_at": alert.published_at,
    }


def alert_published(alert: Alert) -> AlertPublished:
    """alert.published: the fan-out to subscribers follows from it."""
    return AlertPublished(**alert_facts(alert))


def alert_updated(alert: Alert) -> AlertUpdated:
    """alert.updated, as the alert now is."""
    return AlertUpdated(**alert_facts(alert))


def alert_cancelled(alert: Alert) -> AlertCancelled:
    """alert.cancelled, as the alert was when cancelled."""
    return AlertCancelled(**alert_facts(alert))


def subscription_disabled(subscription: Subscription) -> SubscriptionDisabled:
    """subscription.disabled, with why and since when its endpoint failed."""
    assert subscription.disabled_at is not None and subscription.disabled_reason is not None
    return SubscriptionDisabled(
        subscription_id=subscription.id,
        institution_id=subscription.institution_id,
        channel=subscription.channel,
        reason=cast(DisabledReason, subscription.disabled_reason),
        failing_since=subscription.failing_since,
        disabled_at=subscription.disabled_at,
    )
