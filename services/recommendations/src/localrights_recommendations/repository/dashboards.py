"""SQL of the follow-up dashboards: current statuses counted by place, issue, SDG and mechanism.

Each figure is one aggregate over ``follow_up_statuses`` (kept current as entries are added),
so a country of 300 places and 2,000 recommendations is counted in one pass of the database
(see bench/follow_up_dashboard.py for how it compares with the same SQL written by hand).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, and_, func, literal_column, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.db import run_sql
from localrights_recommendations.follow_up_models import FollowUpStatus, StatusEntry
from localrights_recommendations.models import Recommendation
from localrights_recommendations.repository.audience import Audience, visible

_S = FollowUpStatus
_R = Recommendation


def _scope(
    audience: Audience,
    *,
    country: str | None = None,
    places: Sequence[str] | None = None,
    cycle: int | None = None,
) -> list[ColumnElement[bool]]:
    where = [visible(audience, col(_S.institution_id), col(_S.country))]
    if country is not None:
        where.append(col(_S.country) == country)
    if places is not None:
        where.append(col(_S.jurisdiction).in_(places))
    if cycle is not None:
        in_cycle = select(col(_R.id)).where(col(_R.country) == country, col(_R.cycle) == cycle)
        where.append(col(_S.recommendation_id).in_(in_cycle))
    return where


def _review_counts() -> list[Any]:
    return [
        func.count().label("statuses"),
        func.count().filter(col(_S.review) == "validated").label("validated"),
        func.count().filter(col(_S.review) == "pending").label("pending"),
        func.count().filter(col(_S.review) == "returned").label("returned"),
        func.count().filter(col(_S.carried_from).is_not(None)).label("carried_over"),
    ]


async def _rows(session: AsyncSession, statement: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in (await run_sql(session, statement)).mappings()]


async def by_place_and_status(
    session: AsyncSession, *, audience: Audience, country: str, cycle: int | None
) -> list[dict[str, Any]]:
    """Per place and reported status: how many, and how many validated, pending, returned."""
    statement = (
        select(col(_S.jurisdiction), col(_S.reported_status), *_review_counts())
        .where(*_scope(audience, country=country, cycle=cycle))
        .group_by(col(_S.jurisdiction), col(_S.reported_status))
    )
    return await _rows(session, statement)


async def coverage(
    session: AsyncSession, *, audience: Audience, country: str, cycle: int | None
) -> list[dict[str, Any]]:
    """Per place (and overall, place None): recommendations with a status, institutions."""
    jurisdiction = col(_S.jurisdiction)
    statement = (
        select(
            jurisdiction,
            func.count(func.distinct(col(_S.recommendation_id))).label("recommendations"),
            func.count(func.distinct(col(_S.institution_id))).label("institutions"),
        )
        .where(*_scope(audience, country=country, cycle=cycle))
        .group_by(func.grouping_sets(jurisdiction, literal_column("()")))
    )
    return await _rows(session, statement)


async def recommendations_in_scope(
    session: AsyncSession, *, country: str, cycle: int | None
) -> int:
    where = [col(_R.country) == country]
    if cycle is not None:
        where.append(col(_R.cycle) == cycle)
    total = (await run_sql(session, select(func.count()).select_from(_R).where(*where))).scalar()
    return int(total or 0)


async def totals(
    session: AsyncSession, *, audience: Audience, places: Sequence[str]
) -> list[dict[str, Any]]:
    statement = (
        select(col(_S.reported_status), *_review_counts())
        .where(*_scope(audience, places=places))
        .group_by(col(_S.reported_status))
    )
    return await _rows(session, statement)


async def by_recommendation_field(
    session: AsyncSession, *, audience: Audience, places: Sequence[str], field: str
) -> list[dict[str, Any]]:
    """Counts by a property of the recommendations: ``theme``, ``sdg_goal`` or ``mechanism``."""
    joined = and_(col(_R.id) == col(_S.recommendation_id))
    if field == "mechanism":
        key: Any = col(_R.mechanism)
        source: Any = _S.__table__.join(_R.__table__, joined)  # type: ignore[attr-defined]
    else:
        column = col(_R.themes) if field == "theme" else col(_R.sdg_targets)
        values = func.unnest(column).table_valued("value").render_derived(name="v")
        source = _S.__table__.join(_R.__table__, joined).join(  # type: ignore[attr-defined]
            values, literal_column("true")
        )
        key = values.c.value
        if field == "sdg_goal":
            key = func.split_part(values.c.value, ".", 1)
    statement = (
        select(key.label("key"), col(_S.reported_status), func.count().label("statuses"))
        .select_from(source)
        .where(*_scope(audience, places=places))
        .group_by(key, col(_S.reported_status))
    )
    return await _rows(session, statement)


async def reported_history(
    session: AsyncSession, *, audience: Audience, places: Sequence[str]
) -> list[tuple[UUID, UUID, Any, str]]:
    """Every reported entry of the places, for the statuses over time."""
    statement = select(
        col(StatusEntry.recommendation_id),
        col(StatusEntry.institution_id),
        col(StatusEntry.as_of),
        col(StatusEntry.status),
    ).where(
        col(StatusEntry.jurisdiction).in_(places),
        col(StatusEntry.origin) != "ministry_validation",
        visible(audience, col(StatusEntry.institution_id), col(StatusEntry.country)),
    )
    rows = await run_sql(session, statement)
    return [(values[0], values[1], values[2], values[3]) for values in map(tuple, rows)]


async def institutions_of(
    session: AsyncSession, *, audience: Audience, places: Sequence[str]
) -> list[UUID]:
    """The institutions with a status in the places, that the audience may see."""
    statement = select(col(_S.institution_id)).where(*_scope(audience, places=places)).distinct()
    return [row[0] for row in await run_sql(session, statement)]
