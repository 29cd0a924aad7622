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
from sqlalchemy import text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.db import run_sql
from localrights.events.catalog.alerts import AlertReminderDue
from localrights.uow import UnitOfWork
from localrights_notifications.domain import due_reminder
from localrights_notifications.fanout import notify_dispatcher
from localrights_notifications.models import Alert, Reminder
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
        alerts = (
            await session.exec(
                select(Alert).where(
                    Alert.status == "published",
                    col(Alert.deadline).between(today, horizon),
                )
            )
        ).all()
        for alert in alerts:
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
            # The row claims the reminder: a second replica, or a second round, finds it.
            claimed = (
                await session.exec(
                    insert(Reminder)
                    .values(alert_id=alert.id, days_before=days, event_id="")
                    .on_conflict_do_nothing()
                    .returning(col(Reminder.alert_id))
                )
            ).first()
            if claimed is None:
                continue
            envelope = await uow.record(payload)
            await session.exec(
                update(Reminder)
                .where(col(Reminder.alert_id) == alert.id, col(Reminder.days_before) == days)
                .values(event_id=envelope.id)
            )
            sent += 1
    return sent


_MAKE_DIGESTS = text(
    """
    WITH due AS (
        SELECT DISTINCT subscription_id, institution_id, channel FROM deliveries
        WHERE status = 'held' AND created_at <= :cutoff
    ), digests AS (
        INSERT INTO deliveries (id, subscription_id, institution_id, event_id, channel, status,
                                attempts, digest_day, next_attempt_at)
        SELECT gen_random_uuid(), subscription_id, institution_id, :event_id, channel,
               'pending', 0, :day, now()
        FROM due
        ON CONFLICT (subscription_id, event_id) DO NOTHING
        RETURNING id, subscription_id
    )
    UPDATE deliveries AS d
    SET status = 'digested', digest_delivery_id = g.id, digest_day = :day, updated_at = now()
    FROM digests AS g
    WHERE d.subscription_id = g.subscription_id AND d.status = 'held' AND d.created_at <= :cutoff
    RETURNING g.id
    """
)


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
        rows = (
            await run_sql(
                session,
                _MAKE_DIGESTS,
                {"cutoff": cutoff, "day": now.date(), "event_id": f"digest:{now.date()}"},
            )
        ).all()
        digests = len({row[0] for row in rows})
        if digests:
            await notify_dispatcher(session)
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
