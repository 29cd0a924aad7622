"""Inbox items: written at fan-out, listed by their institution."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import func, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.db import run_sql
from localrights.events import Envelope
from localrights_notifications.models import InboxItem
from localrights_notifications.repository.notifications import as_json

_TO_INBOX = text(
    "INSERT INTO inbox_items (id, institution_id, event_id, event_type, kind, alert_id, title, "
    "facts) SELECT gen_random_uuid(), i, CAST(:event_id AS text), CAST(:event_type AS text), "
    "CAST(:kind AS text), CAST(:alert_id AS uuid), "
    "CAST(:title AS jsonb), CAST(:facts AS jsonb) FROM unnest(CAST(:institutions AS uuid[])) AS i "
    "ON CONFLICT (institution_id, event_id) DO NOTHING"
)

# Topics are not ordered with one another, and a jurisdiction invites whoever sits in it
# while the exercise runs: an institution that (re)appears in an invited jurisdiction gets
# the invitations of the exercises still before their deadline, once each.
_INVITE_LATECOMER = text(
    "INSERT INTO inbox_items (id, institution_id, event_id, event_type, kind, alert_id, title, "
    "facts) SELECT gen_random_uuid(), CAST(:institution_id AS uuid), n.event_id, n.event_type, "
    "n.kind, n.alert_id, n.title, n.facts FROM notifications AS n "
    "WHERE n.event_type = 'exercise.opened' AND n.country = CAST(:country AS text) "
    "AND CAST(n.facts ->> 'deadline' AS date) >= current_date "
    "AND NOT EXISTS (SELECT 1 FROM closed_exercises AS c "
    "WHERE CAST(c.exercise_id AS text) = n.facts ->> 'exercise_id') "
    "AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(n.facts -> 'invited_jurisdictions') "
    "AS j WHERE CAST(:jurisdiction AS text) = j OR CAST(:jurisdiction AS text) LIKE j || '-%') "
    "ON CONFLICT (institution_id, event_id) DO NOTHING"
)


async def add_to_inboxes(
    session: AsyncSession,
    envelope: Envelope,
    kind: str,
    title: dict[str, str],
    facts: dict[str, Any],
    institutions: Sequence[UUID],
    *,
    alert_id: UUID | None = None,
) -> None:
    """The notification in each institution's inbox, once."""
    await run_sql(
        session,
        _TO_INBOX,
        {
            "event_id": envelope.id,
            "event_type": envelope.type,
            "kind": kind,
            "alert_id": alert_id,
            "title": as_json(title),
            "facts": as_json(facts),
            "institutions": list(institutions),
        },
    )


async def invite_latecomer(
    session: AsyncSession, *, institution_id: UUID, country: str, jurisdiction: str | None
) -> None:
    """The open exercises' invitations of its jurisdiction, in a newly known institution's inbox."""
    await run_sql(
        session,
        _INVITE_LATECOMER,
        {"institution_id": institution_id, "country": country, "jurisdiction": jurisdiction},
    )


def _matching(
    institution_id: UUID, *, unread_only: bool, kind: str | None, country: str | None
) -> list[Any]:
    conditions: list[Any] = [InboxItem.institution_id == institution_id]
    if kind:
        conditions.append(InboxItem.kind == kind)
    if country:
        # Every notification's facts carry the country it is about (alerts, exercises,
        # consultations alike), so no column of its own is needed to filter on it.
        conditions.append(col(InboxItem.facts)["country"].astext == country.upper())
    if unread_only:
        conditions.append(col(InboxItem.read_at).is_(None))
    return conditions


async def count_items(
    session: AsyncSession,
    *,
    institution_id: UUID,
    unread_only: bool,
    kind: str | None = None,
    country: str | None = None,
) -> int:
    """How many items of an institution's inbox match."""
    conditions = _matching(institution_id, unread_only=unread_only, kind=kind, country=country)
    total = await session.exec(select(func.count()).select_from(InboxItem).where(*conditions))
    return int(total.one())


async def list_items(
    session: AsyncSession,
    *,
    institution_id: UUID,
    unread_only: bool,
    limit: int,
    offset: int,
    kind: str | None = None,
    country: str | None = None,
) -> Sequence[InboxItem]:
    """One page of the matching items, newest first."""
    conditions = _matching(institution_id, unread_only=unread_only, kind=kind, country=country)
    rows = await session.exec(
        select(InboxItem)
        .where(*conditions)
        .order_by(col(InboxItem.created_at).desc(), col(InboxItem.id))
        .limit(limit)
        .offset(offset)
    )
    return rows.all()
