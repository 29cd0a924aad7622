"""Reporting exercises: create, open, close, follow coverage, compile the annex."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.auth import Principal, Role
from localrights.errors import Forbidden, InvalidInput
from localrights.uow import UnitOfWork
from localrights_recommendations import events
from localrights_recommendations.domain import exercises as rules
from localrights_recommendations.exceptions import (
    ExerciseNotFound,
    IllegalTransition,
    NotExerciseOwner,
)
from localrights_recommendations.models import Exercise
from localrights_recommendations.repository import exercises as repository
from localrights_recommendations.repository import recommendations
from localrights_recommendations.schemas import ExerciseCreate, ExerciseRead

MAX_SELECTED = 5000


async def get_exercise_or_raise(*, session: AsyncSession, id: UUID) -> Exercise:
    exercise = await repository.get_exercise(session, exercise_id=id)
    if exercise is None:
        raise ExerciseNotFound()
    return exercise


def can_manage(principal: Principal, exercise: Exercise) -> bool:
    """The exercise's ministry (its officers) and administrators manage it."""
    if principal.is_admin:
        return True
    return (
        principal.has_role(Role.MINISTRY_OFFICER)
        and principal.institution_id is not None
        and principal.institution_id == exercise.ministry_institution_id
    )


def ensure_can_manage(principal: Principal, exercise: Exercise) -> None:
    if not can_manage(principal, exercise):
        raise NotExerciseOwner()


def is_invited(principal: Principal, exercise: Exercise) -> bool:
    return rules.is_invited(
        institution_id=principal.institution_id,
        jurisdiction=principal.jurisdiction,
        invited_institution_ids=exercise.invited_institution_ids,
        invited_jurisdictions=exercise.invited_jurisdictions,
    )


def ensure_can_read(principal: Principal, exercise: Exercise) -> None:
    """Owners always; invited institutions once the exercise is open."""
    if can_manage(principal, exercise):
        return
    if exercise.status != "draft" and is_invited(principal, exercise):
        return
    raise Forbidden("this reporting exercise is not yours and you are not invited to it")


async def recommendation_ids(*, session: AsyncSession, exercise_id: UUID) -> list[UUID]:
    return await repository.recommendation_ids(session, exercise_id=exercise_id)


async def read_model(*, session: AsyncSession, exercise: Exercise) -> ExerciseRead:
    ids = await recommendation_ids(session=session, exercise_id=exercise.id)
    return ExerciseRead.model_validate(
        {
            **exercise.model_dump(),
            "recommendation_ids": ids,
            "recommendation_count": len(ids),
        }
    )


async def _select(*, session: AsyncSession, data: ExerciseCreate) -> list[UUID]:
    chosen: list[UUID] = list(dict.fromkeys(data.recommendation_ids))
    if chosen:
        found = await recommendations.countries_of(session, chosen)
        unknown = [str(i) for i in chosen if i not in found]
        if unknown:
            raise InvalidInput(f"unknown recommendation ids: {', '.join(unknown[:20])}")
        foreign = [str(i) for i in chosen if found[i] != data.country]
        if foreign:
            raise InvalidInput(
                f"recommendations addressed to another country than {data.country}: "
                + ", ".join(foreign[:20])
            )
    if data.filter is not None:
        criteria = data.filter.model_copy(update={"country": data.country})
        matched = await recommendations.matching_ids(
            session, criteria=criteria, limit=MAX_SELECTED + 1
        )
        if len(matched) > MAX_SELECTED:
            raise InvalidInput(f"the filter selects more than {MAX_SELECTED} recommendations")
        chosen += [i for i in matched if i not in set(chosen)]
    if not chosen:
        raise InvalidInput("the selection holds no recommendation")
    if len(chosen) > MAX_SELECTED:
        raise InvalidInput(f"an exercise may hold at most {MAX_SELECTED} recommendations")
    return chosen


