"""Reminders when a place's next value of an indicator falls due, safe in every replica.

Driven by rows, not timers held in memory: a reminder goes out when its (indicator, place,
due day) row can be inserted, in the unit of work that emits ``indicator.update_due``, so
restarts and several replicas neither lose nor repeat one. Notifications turns the event
into an inbox item (and an e-mail or webhook for those who subscribe to reminders), as it
does with alert deadlines. ``now`` is a parameter so tests can stand on any day.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.uow import UnitOfWork
from localrights_recommendations import events
from localrights_recommendations.domain import indicators as rules
from localrights_recommendations.repository import indicators as repository

log = structlog.get_logger(__name__)


async def send_due_reminders(
    *,
    sessions: async_sessionmaker[AsyncSession],
    source: str,
    now: datetime,
    lead_days: int,
) -> int:
    """Emit ``indicator.update_due`` for each place whose next value is due and was not
    reminded yet; returns how many went out."""
    today = now.astimezone(UTC).date()
    async with sessions() as session:
        latest = await repository.latest_per_place(session)
    sent = 0
    for indicator_id, jurisdiction, institution_id, observed_on in latest:
        async with sessions() as session, UnitOfWork(session, source=source) as uow:
            indicator = await repository.get_indicator(session, indicator_id=indicator_id)
            if indicator is None or indicator.update_every_months is None:
                continue
            due_on = rules.next_due(observed_on, indicator.update_every_months)
            if not rules.is_due(due_on=due_on, today=today, lead_days=lead_days):
                continue
            if not await repository.claim_reminder(
                session,
                indicator_id=indicator_id,
                jurisdiction=jurisdiction,
                due_on=due_on,
                institution_id=institution_id,
            ):
                continue
            uow.emit(
                events.indicator_update_due(
                    indicator,
                    institution_id=institution_id,
                    jurisdiction=jurisdiction,
                    due_on=due_on,
                    last_observed_on=observed_on,
                )
            )
            sent += 1
    return sent


async def run_reminders(
    *,
    sessions: async_sessionmaker[AsyncSession],
    source: str,
    lead_days: int,
    interval: float,
    stopping: asyncio.Event,
) -> None:
    """Send due reminders every ``interval`` seconds until stopped."""
    while not stopping.is_set():
        try:
            await send_due_reminders(
                sessions=sessions, source=source, now=datetime.now(UTC), lead_days=lead_days
            )
        except Exception as exc:  # try again next round
            log.warning("indicator_reminders_failed", error=repr(exc))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=interval)
