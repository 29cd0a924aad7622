"""Use cases of the notifications service. Those that change state take a unit of work
(``localrights.uow``) and never commit: the caller's ``async with uow`` commits each once,
with its events."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from pydantic import ValidationError
from sqlalchemy import and_, any_, func, or_, text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.db import run_sql
from localrights.errors import InvalidInput
from localrights.events.catalog.alerts import AlertCancelled, AlertPublished, AlertUpdated
from localrights.events.catalog.subscriptions import DisabledReason, SubscriptionDisabled
from localrights.uow import UnitOfWork, event_source
from localrights_notifications import exceptions
from localrights_notifications.fanout import notify_dispatcher
from localrights_notifications.models import Alert, Delivery, InboxItem, Notification, Subscription
from localrights_notifications.schemas import (
    AlertCreate,
    AlertUpdate,
    SubscriptionCreate,
    SubscriptionUpdate,
)
from localrights_notifications.ssrf import check_webhook_url

SOURCE = event_source("notifications")


def _now() -> datetime:
    return datetime.now(UTC)


# -- alerts -----------------------------------------------------------------------------


def alert_facts(alert: Alert) -> dict[str, Any]:
    """The alert as its events carry it."""
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


def _alert_values(data: AlertCreate) -> dict[str, Any]:
    values = data.model_dump()
    values["source_url"] = str(data.source_url) if data.source_url else None
    return values


async def publish_alert(uow: UnitOfWork, *, data: AlertCreate, published_by: str) -> Alert:
    """Save the alert and its alert.published event; the fan-out follows from the event."""
    now = _now()
    alert = Alert(**_alert_values(data), published_by=published_by, published_at=now)
    alert.updated_at = now
    uow.session.add(alert)
    uow.emit(AlertPublished(**alert_facts(alert)))
    return alert


async def get_alert_or_raise(*, session: AsyncSession, id: UUID) -> Alert:
    alert = await session.get(Alert, id)
    if alert is None:
        raise exceptions.AlertNotFound()
    return alert


_EDITABLE = tuple(AlertCreate.model_fields)


async def update_alert(uow: UnitOfWork, *, alert: Alert, data: AlertUpdate) -> Alert:
    """Change an alert (validated as a whole), raise its revision, notify again."""
    if alert.status == "cancelled":
        raise exceptions.AlertCancelled()
    current = {name: getattr(alert, name) for name in _EDITABLE}
    merged = {**current, **data.model_dump(exclude_unset=True)}
    try:
        checked = AlertCreate.model_validate(merged)
    except ValidationError as exc:
        errors = [
            {"location": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors[:5])
        raise InvalidInput(detail, errors=errors) from None
    values = _alert_values(checked)
    if all(values[name] == current[name] for name in _EDITABLE):
        return alert
    for name, value in values.items():
        setattr(alert, name, value)
    alert.revision += 1
    alert.updated_at = _now()
    uow.session.add(alert)
    uow.emit(AlertUpdated(**alert_facts(alert)))
    return alert


async def cancel_alert(uow: UnitOfWork, *, alert: Alert) -> Alert:
    """Withdraw an alert; subscribers hear of it."""
    if alert.status == "cancelled":
        raise exceptions.AlertCancelled()
    alert.status = "cancelled"
    alert.revision += 1
    alert.updated_at = _now()
    uow.session.add(alert)
    uow.emit(AlertCancelled(**alert_facts(alert)))
    return alert


async def list_alerts(
    *,
    session: AsyncSession,
    country: str | None = None,
    mechanism: str | None = None,
    kind: str | None = None,
    theme: str | None = None,
    from_: date | None = None,
    to: date | None = None,
    include_cancelled: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[Alert], int]:
    """Alerts, newest first; ``from_``/``to`` keep those with a date in that range."""
    conditions: list[Any] = []
    if country:
        conditions.append(Alert.country == country.upper())
    if mechanism:
        conditions.append(Alert.mechanism == mechanism)
    if kind:
        conditions.append(Alert.kind == kind)
    if theme:
        conditions.append(any_(col(Alert.themes)) == theme.lower())
    if not include_cancelled:
        conditions.append(Alert.status == "published")
    if from_ or to:
        low, high = from_ or date.min, to or date.max
        span_end = func.coalesce(Alert.ends_on, Alert.starts_on)
        conditions.append(
            or_(
                and_(col(Alert.starts_on) <= high, span_end >= low),
                col(Alert.deadline).between(low, high),
            )
        )
    total = (await session.exec(select(func.count()).select_from(Alert).where(*conditions))).one()
    rows = await session.exec(
        select(Alert)
        .where(*conditions)
        .order_by(col(Alert.published_at).desc(), col(Alert.id))
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), int(total)


# -- subscriptions ------------------------------------------------------------------------


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


async def create_subscription(
    uow: UnitOfWork,
    *,
    institution_id: UUID,
    data: SubscriptionCreate,
    allowed_hosts: Sequence[str],
) -> tuple[Subscription, str | None]:
    """Save a subscription; returns it with its webhook secret (shown this once)."""
    url = str(data.url) if data.url else None
    if url is not None:
        await check_webhook_url(url, allowed_hosts=allowed_hosts)
    secret = new_webhook_secret() if data.channel == "webhook" else None
    subscription = Subscription(
        institution_id=institution_id,
        **data.model_dump(exclude={"url"}),
        webhook_url=url,
        webhook_secret=secret,
    )
    uow.session.add(subscription)
    await uow.session.flush()
    await uow.session.refresh(subscription)
    return subscription, secret


async def get_subscription_or_raise(
    *, session: AsyncSession, id: UUID, owner: UUID | None
) -> Subscription:
    """The subscription if ``owner`` owns it (None: any, for admins); else 404."""
    subscription = await session.get(Subscription, id)
    if (
        subscription is None
        or subscription.deleted_at is not None
        or (owner is not None and subscription.institution_id != owner)
    ):
        raise exceptions.SubscriptionNotFound()
    return subscription


async def list_subscriptions(
    *, session: AsyncSession, owner: UUID | None, limit: int, offset: int
) -> tuple[Sequence[Subscription], int]:
    conditions: list[Any] = [col(Subscription.deleted_at).is_(None)]
    if owner is not None:
        conditions.append(Subscription.institution_id == owner)
    total = (
        await session.exec(select(func.count()).select_from(Subscription).where(*conditions))
    ).one()
    rows = await session.exec(
        select(Subscription)
        .where(*conditions)
        .order_by(col(Subscription.created_at), col(Subscription.id))
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), int(total)


async def update_subscription(
    uow: UnitOfWork,
    *,
    subscription: Subscription,
    data: SubscriptionUpdate,
    allowed_hosts: Sequence[str],
) -> Subscription:
    """Change filters, mode, url or address; ``status`` disables or enables it again."""
    changes = data.model_dump(exclude_unset=True)
    wanted = changes.pop("status", None)
    if "url" in changes:
        if subscription.channel != "webhook" or changes["url"] is None:
            raise InvalidInput(
                "only a webhook subscription has a url, and it cannot be removed",
                errors=[{"location": "url", "message": "not applicable"}],
            )
        url = str(changes.pop("url"))
        await check_webhook_url(url, allowed_hosts=allowed_hosts)
        subscription.webhook_url = url
    if "email" in changes:
        if subscription.channel != "email" or changes["email"] is None:
            raise InvalidInput(
                "only an email subscription has an address, and it cannot be removed",
                errors=[{"location": "email", "message": "not applicable"}],
            )
        subscription.email = changes.pop("email")
    for name, value in changes.items():
        if value is None and name != "name":
            raise InvalidInput(
                f"{name} cannot be null; send [] to match anything",
                errors=[{"location": name, "message": "null"}],
            )
        setattr(subscription, name, value)
    if wanted == "disabled" and subscription.disabled_at is None:
        await _disable(uow, subscription, "by_institution")
    elif wanted == "active" and subscription.disabled_at is not None:
        await _enable(uow.session, subscription)
    subscription.updated_at = _now()
    uow.session.add(subscription)
    await uow.session.flush()
    await uow.session.refresh(subscription)
    return subscription


async def delete_subscription(uow: UnitOfWork, *, subscription: Subscription) -> None:
    """Stop a subscription; what it had not yet sent is dropped, its history kept."""
    subscription.deleted_at = _now()
    uow.session.add(subscription)
    await uow.session.exec(
        update(Delivery)
        .where(
            col(Delivery.subscription_id) == subscription.id,
            col(Delivery.status).in_(("pending", "held", "suspended")),
        )
        .values(status="cancelled", last_error="subscription deleted")
    )


# Automatic disabling tells the owner (subscription.disabled); the owner's own does not.
_TOLD_TO_OWNER: frozenset[DisabledReason] = frozenset({"endpoint_gone", "failing_too_long"})


async def disable_subscription(
    uow: UnitOfWork, *, subscription_id: UUID, reason: str, shown_by: UUID
) -> bool:
    """Stop sending to a subscription whose endpoint the delivery ``shown_by`` found dead,
    keeping what it does not get. False if it was disabled or deleted already, or if that
    delivery was replayed since: the dispatcher records a call's result before it disables,
    and an administrator's replay in between is the newer word."""
    session = uow.session
    subscription = await session.get(Subscription, subscription_id, with_for_update=True)
    if subscription is None or subscription.deleted_at or subscription.disabled_at:
        return False
    if not await _still_failed(session, shown_by):
        return False
    await _disable(uow, subscription, reason)
    return True


