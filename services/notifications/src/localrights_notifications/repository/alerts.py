"""Alerts: found by their filters, and those whose deadline reminders are due."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import and_, any_, func, or_, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights_notifications.models import Alert, Reminder


async def list_alerts(
    session: AsyncSession,
    *,
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


async def published_with_deadline_between(
    session: AsyncSession, low: date, high: date
) -> Sequence[Alert]:
    """Published alerts whose deadline falls between ``low`` and ``high``."""
    rows = await session.exec(
        select(Alert).where(Alert.status == "published", col(Alert.deadline).between(low, high))
    )
    return rows.all()


async def claim_reminder(session: AsyncSession, *, alert_id: UUID, days_before: int) -> bool:
    """Take the reminder's row; False if a second replica, or a second round, took it."""
    claimed = (
        await session.exec(
            insert(Reminder)
            .values(alert_id=alert_id, days_before=days_before, event_id="")
            .on_conflict_do_nothing()
            .returning(col(Reminder.alert_id))
        )
    ).first()
    return claimed is not None


async def note_reminder_event(
    session: AsyncSession, *, alert_id: UUID, days_before: int, event_id: str
) -> None:
    """Which event the claimed reminder was."""
    await session.exec(
        update(Reminder)
        .where(col(Reminder.alert_id) == alert_id, col(Reminder.days_before) == days_before)
        .values(event_id=event_id)
    )
