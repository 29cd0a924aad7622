"""Subscriptions: which ones an event matches, their pages, locks and runs of failures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

import asyncpg
from sqlalchemy import func, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.db import run_sql
from localrights_notifications.models import Subscription

# Filters: an empty list matches anything. Jurisdictions match when one contains the other
# (a subscription for UY-CA hears about a country-wide UY alert; one for UY hears of UY-CA).
# The fan-out and the reach preview share it, so a preview never counts what is not sent.
MATCH = """
    s.deleted_at IS NULL
    AND (cardinality(s.kinds) = 0 OR s.kinds && CAST(:kinds AS text[]))
    AND (cardinality(s.countries) = 0 OR CAST(:country AS text) = ANY(s.countries))
    AND (NOT :topical OR cardinality(s.mechanisms) = 0
         OR CAST(:mechanism AS text) = ANY(s.mechanisms))
    AND (NOT :topical OR cardinality(s.themes) = 0 OR s.themes && CAST(:themes AS text[]))
    AND (cardinality(s.jurisdictions) = 0 OR EXISTS (
        SELECT 1 FROM unnest(s.jurisdictions) AS j, unnest(CAST(:jurisdictions AS text[])) AS a
        WHERE a = j OR a LIKE j || '-%' OR j LIKE a || '-%'))
    AND (CAST(:institutions AS uuid[]) IS NULL
         OR s.institution_id = ANY(CAST(:institutions AS uuid[])))
"""

_REACH = text(
    "SELECT s.channel, count(*) AS subscriptions, "
    "array_agg(DISTINCT s.institution_id) AS institutions "
    f"FROM subscriptions AS s WHERE {MATCH} GROUP BY s.channel"
)

# A run of failures begins at the record of its first failed delivery (the database's
# clock, as the deliveries' own): what died since then is sent again on enabling.
_FAILING = """
    UPDATE subscriptions AS s SET failing_since = COALESCE(s.failing_since, d.updated_at)
    FROM unnest($1::uuid[], $2::uuid[]) AS f(id, delivery_id)
    JOIN deliveries AS d ON d.id = f.delivery_id
    WHERE s.id = f.id AND s.disabled_at IS NULL AND s.deleted_at IS NULL
    RETURNING s.id, s.failing_since <= now() - make_interval(secs => $3) AS overdue
"""
_RECOVERED = (
    "UPDATE subscriptions SET failing_since = NULL "
    "WHERE id = ANY($1::uuid[]) AND failing_since IS NOT NULL AND disabled_at IS NULL"
)


async def mark_failing(
    connection: asyncpg.Connection, failed: Mapping[UUID, UUID], *, overdue_after: float
) -> list[UUID]:
    """Begin a run of failures (subscription -> its first failed delivery) where none runs;
    returns the subscriptions whose run is older than ``overdue_after`` seconds."""
    ids = list(failed)
    rows = await connection.fetch(_FAILING, ids, [failed[i] for i in ids], overdue_after)
    return [row["id"] for row in rows if row["overdue"]]


async def mark_recovered(connection: asyncpg.Connection, ids: list[UUID]) -> None:
    """End the runs of failures of these subscriptions (still enabled)."""
    await connection.execute(_RECOVERED, ids)


async def reach_by_channel(session: AsyncSession, matching: Mapping[str, Any]) -> list[Any]:
    """Per channel, the live subscriptions ``MATCH`` finds and their institutions."""
    return list((await run_sql(session, _REACH, dict(matching))).all())


async def list_subscriptions(
    session: AsyncSession, *, owner: UUID | None, limit: int, offset: int
) -> tuple[Sequence[Subscription], int]:
    """One page of live subscriptions (``owner``'s, or everyone's), and how many there are."""
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


async def lock_subscriptions(session: AsyncSession, ids: Sequence[UUID]) -> None:
    """Replays and the dispatcher's disabling take a subscription's row first, in one
    order, so that neither acts on what the other is changing."""
    await session.exec(
        select(Subscription.id)
        .where(col(Subscription.id).in_(set(ids)))
        .order_by(col(Subscription.id))
        .with_for_update()
    )


async def disabled_for(
    session: AsyncSession, ids: Sequence[UUID], reasons: frozenset[str]
) -> Sequence[Subscription]:
    """Those of these subscriptions disabled for one of ``reasons``."""
    rows = await session.exec(
        select(Subscription).where(
            col(Subscription.id).in_(set(ids)),
            col(Subscription.disabled_at).is_not(None),
            col(Subscription.disabled_reason).in_(reasons),
        )
    )
    return rows.all()