async def create_exercise(
    uow: UnitOfWork,
    *,
    principal: Principal,
    data: ExerciseCreate,
    ministry_institution_id: UUID | None,
) -> Exercise:
    """A draft exercise with its selected recommendations and invitees."""
    session = uow.session
    ministry = principal.institution_id or ministry_institution_id
    if ministry is None:
        raise InvalidInput("say which ministry runs the exercise (ministry_institution_id)")
    selected = await _select(session=session, data=data)
    exercise = Exercise(
        ministry_institution_id=ministry,
        created_by=principal.subject,
        report_type=data.report_type,
        country=data.country,
        mechanism=data.mechanism,
        title=data.title,
        description=data.description,
        deadline=data.deadline,
        invited_institution_ids=list(dict.fromkeys(data.invited_institution_ids)),
        invited_jurisdictions=data.invited_jurisdictions,
        selection={
            "recommendation_ids": [str(i) for i in data.recommendation_ids],
            "filter": data.filter.model_dump(exclude_none=True) if data.filter else None,
        },
    )
    session.add(exercise)
    await session.flush()
    await repository.add_recommendations(
        session, exercise_id=exercise.id, recommendation_ids=selected
    )
    await session.refresh(exercise)
    return exercise


async def list_exercises(
    *, session: AsyncSession, principal: Principal, status: str | None, country: str | None
) -> Sequence[Exercise]:
    """Exercises the caller runs, or (for local institutions) is invited to."""
    rows = await repository.candidate_exercises(
        session,
        status=status,
        country=country,
        everything=principal.is_admin,
        ministry_institution_id=(
            principal.institution_id if principal.has_role(Role.MINISTRY_OFFICER) else None
        ),
        invited_institution_id=principal.institution_id,
        by_jurisdiction=bool(principal.jurisdiction),
    )
    if principal.is_admin:
        return rows
    return [e for e in rows if can_manage(principal, e) or is_invited(principal, e)]


async def open_exercise(uow: UnitOfWork, *, exercise: Exercise) -> Exercise:
    """Start taking input; the invited institutions are alerted through exercise.opened."""
    if exercise.status != "draft":
        raise IllegalTransition(exercise.status, "opened")
    exercise.status = "open"
    exercise.opened_at = datetime.now(UTC)
    uow.session.add(exercise)
    ids = await recommendation_ids(session=uow.session, exercise_id=exercise.id)
    uow.emit(events.exercise_opened(exercise, recommendation_count=len(ids)))
    return exercise


async def close_exercise(uow: UnitOfWork, *, exercise: Exercise) -> Exercise:
    """Stop taking input."""
    if exercise.status != "open":
        raise IllegalTransition(exercise.status, "closed")
    exercise.status = "closed"
    exercise.closed_at = datetime.now(UTC)
    uow.session.add(exercise)
    figures = (await coverage(session=uow.session, exercise=exercise)).figures
    uow.emit(
        events.exercise_closed(
            exercise,
            institutions_invited=figures["institutions_invited"],
            institutions_answered=figures["institutions_answered"],
        )
    )
    return exercise


async def exercise_recommendations(
    *, session: AsyncSession, exercise: Exercise
) -> list[dict[str, Any]]:
    """The recommendations an exercise takes, in their order, as plain data."""
    rows = await repository.selected_recommendations(session, exercise_id=exercise.id)
    return [
        r.model_dump(
            mode="json",
            include={
                "id",
                "mechanism",
                "document_symbol",
                "paragraph",
                "text",
                "session",
                "recommending_states",
                "response",
                "themes",
                "sdg_targets",
                "owner_level",
                "jurisdictions",
            },
        )
        for r in rows
    ]


async def known_institutions(
    *, session: AsyncSession, exercise: Exercise, extra: set[UUID]
) -> list[rules.KnownInstitution]:
    rows = await repository.active_institutions(
        session,
        ids=set(exercise.invited_institution_ids) | extra,
        jurisdictions=exercise.invited_jurisdictions,
    )
    return [rules.KnownInstitution(id=i.id, name=i.name, jurisdiction=i.jurisdiction) for i in rows]


async def coverage(*, session: AsyncSession, exercise: Exercise) -> rules.Coverage:
    """Who was invited, who answered which recommendations, and what is missing."""
    recs = await exercise_recommendations(session=session, exercise=exercise)
    facts = await repository.input_facts(session, exercise_id=exercise.id)
    known = await known_institutions(
        session=session, exercise=exercise, extra={f.institution_id for f in facts}
    )
    return rules.coverage(
        recommendations=[{**r, "id": UUID(r["id"])} for r in recs],
        invited_institution_ids=exercise.invited_institution_ids,
        invited_jurisdictions=exercise.invited_jurisdictions,
        known_institutions=known,
        inputs=facts,
    )
