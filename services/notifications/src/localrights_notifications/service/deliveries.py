"""Deliveries: an alert's delivery report, and replaying dead letters."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import func, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.db import run_sql
from localrights.uow import UnitOfWork
from localrights_notifications import exceptions
from localrights_notifications.fanout import notify_dispatcher
from localrights_notifications.models import Delivery, Notification
from localrights_notifications.service.subscriptions import (
    enable_disabled_by_failures,
    lock_subscriptions,
)


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
    await lock_subscriptions(session, [delivery.subscription_id])
    await session.refresh(delivery)
    if delivery.status != "dead":
        raise exceptions.NotReplayable(delivery.status)
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = datetime.now(UTC)
    session.add(delivery)
    await enable_disabled_by_failures(session, [delivery.subscription_id])
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
        await enable_disabled_by_failures(session, subscriptions)
        await notify_dispatcher(session)
    return replayed
