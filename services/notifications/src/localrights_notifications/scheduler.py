"""Scheduled work: deadline reminders and daily digests, both safe to run in every replica.

Both are driven by rows, not by timers held in memory: a reminder fires when its
(alert, offset) row can be inserted, a digest when its (subscription, day) delivery can,
so restarts and several replicas neither lose nor repeat one. ``now`` is a parameter so
tests can stand on any day.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

import structlog
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.events.catalog.alerts import AlertReminderDue
from localrights.uow import UnitOfWork
from localrights_notifications.domain import due_reminder
from localrights_notifications.repository import alerts, deliveries
from localrights_notifications.service import SOURCE, alert_facts

log = structlog.get_logger(__name__)


async def send_due_reminders(
    *, sessions: async_sessionmaker[AsyncSession], offsets: Sequence[int], now: datetime
) -> int:
    """Emit alert.reminder_due for each reminder due at ``now`` and not yet sent."""
    today = now.astimezone(UTC).date()
    horizon = today + timedelta(days=max(offsets, default=0))
    sent = 0
    async with sessions() as session, UnitOfWork(session, source=SOURCE) as uow:
        for alert in await alerts.published_with_deadline_between(session, today, horizon):
            assert alert.deadline is not None and alert.published_at is not None
            days = due_reminder(
                deadline=alert.deadline,
                published_on=alert.published_at.astimezone(UTC).date(),
                today=today,
                offsets=offsets,
            )
            if days is None:
                continue
            payload = AlertReminderDue(
                **alert_facts(alert), days_before=(alert.deadline - today).days
            )
            if not await alerts.claim_reminder(session, alert_id=alert.id, days_before=days):
                continue
            envelope = await uow.record(payload)
            await alerts.note_reminder_event(
                session, alert_id=alert.id, days_before=days, event_id=envelope.id
            )
            sent += 1
    return sent


def digest_cutoff(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=UTC)


async def make_daily_digests(
    *, sessions: async_sessionmaker[AsyncSession], at: time, now: datetime
) -> int:
    """Once the day's digest time has passed, fold each subscription's held items into one."""
    now = now.astimezone(UTC)
    cutoff = digest_cutoff(now.date(), at)
    if now < cutoff:
        return 0
    async with sessions() as session, UnitOfWork(session, source=SOURCE):
        digests = await deliveries.make_digests(session, cutoff=cutoff, day=now.date())
        if digests:
            await deliveries.notify_dispatcher(session)
    return digests


async def run_scheduler(
    *,
    sessions: async_sessionmaker[AsyncSession],
    offsets: Sequence[int],
    digest_at: time,
    interval: float,
    stopping: asyncio.Event,
) -> None:
    """Reminders and digests every ``interval`` seconds until stopped."""
    while not stopping.is_set():
        now = datetime.now(UTC)
        try:
            await send_due_reminders(sessions=sessions, offsets=offsets, now=now)
            await make_daily_digests(sessions=sessions, at=digest_at, now=now)
        except Exception as exc:  # try again next round
            log.warning("scheduler_round_failed", error=repr(exc))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=interval)
