"""The values the recommendations carry, for the filters a ministry picks from by name."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.db import run_sql
from localrights_recommendations.models import Recommendation
from localrights_recommendations.schemas_backoffice import FacetValue, RecommendationFacets

_LIMIT = 300


async def _counts(
    session: AsyncSession, column: Any, country: str | None, *, spread: bool = False
) -> list[FacetValue]:
    """``spread``: the column is an unnest() of an array (no NULL to leave out, no WHERE)."""
    statement = select(column.label("value"), func.count().label("n")).select_from(Recommendation)
    if country:
        statement = statement.where(col(Recommendation.country) == country)
    if not spread:
        statement = statement.where(column.is_not(None))
    statement = (
        statement.group_by(text("value")).order_by(text("n DESC"), text("value")).limit(_LIMIT)
    )
    rows = (await run_sql(session, statement)).all()
    return [FacetValue(value=str(row.value), count=int(row.n)) for row in rows]


async def facets(*, session: AsyncSession, country: str | None) -> RecommendationFacets:
    """Counts per mechanism, cycle, session, theme, SDG target, response and owner level."""
    total_query = select(func.count()).select_from(Recommendation)
    if country:
        total_query = total_query.where(col(Recommendation.country) == country)
    total = int((await run_sql(session, total_query)).scalar_one())
    return RecommendationFacets(
        total=total,
        mechanisms=await _counts(session, col(Recommendation.mechanism), country),
        cycles=await _counts(session, col(Recommendation.cycle), country),
        sessions=await _counts(session, col(Recommendation.session), country),
        themes=await _counts(
            session, func.unnest(col(Recommendation.themes)), country, spread=True
        ),
        sdg_targets=await _counts(
            session, func.unnest(col(Recommendation.sdg_targets)), country, spread=True
        ),
        responses=await _counts(session, col(Recommendation.response), country),
        owner_levels=await _counts(session, col(Recommendation.owner_level), country),
    )
