"""SQL of reporting exercises: the recommendations each takes, who may see it, who answered."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import ColumnElement, any_, func, insert, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights_recommendations.domain.exercises import InputFact
from localrights_recommendations.models import (
    Exercise,
    ExerciseRecommendation,
    Institution,
    LocalInput,
    Recommendation,
)


async def get_exercise(session: AsyncSession, *, exercise_id: UUID) -> Exercise | None:
    return await session.get(Exercise, exercise_id)


async def recommendation_ids(session: AsyncSession, *, exercise_id: UUID) -> list[UUID]:
    """The ids of the recommendations an exercise takes, in their order."""
    rows = await session.exec(
        select(col(ExerciseRecommendation.recommendation_id))
        .where(col(ExerciseRecommendation.exercise_id) == exercise_id)
        .order_by(col(ExerciseRecommendation.position))
    )
    return list(rows.all())


async def add_recommendations(
    session: AsyncSession, *, exercise_id: UUID, recommendation_ids: Sequence[UUID]
) -> None:
    """Attach recommendations to an exercise, in this order."""
    await session.exec(
        insert(ExerciseRecommendation),
        params=[
            {"exercise_id": exercise_id, "recommendation_id": rid, "position": n}
            for n, rid in enumerate(recommendation_ids)
        ],
    )


async def selected_recommendations(
    session: AsyncSession, *, exercise_id: UUID, limit: int | None = None, offset: int = 0
) -> Sequence[Recommendation]:
    """The recommendations an exercise takes, in their order (a page of them with ``limit``)."""
    statement = (
        select(Recommendation)
        .join(
            ExerciseRecommendation,
            col(ExerciseRecommendation.recommendation_id) == col(Recommendation.id),
        )
        .where(col(ExerciseRecommendation.exercise_id) == exercise_id)
        .order_by(col(ExerciseRecommendation.position))
    )
    if limit is not None:
        statement = statement.limit(limit).offset(offset)
    return (await session.exec(statement)).all()


async def is_selected(session: AsyncSession, *, exercise_id: UUID, recommendation_id: UUID) -> bool:
    """Whether the exercise takes this recommendation."""
    found = await session.get(ExerciseRecommendation, (exercise_id, recommendation_id))
    return found is not None


async def candidate_exercises(
    session: AsyncSession,
    *,
    status: str | None,
    country: str | None,
    everything: bool,
    ministry_institution_id: UUID | None,
    invited_institution_id: UUID | None,
    by_jurisdiction: bool,
) -> Sequence[Exercise]:
    """Exercises newest first: all of them (``everything``), or those run by a ministry, or
    past draft and inviting an institution, or past draft and inviting any jurisdiction
    (candidates: the caller applies the exact jurisdiction rule)."""
    statement = select(Exercise).order_by(col(Exercise.created_at).desc())
    if status:
        statement = statement.where(col(Exercise.status) == status)
    if country:
        statement = statement.where(col(Exercise.country) == country)
    if everything:
        return (await session.exec(statement)).all()
    visible: list[ColumnElement[bool]] = []
    if ministry_institution_id:
        visible.append(col(Exercise.ministry_institution_id) == ministry_institution_id)
    if invited_institution_id:
        visible.append(
            (col(Exercise.status) != "draft")
            & (any_(col(Exercise.invited_institution_ids)) == invited_institution_id)
        )
    if by_jurisdiction:
        visible.append(
            (col(Exercise.status) != "draft")
            & (func.cardinality(col(Exercise.invited_jurisdictions)) > 0)
        )
    if not visible:
        return []
    return (await session.exec(statement.where(or_(*visible)))).all()


async def active_institutions(
    session: AsyncSession, *, ids: set[UUID], jurisdictions: Sequence[str]
) -> Sequence[Institution]:
    """Active institutions with one of these ids or in (or under) one of these jurisdictions."""
    conditions: list[ColumnElement[bool]] = [col(Institution.id).in_(ids)] if ids else []
    for jurisdiction in jurisdictions:
        conditions.append(col(Institution.jurisdiction) == jurisdiction)
        conditions.append(col(Institution.jurisdiction).startswith(f"{jurisdiction}-"))
    if not conditions:
        return []
    return (
        await session.exec(select(Institution).where(or_(*conditions), col(Institution.active)))
    ).all()


async def input_facts(session: AsyncSession, *, exercise_id: UUID) -> list[InputFact]:
    """Who answered which recommendation of an exercise, where, and with what status."""
    rows = await session.exec(
        select(
            col(LocalInput.institution_id),
            col(LocalInput.jurisdiction),
            col(LocalInput.recommendation_id),
            col(LocalInput.status),
        ).where(col(LocalInput.exercise_id) == exercise_id)
    )
    return [InputFact(*row) for row in rows]
