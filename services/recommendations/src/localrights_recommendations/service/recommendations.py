"""Finding recommendations and saying which level of government owns them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Text, cast, desc, func, literal_column
from sqlalchemy.dialects.postgresql import ARRAY, array
from sqlalchemy.orm import Mapped
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from localrights.errors import InvalidInput
from localrights.uow import UnitOfWork
from localrights_recommendations.domain.countries import is_jurisdiction_of
from localrights_recommendations.exceptions import RecommendationNotFound
from localrights_recommendations.models import Recommendation
from localrights_recommendations.schemas import RecommendationFilter, RecommendationUpdate

_SEARCH: ColumnElement[Any] = literal_column("recommendations.search")


def _query(criteria: RecommendationFilter) -> tuple[list[ColumnElement[bool]], Any | None]:
    """WHERE clauses of a filter, and the full-text query (for ranking) when there is one."""
    where: list[ColumnElement[bool]] = []
    tsquery = None
    if criteria.q and criteria.q.strip():
        tsquery = func.websearch_to_tsquery("english", criteria.q)
        where.append(_SEARCH.op("@@")(tsquery))
    if criteria.country:
        where.append(col(Recommendation.country) == criteria.country)
    if criteria.mechanism:
        where.append(func.lower(col(Recommendation.mechanism)) == criteria.mechanism.lower())
    if criteria.mechanism_type:
        where.append(col(Recommendation.mechanism_type) == criteria.mechanism_type)
    if criteria.owner_level:
        where.append(col(Recommendation.owner_level) == criteria.owner_level)
    if criteria.response:
        where.append(col(Recommendation.response) == criteria.response)
    if criteria.session:
        where.append(col(Recommendation.session) == criteria.session)
    if criteria.cycle:
        where.append(col(Recommendation.cycle) == criteria.cycle)
    if criteria.sdg_goal:
        # Targets are "11.1", "16.b": any of the goal's targets starts with "<goal>.".
        where.append(
            func.array_to_string(col(Recommendation.sdg_targets), " ").op("~")(
                rf"(^| ){criteria.sdg_goal}\."
            )
        )
    # Array containment (@>) uses the GIN indexes on the array columns.
    for column, value in (
        (Recommendation.themes, criteria.theme),
        (Recommendation.affected_groups, criteria.affected_group),
        (Recommendation.sdg_targets, criteria.sdg_target),
        (Recommendation.jurisdictions, criteria.jurisdiction),
        (Recommendation.recommending_states, criteria.recommending_state),
    ):
        if value:
            where.append(col(column).contains(cast(array([value]), ARRAY(Text))))
    return where, tsquery


def _best_first(tsquery: Any | None) -> list[ColumnElement[Any] | Mapped[Any]]:
    """Best match first, or newest first when there is no text to rank by."""
    if tsquery is not None:
        return [desc(func.ts_rank(_SEARCH, tsquery)), col(Recommendation.id)]
    return [
        col(Recommendation.date).desc().nulls_last(),
        col(Recommendation.country),
        col(Recommendation.id),
    ]


def filtered(criteria: RecommendationFilter) -> SelectOfScalar[Recommendation]:
    """Recommendations matching a filter, best match first (or newest, without text)."""
    where, tsquery = _query(criteria)
    return select(Recommendation).where(*where).order_by(*_best_first(tsquery))


def filtered_ids(criteria: RecommendationFilter) -> SelectOfScalar[UUID]:
    """The ids of the recommendations ``filtered`` finds, in the same order."""
    where, tsquery = _query(criteria)
    return select(col(Recommendation.id)).where(*where).order_by(*_best_first(tsquery))


async def search_recommendations(
    *, session: AsyncSession, criteria: RecommendationFilter, page: int, page_size: int
) -> tuple[Sequence[Recommendation], int]:
    """One page of matching recommendations and the number of all matches."""
    where, _ = _query(criteria)
    total = (
        await session.exec(select(func.count()).select_from(Recommendation).where(*where))
    ).one()
    rows = await session.exec(filtered(criteria).offset((page - 1) * page_size).limit(page_size))
    return rows.all(), int(total)


async def get_recommendation_or_raise(*, session: AsyncSession, id: UUID) -> Recommendation:
    recommendation = await session.get(Recommendation, id)
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
