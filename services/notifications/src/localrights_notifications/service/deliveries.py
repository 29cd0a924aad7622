"""Deliveries: an alert's delivery report, and replaying dead letters."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.uow import UnitOfWork
from localrights_notifications import exceptions
from localrights_notifications.models import Delivery
from localrights_notifications.repository import deliveries, subscriptions
from localrights_notifications.service.subscriptions import enable_disabled_by_failures


async def alert_deliveries(
    *, session: AsyncSession, alert_id: UUID, status: str | None, limit: int, offset: int
) -> tuple[dict[str, int], list[tuple[Delivery, str]], int]:
    """Counts by status, and one page of deliveries of every notification about an alert."""
    counts, page = await deliveries.alert_report(
        session, alert_id=alert_id, status=status, limit=limit, offset=offset
    )
    total = counts.get(status, 0) if status else sum(counts.values())
    return counts, page, total


async def replay_delivery(uow: UnitOfWork, *, delivery_id: UUID) -> Delivery:
    """Send a dead delivery again, with a fresh set of attempts."""
    session = uow.session
    delivery = await session.get(Delivery, delivery_id)
    if delivery is None:
        raise exceptions.DeliveryNotFound()
    await subscriptions.lock_subscriptions(session, [delivery.subscription_id])
    await session.refresh(delivery)
    if delivery.status != "dead":
        raise exceptions.NotReplayable(delivery.status)
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = datetime.now(UTC)
    session.add(delivery)
    await enable_disabled_by_failures(session, [delivery.subscription_id])
    await deliveries.notify_dispatcher(session)
    return delivery


async def replay_alert_deliveries(uow: UnitOfWork, *, alert_id: UUID) -> int:
    """Send every dead delivery about an alert again."""
    session = uow.session
    replayed_for = await deliveries.replay_dead_of_alert(session, alert_id=alert_id)
    replayed = len(replayed_for)
    if replayed:
        await enable_disabled_by_failures(session, replayed_for)
        await deliveries.notify_dispatcher(session)
    return replayed