async def _disable(uow: UnitOfWork, subscription: Subscription, reason: str) -> None:
    now = _now()
    session = uow.session
    subscription.disabled_at = now
    subscription.disabled_reason = reason
    subscription.failing_since = subscription.failing_since or now
    session.add(subscription)
    await session.exec(
        update(Delivery)
        .where(col(Delivery.subscription_id) == subscription.id, col(Delivery.status) == "pending")
        .values(status="suspended", updated_at=now)
    )
    if reason in _TOLD_TO_OWNER:
        disabled = SubscriptionDisabled(
            subscription_id=subscription.id,
            institution_id=subscription.institution_id,
            channel=subscription.channel,
            reason=reason,
            failing_since=subscription.failing_since,
            disabled_at=now,
        )
        uow.emit(disabled)


async def _still_failed(session: AsyncSession, delivery_id: UUID) -> bool:
    """Neither delivered nor replayed (a replay starts its attempts at 0) since it failed."""
    delivery = await session.get(Delivery, delivery_id, populate_existing=True)
    return delivery is not None and delivery.attempts > 0 and delivery.status != "delivered"


async def _lock_subscriptions(session: AsyncSession, ids: Sequence[UUID]) -> None:
    """Replays and the dispatcher's disabling take a subscription's row first, in one
    order, so that neither acts on what the other is changing."""
    await session.exec(
        select(Subscription.id)
        .where(col(Subscription.id).in_(set(ids)))
        .order_by(col(Subscription.id))
        .with_for_update()
    )


