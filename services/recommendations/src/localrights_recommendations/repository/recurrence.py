"""SQL of recurrence links: the candidates to compare, the suggestions, the ministry's calls."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import func, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.db import run_sql
from localrights_recommendations.follow_up_models import RecurrenceLink
from localrights_recommendations.models import Recommendation

BRIEF = (
    "id",
    "country",
    "mechanism",
    "cycle",
    "session",
    "document_symbol",
    "paragraph",
    "text",
    "recommending_states",
    "response",
    "themes",
)


async def cycles_by_mechanism(session: AsyncSession, country: str) -> dict[str, list[int]]:
    """The cycles of each mechanism the country's recommendations belong to, oldest first."""
    rows = await run_sql(
        session,
        text(
            "SELECT DISTINCT mechanism, cycle FROM recommendations "
            "WHERE country = :country AND cycle IS NOT NULL ORDER BY mechanism, cycle"
        ),
        {"country": country},
    )
    found: dict[str, list[int]] = {}
    for mechanism, cycle in map(tuple, rows):
        found.setdefault(mechanism, []).append(cycle)
    return found


async def texts_of_cycle(
    session: AsyncSession, *, country: str, mechanism: str, cycle: int
) -> list[tuple[UUID, str]]:
    rows = await session.exec(
        select(col(Recommendation.id), col(Recommendation.text))
        .where(
            col(Recommendation.country) == country,
            col(Recommendation.mechanism) == mechanism,
            col(Recommendation.cycle) == cycle,
        )
        .order_by(col(Recommendation.id))
    )
    return list(rows.all())


async def add_suggestions(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Insert suggested links; a pair already suggested, confirmed or rejected stays as it is."""
    if not rows:
        return 0
    result = await session.exec(
        insert(RecurrenceLink)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=["earlier_id", "later_id"])
        .returning(col(RecurrenceLink.id))
    )
    return len(result.all())


async def link_for_update(session: AsyncSession, link_id: UUID) -> RecurrenceLink | None:
    return (
        await session.exec(
            select(RecurrenceLink).where(col(RecurrenceLink.id) == link_id).with_for_update()
        )
    ).first()


async def links(
    session: AsyncSession,
    *,
    country: str,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[list[tuple[RecurrenceLink, Recommendation, Recommendation]], int]:
    """A country's links with both recommendations, by later recommendation then score."""
    earlier = aliased(Recommendation)
    later = aliased(Recommendation)
    where = [col(RecurrenceLink.country) == country]
    if status:
        where.append(col(RecurrenceLink.status) == status)
    total = (
        await session.exec(select(func.count()).select_from(RecurrenceLink).where(*where))
    ).one()
    rows = await session.exec(
        select(RecurrenceLink, earlier, later)
        .join(earlier, col(earlier.id) == col(RecurrenceLink.earlier_id))
        .join(later, col(later.id) == col(RecurrenceLink.later_id))
        .where(*where)
        .order_by(
            later.session.desc(),  # type: ignore[union-attr]
            col(later.paragraph),
            col(later.id),
            col(RecurrenceLink.score).desc(),
        )
        .offset(offset)
        .limit(limit)
    )
    return [(link, a, b) for link, a, b in rows], int(total)


async def confirmed_neighbours(
    session: AsyncSession, recommendation_id: UUID
) -> tuple[list[Recommendation], list[Recommendation]]:
    """The recommendations a confirmed link joins to this one: (earlier ones, later ones)."""
    earlier = await session.exec(
        select(Recommendation)
        .join(RecurrenceLink, col(RecurrenceLink.earlier_id) == col(Recommendation.id))
        .where(
            col(RecurrenceLink.later_id) == recommendation_id,
            col(RecurrenceLink.status) == "confirmed",
        )
    )
    later = await session.exec(
        select(Recommendation)
        .join(RecurrenceLink, col(RecurrenceLink.later_id) == col(Recommendation.id))
        .where(
            col(RecurrenceLink.earlier_id) == recommendation_id,
            col(RecurrenceLink.status) == "confirmed",
        )
    )
    return list(earlier), list(later)


async def earlier_chain(session: AsyncSession, recommendation_id: UUID) -> list[UUID]:
    """The recommendation and every earlier one a chain of confirmed links leads back to."""
    rows = await run_sql(
        session,
        text(
            """
            WITH RECURSIVE chain(id, depth) AS (
                SELECT CAST(:id AS uuid), 0
                UNION
                SELECT l.earlier_id, c.depth + 1 FROM recurrence_links AS l
                JOIN chain AS c ON l.later_id = c.id
                WHERE l.status = 'confirmed' AND c.depth < 8
            )
            SELECT DISTINCT id FROM chain
            """
        ),
        {"id": recommendation_id},
    )
    return [row[0] for row in rows]


async def counts_by_status(session: AsyncSession, country: str) -> dict[str, int]:
    rows = await session.exec(
        select(col(RecurrenceLink.status), func.count())
        .where(col(RecurrenceLink.country) == country)
        .group_by(col(RecurrenceLink.status))
    )
    return {status: int(n) for status, n in rows}


async def earlier_chains(
    session: AsyncSession, recommendation_ids: Sequence[UUID]
) -> dict[UUID, list[UUID]]:
    """For each recommendation, the earlier ones confirmed links lead back to, nearest first."""
    found: dict[UUID, list[UUID]] = {i: [] for i in recommendation_ids}
    if not recommendation_ids:
        return found
    rows = await run_sql(
        session,
        text(
            """
            WITH RECURSIVE chain(start, id, depth) AS (
                SELECT l.later_id, l.earlier_id, 1 FROM recurrence_links AS l
                WHERE l.later_id = ANY(CAST(:ids AS uuid[])) AND l.status = 'confirmed'
                UNION
                SELECT c.start, l.earlier_id, c.depth + 1 FROM recurrence_links AS l
                JOIN chain AS c ON l.later_id = c.id
                WHERE l.status = 'confirmed' AND c.depth < 8
            )
            SELECT start, id FROM chain ORDER BY start, depth
            """
        ),
        {"ids": list(recommendation_ids)},
    )
    for start, earlier in map(tuple, rows):
        if earlier not in found[start]:
            found[start].append(earlier)
    return found
