"""An exercise's recommendations as a list, and reminders to those who have not answered."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, status

from localrights.auth import CurrentPrincipal
from localrights.db import SessionDep
from localrights.errors import problem_responses
from localrights_recommendations.deps import OwnedExercise, ValidExercise
from localrights_recommendations.schemas import RecommendationRead
from localrights_recommendations.schemas_backoffice import ReminderCreate, ReminderRead
from localrights_recommendations.service import exercise_reading, exercise_reminders, exercises

router = APIRouter(prefix="/exercises", tags=["exercises"])


@router.get(
    "/{exercise_id}/recommendations",
    status_code=status.HTTP_200_OK,
    response_model=list[RecommendationRead],
    responses=problem_responses(401, 403, 404),
)
async def exercise_recommendations(
    principal: CurrentPrincipal,
    exercise: ValidExercise,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[RecommendationRead]:
    """The recommendations the exercise selected, in its order (those who may read it)."""
    exercises.ensure_can_read(principal, exercise)
    found = await exercise_reading.selected_recommendations(
        session=session, exercise=exercise, limit=limit, offset=offset
    )
    return [RecommendationRead.model_validate(r, from_attributes=True) for r in found]


@router.post(
    "/{exercise_id}/reminders",
    status_code=status.HTTP_200_OK,
    response_model=ReminderRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def remind_institutions(
    exercise: OwnedExercise,
    session: SessionDep,
    data: Annotated[ReminderCreate | None, Body()] = None,
) -> ReminderRead:
    """Remind the invited institutions that have not answered every recommendation yet."""
    return await exercise_reminders.remind(
        session=session,
        exercise=exercise,
        institution_ids=data.institution_ids if data else None,
    )