async def _enable_disabled_by_failures(session: AsyncSession, ids: Sequence[UUID]) -> None:
    """An administrator's replay is a call to try the endpoint again: the subscriptions the
    dispatcher disabled are enabled (those their owner paused stay paused)."""
    rows = await session.exec(
        select(Subscription).where(
            col(Subscription.id).in_(set(ids)),
            col(Subscription.disabled_at).is_not(None),
            col(Subscription.disabled_reason).in_(_TOLD_TO_OWNER),
        )
    )
    for subscription in rows.all():
        await _enable(session, subscription)
        session.add(subscription)


async def _enable(session: AsyncSession, subscription: Subscription) -> None:
    """Send again: every message kept while disabled, and those that died since the
    endpoint began failing, go out afresh. The caller commits."""
    since = subscription.failing_since or subscription.disabled_at
    await run_sql(
        session,
        text(
            "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), "
            "updated_at = now() WHERE subscription_id = :id AND (status = 'suspended' "
            "OR (status = 'dead' AND updated_at >= :since))"
        ),
        {"id": subscription.id, "since": since},
    )
    subscription.disabled_at = None
    subscription.disabled_reason = None
    subscription.failing_since = None
    await notify_dispatcher(session)


# -- inbox ------------------------------------------------------------------------------


async def list_inbox(
    *, session: AsyncSession, institution_id: UUID, unread_only: bool, limit: int, offset: int
) -> tuple[Sequence[InboxItem], int]:
    conditions: list[Any] = [InboxItem.institution_id == institution_id]
    if unread_only:
        conditions.append(col(InboxItem.read_at).is_(None))
    total = (
        await session.exec(select(func.count()).select_from(InboxItem).where(*conditions))
    ).one()
    rows = await session.exec(
        select(InboxItem)
        .where(*conditions)
        .order_by(col(InboxItem.created_at).desc(), col(InboxItem.id))
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), int(total)


