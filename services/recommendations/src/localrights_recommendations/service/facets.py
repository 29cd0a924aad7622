"""The values the recommendations carry, for the filters a ministry picks from by name."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from localrights_recommendations.repository import recommendations as repository
from localrights_recommendations.schemas_backoffice import FacetValue, RecommendationFacets

_LIMIT = 300


async def _counts(session: AsyncSession, facet: str, country: str | None) -> list[FacetValue]:
    found = await repository.value_counts(session, facet, country=country, limit=_LIMIT)
    return [FacetValue(value=value, count=n) for value, n in found]


async def facets(*, session: AsyncSession, country: str | None) -> RecommendationFacets:
    """Counts per mechanism, cycle, session, theme, SDG target, response and owner level."""
    return RecommendationFacets(
        total=await repository.count(session, country=country),
        mechanisms=await _counts(session, "mechanism", country),
        cycles=await _counts(session, "cycle", country),
        sessions=await _counts(session, "session", country),
        themes=await _counts(session, "theme", country),
        sdg_targets=await _counts(session, "sdg_target", country),
        responses=await _counts(session, "response", country),
        owner_levels=await _counts(session, "owner_level", country),
    )
