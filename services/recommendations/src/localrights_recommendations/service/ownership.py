"""Saying which level of government owns many recommendations at once."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import func
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.errors import InvalidInput
from localrights.uow import UnitOfWork
from localrights_recommendations.repository import recommendations as repository
from localrights_recommendations.schemas import RecommendationUpdate
from localrights_recommendations.service import SOURCE
from localrights_recommendations.service.recommendations import ownership


async def set_owner_of_many(
    *, session: AsyncSession, ids: Sequence[UUID], change: RecommendationUpdate
) -> int:
    """Apply one owner level and jurisdictions to every recommendation named, or to none.

    Each is checked as a single change would be (the jurisdictions must lie in its country);
    the first that cannot take the change refuses the whole request, naming it.
    """
    wanted = list(dict.fromkeys(ids))
    async with UnitOfWork(session, source=SOURCE):
        found = await repository.by_ids(session, wanted)
        unknown = sorted(set(wanted) - {r.id for r in found}, key=str)
        if unknown:
            raise InvalidInput(
                f"ids: unknown recommendations {', '.join(map(str, unknown[:20]))}",
                errors=[{"location": "ids", "message": f"unknown: {len(unknown)}"}],
            )
        for recommendation in found:
            try:
                level, jurisdictions = ownership(recommendation, change)
            except InvalidInput as exc:
                where = recommendation.paragraph or recommendation.id
                raise InvalidInput(
                    f"recommendation {where} ({recommendation.country}): {exc.message}",
                    errors=exc.errors,
                ) from None
            recommendation.owner_level = level
            recommendation.jurisdictions = jurisdictions
            recommendation.updated_at = func.now()  # type: ignore[assignment]
            session.add(recommendation)
    return len(found)