async def mark_inbox_item_read(
    uow: UnitOfWork, *, institution_id: UUID, item_id: UUID
) -> InboxItem:
    item = await uow.session.get(InboxItem, item_id)
    if item is None or item.institution_id != institution_id:
        raise exceptions.InboxItemNotFound()
    if item.read_at is None:
        item.read_at = _now()
        uow.session.add(item)
    return item


# -- deliveries ---------------------------------------------------------------------------


async def alert_deliveries(
    *, session: AsyncSession, alert_id: UUID, status: str | None, limit: int, offset: int
) -> tuple[dict[str, int], list[tuple[Delivery, str]], int]:
    """Counts by status, and one page of deliveries of every notification about an alert."""
    joined = (
        select(Delivery, Notification.event_type)
        .join(Notification, col(Notification.id) == col(Delivery.notification_id))
        .where(Notification.alert_id == alert_id)
    )
    count_rows = await session.exec(
        select(Delivery.status, func.count())
        .join(Notification, col(Notification.id) == col(Delivery.notification_id))
        .where(Notification.alert_id == alert_id)
        .group_by(Delivery.status)
    )
    counts = {row[0]: int(row[1]) for row in count_rows.all()}
    if status:
        joined = joined.where(Delivery.status == status)
    total = counts.get(status, 0) if status else sum(counts.values())
    rows = await session.exec(
        joined.order_by(col(Delivery.created_at), col(Delivery.id)).limit(limit).offset(offset)
    )
    return counts, [(d, t) for d, t in rows.all()], total


async def replay_delivery(uow: UnitOfWork, *, delivery_id: UUID) -> Delivery:
    """Send a dead delivery again, with a fresh set of attempts."""
    session = uow.session
    delivery = await session.get(Delivery, delivery_id)
    if delivery is None:
        raise exceptions.DeliveryNotFound()
    await _lock_subscriptions(session, [delivery.subscription_id])
    await session.refresh(delivery)
    if delivery.status != "dead":
        raise exceptions.NotReplayable(delivery.status)
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = _now()
    session.add(delivery)
    await _enable_disabled_by_failures(session, [delivery.subscription_id])
    await notify_dispatcher(session)
    return delivery


async def replay_alert_deliveries(uow: UnitOfWork, *, alert_id: UUID) -> int:
    """Send every dead delivery about an alert again."""
    session = uow.session
    dead_of_the_alert = (
        "status = 'dead' AND notification_id IN "
        "(SELECT id FROM notifications WHERE alert_id = :alert_id)"
    )
    await run_sql(
        session,
        text(
            "SELECT id FROM subscriptions WHERE id IN (SELECT subscription_id FROM deliveries "
            f"WHERE {dead_of_the_alert}) ORDER BY id FOR UPDATE"
        ),
        {"alert_id": alert_id},
    )
    result = await run_sql(
        session,
        text(
            "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), "
            f"updated_at = now() WHERE {dead_of_the_alert} RETURNING subscription_id"
        ),
        {"alert_id": alert_id},
    )
    subscriptions = [row[0] for row in result]
    replayed = len(subscriptions)
    if replayed:
        await _enable_disabled_by_failures(session, subscriptions)
        await notify_dispatcher(session)
    return replayed
