"""Reporting exercises: create, open, close, follow coverage, compile the annex."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, any_, func, insert, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.auth import Principal, Role
from localrights.errors import Forbidden, InvalidInput
from localrights.events.catalog.exercises import ExerciseClosed, ExerciseOpened
from localrights.uow import UnitOfWork
from localrights_recommendations.domain import exercises as rules
from localrights_recommendations.exceptions import (
    ExerciseNotFound,
    IllegalTransition,
    NotExerciseOwner,
)
from localrights_recommendations.models import (
    Exercise,
    ExerciseRecommendation,
    Institution,
    LocalInput,
    Recommendation,
)
from localrights_recommendations.schemas import ExerciseCreate, ExerciseRead
from localrights_recommendations.service.recommendations import filtered_ids

MAX_SELECTED = 5000


async def get_exercise_or_raise(*, session: AsyncSession, id: UUID) -> Exercise:
    exercise = await session.get(Exercise, id)
    if exercise is None:
        raise ExerciseNotFound()
    return exercise


def is_owner(principal: Principal, exercise: Exercise) -> bool:
    """The exercise's ministry (its officers) and administrators manage it."""
    if principal.is_admin:
        return True
    return (
        principal.has_role(Role.MINISTRY_OFFICER)
        and principal.institution_id is not None
        and principal.institution_id == exercise.ministry_institution_id
    )


def ensure_owner(principal: Principal, exercise: Exercise) -> None:
    if not is_owner(principal, exercise):
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
    if is_owner(principal, exercise):
        return
    if exercise.status != "draft" and is_invited(principal, exercise):
        return
    raise Forbidden("this reporting exercise is not yours and you are not invited to it")


async def recommendation_ids(*, session: AsyncSession, exercise_id: UUID) -> list[UUID]:
    rows = await session.exec(
        select(col(ExerciseRecommendation.recommendation_id))
        .where(col(ExerciseRecommendation.exercise_id) == exercise_id)
        .order_by(col(ExerciseRecommendation.position))
    )
    return list(rows.all())


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
        rows = await session.exec(
            select(col(Recommendation.id), col(Recommendation.country)).where(
                col(Recommendation.id).in_(chosen)
            )
        )
        found = dict(rows.all())
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
        matched = list((await session.exec(filtered_ids(criteria).limit(MAX_SELECTED + 1))).all())
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
    await session.exec(
        insert(ExerciseRecommendation),
        params=[
            {"exercise_id": exercise.id, "recommendation_id": rid, "position": n}
            for n, rid in enumerate(selected)
        ],
    )
    await session.refresh(exercise)
    return exercise


async def list_exercises(
    *, session: AsyncSession, principal: Principal, status: str | None, country: str | None
) -> Sequence[Exercise]:
    """Exercises the caller runs, or (for local institutions) is invited to."""
    statement = select(Exercise).order_by(col(Exercise.created_at).desc())
    if status:
        statement = statement.where(col(Exercise.status) == status)
    if country:
        statement = statement.where(col(Exercise.country) == country)
    if principal.is_admin:
        return (await session.exec(statement)).all()
    visible = []
    if principal.has_role(Role.MINISTRY_OFFICER) and principal.institution_id:
        visible.append(col(Exercise.ministry_institution_id) == principal.institution_id)
    if principal.institution_id:
        visible.append(
            (col(Exercise.status) != "draft")
            & (any_(col(Exercise.invited_institution_ids)) == principal.institution_id)
        )
    if principal.jurisdiction:
        # Candidates by country; the exact jurisdiction rule is applied below.
        visible.append(
            (col(Exercise.status) != "draft")
            & (func.cardinality(col(Exercise.invited_jurisdictions)) > 0)
        )
    if not visible:
        return []
    rows = (await session.exec(statement.where(or_(*visible)))).all()
    return [e for e in rows if is_owner(principal, e) or is_invited(principal, e)]


async def open_exercise(uow: UnitOfWork, *, exercise: Exercise) -> Exercise:
    """Start taking input; the invited institutions are alerted through exercise.opened."""
    if exercise.status != "draft":
        raise IllegalTransition(exercise.status, "opened")
    exercise.status = "open"
    exercise.opened_at = datetime.now(UTC)
    uow.session.add(exercise)
    ids = await recommendation_ids(session=uow.session, exercise_id=exercise.id)
    assert exercise.ministry_institution_id is not None
    uow.emit(
        ExerciseOpened(
            exercise_id=exercise.id,
            ministry_institution_id=exercise.ministry_institution_id,
            title=exercise.title,
            report_type=exercise.report_type,
            country=exercise.country,
            mechanism=exercise.mechanism,
            deadline=exercise.deadline,
            invited_institution_ids=exercise.invited_institution_ids,
            invited_jurisdictions=exercise.invited_jurisdictions,
            recommendation_count=len(ids),
            opened_at=exercise.opened_at,
        )
    )
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
        ExerciseClosed(
            exercise_id=exercise.id,
            closed_at=exercise.closed_at,
            institutions_invited=figures["institutions_invited"],
            institutions_answered=figures["institutions_answered"],
        )
    )
    return exercise


async def exercise_recommendations(
    *, session: AsyncSession, exercise: Exercise
) -> list[dict[str, Any]]:
    """The recommendations an exercise takes, in their order, as plain data."""
    rows = await session.exec(
        select(Recommendation)
        .join(
            ExerciseRecommendation,
            col(ExerciseRecommendation.recommendation_id) == col(Recommendation.id),
        )
        .where(col(ExerciseRecommendation.exercise_id) == exercise.id)
        .order_by(col(ExerciseRecommendation.position))
    )
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
    ids = set(exercise.invited_institution_ids) | extra
    conditions: list[ColumnElement[bool]] = [col(Institution.id).in_(ids)] if ids else []
    for jurisdiction in exercise.invited_jurisdictions:
        conditions.append(col(Institution.jurisdiction) == jurisdiction)
        conditions.append(col(Institution.jurisdiction).startswith(f"{jurisdiction}-"))
    if not conditions:
        return []
    rows = await session.exec(select(Institution).where(or_(*conditions), col(Institution.active)))
    return [rules.KnownInstitution(id=i.id, name=i.name, jurisdiction=i.jurisdiction) for i in rows]


async def coverage(*, session: AsyncSession, exercise: Exercise) -> rules.Coverage:
    """Who was invited, who answered which recommendations, and what is missing."""
    recs = await exercise_recommendations(session=session, exercise=exercise)
    rows = await session.exec(
        select(
            col(LocalInput.institution_id),
            col(LocalInput.jurisdiction),
            col(LocalInput.recommendation_id),
            col(LocalInput.status),
        ).where(col(LocalInput.exercise_id) == exercise.id)
    )
    facts = [rules.InputFact(*row) for row in rows]
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
