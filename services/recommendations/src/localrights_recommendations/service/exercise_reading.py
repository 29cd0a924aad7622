"""The recommendations an exercise selected, in the order its annex lists them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights_recommendations.models import Exercise, ExerciseRecommendation, Recommendation


async def selected_recommendations(
    *, session: AsyncSession, exercise: Exercise, limit: int, offset: int
) -> Sequence[Recommendation]:
    rows = await session.exec(
        select(Recommendation)
        .join(
            ExerciseRecommendation,
            col(ExerciseRecommendation.recommendation_id) == col(Recommendation.id),
        )
        .where(col(ExerciseRecommendation.exercise_id) == exercise.id)
        .order_by(col(ExerciseRecommendation.position))
        .limit(limit)
        .offset(offset)
    )
    return rows.all()
