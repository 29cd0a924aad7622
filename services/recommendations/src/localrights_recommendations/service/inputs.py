"""Local input on an exercise's recommendations: submit (a new version each time), read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.auth import Principal
from localrights.errors import Conflict, InvalidInput
from localrights.uow import UnitOfWork
from localrights_recommendations import events
from localrights_recommendations.exceptions import ExerciseNotOpen, InputNotFound, NotInvited
from localrights_recommendations.models import (
    ConsultationResult,
    Exercise,
    LocalInput,
    LocalInputVersion,
)
from localrights_recommendations.repository import exercises
from localrights_recommendations.repository import inputs as repository
from localrights_recommendations.schemas import (
    ConsultationResultsRead,
    LocalInputCreate,
    LocalInputRead,
    LocalInputVersionRead,
)
from localrights_recommendations.service.exercises import can_manage, is_invited

CONTENT_FIELDS = (
    "status",
    "measures_taken",
    "indicators",
    "good_practice",
    "challenges",
    "evidence_links",
    "consultation_id",
    "as_of",
)


def _results(result: ConsultationResult | None) -> ConsultationResultsRead | None:
    if result is None:
        return None
    return ConsultationResultsRead.model_validate(result, from_attributes=True)


def _read(item: LocalInput, result: ConsultationResult | None) -> LocalInputRead:
    return LocalInputRead.model_validate(
        {**item.model_dump(), "consultation_results": _results(result)}
    )


async def _consultation(
    session: AsyncSession, consultation_id: UUID | None
) -> ConsultationResult | None:
    if consultation_id is None:
        return None
    return await repository.consultation_result(session, consultation_id=consultation_id)


async def submit_input(
    uow: UnitOfWork, *, principal: Principal, exercise: Exercise, data: LocalInputCreate
) -> tuple[LocalInputRead, bool]:
    """Record an invited institution's input; returns it and whether it is the first version."""
    session = uow.session
    if principal.institution_id is None or not is_invited(principal, exercise):
        raise NotInvited()
    if exercise.status != "open":
        raise ExerciseNotOpen(exercise.status)
    if not await exercises.is_selected(
        session, exercise_id=exercise.id, recommendation_id=data.recommendation_id
    ):
        raise InvalidInput("this recommendation is not part of the exercise")
    content = data.model_dump(mode="json", include=set(CONTENT_FIELDS))
    now = datetime.now(UTC)
    existing = await repository.locked_input(
        session,
        exercise_id=exercise.id,
        recommendation_id=data.recommendation_id,
        institution_id=principal.institution_id,
    )
    first = existing is None
    item = existing or LocalInput(
        exercise_id=exercise.id,
        recommendation_id=data.recommendation_id,
        institution_id=principal.institution_id,
        status=data.status,
        submitted_by=principal.subject,
        submitted_at=now,
        version=0,
    )
    item.jurisdiction = principal.jurisdiction
    item.status = data.status
    item.measures_taken = data.measures_taken
    item.indicators = content["indicators"]
    item.good_practice = data.good_practice
    item.challenges = data.challenges
    item.evidence_links = content["evidence_links"]
    item.consultation_id = data.consultation_id
    item.version += 1
    item.submitted_by = principal.subject
    item.submitted_at = now
    session.add(item)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict("this input was submitted concurrently; send it again") from None
    session.add(
        LocalInputVersion(
            input_id=item.id,
            version=item.version,
            content=content,
            submitted_by=principal.subject,
            submitted_at=now,
        )
    )
    uow.emit(events.input_submitted(item))
    return _read(item, await _consultation(session, item.consultation_id)), first


async def list_inputs(
    *,
    session: AsyncSession,
    principal: Principal,
    exercise: Exercise,
    recommendation_id: UUID | None,
) -> list[LocalInputRead]:
    """All inputs for the exercise's ministry; an institution sees only its own."""
    rows = await repository.inputs_with_results(
        session,
        exercise_id=exercise.id,
        institution_id=None if can_manage(principal, exercise) else principal.institution_id,
        recommendation_id=recommendation_id,
    )
    return [_read(item, result) for item, result in rows]


async def input_versions(
    *, session: AsyncSession, principal: Principal, exercise: Exercise, input_id: UUID
) -> list[LocalInputVersionRead]:
    """Every version of one input, oldest first."""
    item = await repository.get_input(session, input_id=input_id)
    if item is None or item.exercise_id != exercise.id:
        raise InputNotFound()
    if not can_manage(principal, exercise) and item.institution_id != principal.institution_id:
        raise InputNotFound()
    rows = await repository.versions(session, input_id=input_id)
    return [LocalInputVersionRead.model_validate(v, from_attributes=True) for v in rows]


async def input_rows(*, session: AsyncSession, exercise_id: UUID) -> list[dict[str, Any]]:
    """Every current input of an exercise as plain data, consultation results attached."""
    # Each consultation's results are read once however many inputs name it.
    rows = await repository.current_rows(session, exercise_id=exercise_id)
    named = {row["consultation_id"] for row in rows if row["consultation_id"] is not None}
    results: dict[UUID, ConsultationResultsRead | None] = {}
    if named:
        found = await repository.consultation_results(session, named)
        results = {r.consultation_id: _results(r) for r in found}
    return [
        LocalInputRead.model_validate(
            {**row, "consultation_results": results.get(row["consultation_id"])}
        ).model_dump(mode="json")
        for row in rows
    ]
