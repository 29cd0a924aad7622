"""The recommendations an exercise selected, in the order its annex lists them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from localrights_recommendations.models import Exercise, Recommendation
from localrights_recommendations.repository import exercises as repository


async def selected_recommendations(
    *, session: AsyncSession, exercise: Exercise, limit: int, offset: int
) -> Sequence[Recommendation]:
    return await repository.selected_recommendations(
        session, exercise_id=exercise.id, limit=limit, offset=offset
    )
