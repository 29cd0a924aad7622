"""Routes for reporting exercises, local input, coverage and the compiled annex."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from localrights.auth import CurrentPrincipal
from localrights.db import SessionDep
from localrights.errors import problem_responses
from localrights.uow import UnitOfWorkDep
from localrights_recommendations.deps import (
    InstitutionOrMinistryOfficer,
    MinistryOfficer,
    OwnedExercise,
    ValidExercise,
)
from localrights_recommendations.domain import rendering
from localrights_recommendations.domain.filenames import content_disposition
from localrights_recommendations.schemas import (
    ExerciseCreate,
    ExerciseRead,
    LocalInputCreate,
    LocalInputRead,
    LocalInputVersionRead,
)
from localrights_recommendations.service import compilation, exercises, inputs

router = APIRouter(prefix="/exercises", tags=["exercises"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ExerciseRead,
    responses=problem_responses(401, 403, 422),
)
async def create_exercise(
    data: ExerciseCreate,
    uow: UnitOfWorkDep,
    principal: MinistryOfficer,
    ministry_institution_id: Annotated[UUID | None, Query()] = None,
) -> ExerciseRead:
    """Create a draft reporting exercise run by the caller's ministry."""
    async with uow:
        exercise = await exercises.create_exercise(
            uow,
            principal=principal,
            data=data,
            # Only an administrator without an institution names the ministry explicitly.
            ministry_institution_id=ministry_institution_id if principal.is_admin else None,
        )
    return await exercises.read_model(session=uow.session, exercise=exercise)


@router.get(
    "",
    status_code=status.HTTP_200_OK,
    response_model=list[ExerciseRead],
    responses=problem_responses(401),
)
async def list_exercises(
    session: SessionDep,
    principal: CurrentPrincipal,
    status_filter: Annotated[
        Literal["draft", "open", "closed"] | None, Query(alias="status")
    ] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
) -> list[ExerciseRead]:
    """Exercises the caller's ministry runs, or that the caller's institution is invited to."""
    found = await exercises.list_exercises(
        session=session, principal=principal, status=status_filter, country=country
    )
    return [await exercises.read_model(session=session, exercise=e) for e in found]


@router.get(
    "/{exercise_id}",
    status_code=status.HTTP_200_OK,
    response_model=ExerciseRead,
    responses=problem_responses(401, 403, 404),
)
async def get_exercise(
    principal: CurrentPrincipal, exercise: ValidExercise, session: SessionDep
) -> ExerciseRead:
    """One exercise (its ministry, administrators, and invited institutions once open)."""
    exercises.ensure_can_read(principal, exercise)
    return await exercises.read_model(session=session, exercise=exercise)


@router.post(
    "/{exercise_id}/open",
    status_code=status.HTTP_200_OK,
    response_model=ExerciseRead,
    responses=problem_responses(401, 403, 404, 409),
)
async def open_exercise(exercise: OwnedExercise, uow: UnitOfWorkDep) -> ExerciseRead:
    """Open the exercise; the invited institutions are alerted (exercise.opened)."""
    async with uow:
        await exercises.open_exercise(uow, exercise=exercise)
    return await exercises.read_model(session=uow.session, exercise=exercise)


@router.post(
    "/{exercise_id}/close",
    status_code=status.HTTP_200_OK,
    response_model=ExerciseRead,
    responses=problem_responses(401, 403, 404, 409),
)
async def close_exercise(exercise: OwnedExercise, uow: UnitOfWorkDep) -> ExerciseRead:
    """Close the exercise: no more input is accepted."""
    async with uow:
        await exercises.close_exercise(uow, exercise=exercise)
    return await exercises.read_model(session=uow.session, exercise=exercise)


@router.post(
    "/{exercise_id}/inputs",
    status_code=status.HTTP_201_CREATED,
    response_model=LocalInputRead,
    responses={
        **problem_responses(401, 403, 404, 409, 422),
        200: {"model": LocalInputRead, "description": "A new version of an existing input"},
    },
)
async def submit_input(
    principal: InstitutionOrMinistryOfficer,
    exercise: ValidExercise,
    data: LocalInputCreate,
    uow: UnitOfWorkDep,
    response: Response,
) -> LocalInputRead:
    """Submit (or revise) the caller's institution's input on one recommendation."""
    async with uow:
        item, first = await inputs.submit_input(
            uow, principal=principal, exercise=exercise, data=data
        )
    if not first:
        response.status_code = status.HTTP_200_OK
    return item


@router.get(
    "/{exercise_id}/inputs",
    status_code=status.HTTP_200_OK,
    response_model=list[LocalInputRead],
    responses=problem_responses(401, 403, 404),
)
async def list_inputs(
    principal: CurrentPrincipal,
    exercise: ValidExercise,
    session: SessionDep,
    recommendation_id: UUID | None = None,
) -> list[LocalInputRead]:
    """Inputs on the exercise: all for its ministry, one's own for an institution."""
    exercises.ensure_can_read(principal, exercise)
    return await inputs.list_inputs(
        session=session, principal=principal, exercise=exercise, recommendation_id=recommendation_id
    )


@router.get(
    "/{exercise_id}/inputs/{input_id}/versions",
    status_code=status.HTTP_200_OK,
    response_model=list[LocalInputVersionRead],
    responses=problem_responses(401, 403, 404),
)
async def input_versions(
    principal: CurrentPrincipal, exercise: ValidExercise, input_id: UUID, session: SessionDep
) -> list[LocalInputVersionRead]:
    """Every version of one input, oldest first."""
    exercises.ensure_can_read(principal, exercise)
    return await inputs.input_versions(
        session=session, principal=principal, exercise=exercise, input_id=input_id
    )


@router.get(
    "/{exercise_id}/coverage",
    status_code=status.HTTP_200_OK,
    responses=problem_responses(401, 403, 404),
)
async def exercise_coverage(exercise: OwnedExercise, session: SessionDep) -> dict[str, Any]:
    """Who was invited, who answered which recommendations, what is missing, with figures."""
    result = await exercises.coverage(session=session, exercise=exercise)
    return {"exercise_id": str(exercise.id), "status": exercise.status, **result.as_dict()}


_MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


@router.get(
    "/{exercise_id}/compilation",
    status_code=status.HTTP_200_OK,
    responses={
        **problem_responses(401, 403, 404, 422),
        200: {
            "description": "The annex in the requested format",
            "content": {media: {} for media in _MEDIA_TYPES.values()},
        },
    },
)
async def exercise_compilation(
    exercise: OwnedExercise,
    session: SessionDep,
    format: Literal["json", "csv", "md", "html"] = "json",
) -> Response:
    """The annex for the national report: per recommendation, then per jurisdiction."""
    annex = await compilation.compilation(session=session, exercise=exercise)
    if format == "json":
        body = json.dumps(annex, ensure_ascii=False)
    elif format == "csv":
        body = rendering.to_csv(annex)
    elif format == "md":
        body = rendering.to_markdown(annex)
    else:
        body = rendering.to_html(annex)
    disposition = "attachment" if format == "csv" else "inline"
    headers = {
        "content-disposition": content_disposition(
            disposition, rendering.annex_filename(annex["exercise"], format)
        )
    }
    return Response(body, media_type=_MEDIA_TYPES[format], headers=headers)
