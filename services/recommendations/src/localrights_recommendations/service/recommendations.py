"""Finding recommendations and saying which level of government owns them."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import func
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.errors import InvalidInput
from localrights.uow import UnitOfWork
from localrights_recommendations.domain.countries import is_jurisdiction_of
from localrights_recommendations.exceptions import RecommendationNotFound
from localrights_recommendations.models import Recommendation
from localrights_recommendations.repository import recommendations as repository
from localrights_recommendations.schemas import RecommendationFilter, RecommendationUpdate


async def search_recommendations(
    *, session: AsyncSession, criteria: RecommendationFilter, page: int, page_size: int
) -> tuple[Sequence[Recommendation], int]:
    """One page of matching recommendations and the number of all matches."""
    return await repository.page(
        session, criteria=criteria, offset=(page - 1) * page_size, limit=page_size
    )


async def get_recommendation_or_raise(*, session: AsyncSession, id: UUID) -> Recommendation:
    recommendation = await repository.get_recommendation(session, recommendation_id=id)
    if recommendation is None:
        raise RecommendationNotFound()
    return recommendation


def ownership(recommendation: Recommendation, data: RecommendationUpdate) -> tuple[str, list[str]]:
    """The owner level and jurisdictions a change gives, or InvalidInput saying why not."""
    level = data.owner_level or recommendation.owner_level
    jurisdictions = (
        data.jurisdictions if data.jurisdictions is not None else recommendation.jurisdictions
    )
    if data.owner_level == "national" and data.jurisdictions is None:
        jurisdictions = []
    if level == "national" and jurisdictions:
        raise InvalidInput(
            "a nationally owned recommendation has no jurisdictions",
            errors=[{"location": "jurisdictions", "message": "national: no jurisdictions"}],
        )
    if level in ("regional", "local") and not jurisdictions:
        raise InvalidInput(
            f"say which jurisdictions own a {level}ly owned recommendation",
            errors=[{"location": "jurisdictions", "message": f"{level}: jurisdictions needed"}],
        )
    foreign = [j for j in jurisdictions if not is_jurisdiction_of(j, recommendation.country)]
    if foreign:
        raise InvalidInput(
            f"not jurisdictions of {recommendation.country}: {', '.join(foreign)}",
            errors=[{"location": "jurisdictions", "message": f"unknown: {', '.join(foreign)}"}],
        )
    return level, list(jurisdictions)


async def update_recommendation(
    uow: UnitOfWork, *, recommendation: Recommendation, data: RecommendationUpdate
) -> Recommendation:
    """Set the owner level and jurisdictions, keeping the pair consistent."""
    level, jurisdictions = ownership(recommendation, data)
    recommendation.owner_level = level
    recommendation.jurisdictions = list(jurisdictions)
    recommendation.updated_at = func.now()  # type: ignore[assignment]
    uow.session.add(recommendation)
    await uow.session.flush()
    await uow.session.refresh(recommendation)
    return recommendation
