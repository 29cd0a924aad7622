"""Consultations: definition, listing, lifecycle (with its events) and participation codes."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from pydantic import TypeAdapter
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.uow import UnitOfWork
from localrights_consultation import events
from localrights_consultation.domain import codes as code_rules
from localrights_consultation.domain.lifecycle import (
    Status,
    Transition,
    schedule_error,
    transition_error,
    window_error,
)
from localrights_consultation.domain.places import country_of, jurisdiction_error, sdg_target_error
from localrights_consultation.domain.questions import Question, QuestionType, definition_errors
from localrights_consultation.domain.topics import topic_error
from localrights_consultation.exceptions import (
    ConsultationNotFound,
    IllegalTransition,
    InvalidDefinition,
)
from localrights_consultation.models import Consultation
from localrights_consultation.repository import consultations as repository
from localrights_consultation.repository import responses as stored_responses
from localrights_consultation.schemas import ConsultationCreate, ConsultationRead

_QUESTIONS: TypeAdapter[list[QuestionType]] = TypeAdapter(list[Question])


def _now() -> datetime:
    return datetime.now(UTC)


def questions_of(consultation: Consultation) -> list[QuestionType]:
    """The consultation's questions as domain objects."""
    return _QUESTIONS.validate_python(consultation.definition.get("questions", []))


def to_read(consultation: Consultation) -> ConsultationRead:
    """The public view of a consultation."""
    accepting = (
        window_error(
            status=consultation.status,
            opens_at=consultation.opens_at,
            closes_at=consultation.closes_at,
            now=_now(),
        )
        is None
    )
    return ConsultationRead(
        id=consultation.id,
        institution_id=consultation.institution_id,
        country=consultation.country,
        jurisdiction=consultation.jurisdiction,
        municipality=consultation.municipality,
        title=consultation.title,
        description=consultation.description,
        languages=sorted(consultation.title),
        status=consultation.status,
        accepting_responses=accepting,
        participation_mode=consultation.participation_mode,
        opens_at=consultation.opens_at,
        closes_at=consultation.closes_at,
        opened_at=consultation.opened_at,
        closed_at=consultation.closed_at,
        published_at=consultation.published_at,
        recommendation_ids=[UUID(r) for r in consultation.recommendation_ids],
        sdg_targets=consultation.sdg_targets,
        topics=consultation.topics,
        what_happens_next=consultation.what_happens_next,
        exercise_id=consultation.exercise_id,
        questions=questions_of(consultation),
    )


def definition_problems(data: ConsultationCreate) -> list[str]:
    """Every rule a consultation's definition breaks (creation and draft edits alike)."""
    languages = sorted(data.title)
    problems = definition_errors(data.questions, languages)
    for where, text in (("description", data.description),):
        if text and sorted(text) != languages:
            problems.append(f"{where}: must have the same languages as the title ({languages})")
    for error in (
        jurisdiction_error(data.jurisdiction),
        schedule_error(opens_at=data.opens_at, closes_at=data.closes_at),
        *(sdg_target_error(t) for t in data.sdg_targets),
        *(topic_error(t) for t in data.topics),
    ):
        if error:
            problems.append(error)
    if data.country is not None and data.country != country_of(data.jurisdiction):
        problems.append(f"country: {data.country} is not the country of {data.jurisdiction}")
    return problems


async def create_consultation(
    uow: UnitOfWork, *, institution_id: UUID, data: ConsultationCreate
) -> Consultation:
    """Create a draft after checking every rule of its definition (422 naming each)."""
    problems = definition_problems(data)
    if problems:
        raise InvalidDefinition(problems)
    consultation = Consultation(
        institution_id=institution_id,
        country=country_of(data.jurisdiction),
        jurisdiction=data.jurisdiction,
        municipality=data.municipality,
        title=data.title,
        description=data.description,
        participation_mode=data.participation_mode,
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        definition={"questions": [q.model_dump(mode="json") for q in data.questions]},
        recommendation_ids=[str(r) for r in dict.fromkeys(data.recommendation_ids)],
        sdg_targets=list(dict.fromkeys(data.sdg_targets)),
        topics=list(dict.fromkeys(data.topics)),
        exercise_id=data.exercise_id,
    )
    uow.session.add(consultation)
    return consultation


async def get_consultation_or_raise(*, session: AsyncSession, id: UUID) -> Consultation:
    consultation = await repository.get_consultation(session, consultation_id=id)
    if consultation is None:
        raise ConsultationNotFound()
    return consultation


async def lock_for(
    session: AsyncSession, consultation: Consultation, transition: Transition
) -> None:
    """Lock the row and re-read its status, then refuse an illegal transition with 409."""
    await session.refresh(consultation, with_for_update=True)
    error = transition_error(consultation.status, transition)
    if error:
        raise IllegalTransition(error)


async def open_consultation(uow: UnitOfWork, *, consultation: Consultation) -> Consultation:
    """draft -> open; emits consultation.opened."""
    await lock_for(uow.session, consultation, Transition.OPEN)
    now = _now()
    if consultation.closes_at <= now:
        raise IllegalTransition(
            f"this consultation's closing time {consultation.closes_at.isoformat()} has passed"
        )
    consultation.status = Status.OPEN
    consultation.opened_at = now
    uow.session.add(consultation)
    uow.emit(events.consultation_opened(consultation))
    return consultation


async def _closed(
    uow: UnitOfWork,
    *,
    consultation_id: UUID,
    institution_id: UUID,
    closed_at: datetime,
    scheduled: bool,
) -> None:
    """Its quotas go (no more answers to count against them); consultation.closed is emitted."""
    count = await stored_responses.count_responses(uow.session, consultation_id=consultation_id)
    await stored_responses.delete_quotas(uow.session, consultation_id=consultation_id)
    uow.emit(
        events.consultation_closed(
            consultation_id=consultation_id,
            institution_id=institution_id,
            closed_at=closed_at,
            response_count=count,
            scheduled=scheduled,
        )
    )


async def close_consultation(uow: UnitOfWork, *, consultation: Consultation) -> Consultation:
    """open -> closed by its owner before its closing time; emits consultation.closed."""
    await lock_for(uow.session, consultation, Transition.CLOSE)
    consultation.status = Status.CLOSED
    consultation.closed_at = _now()
    uow.session.add(consultation)
    await _closed(
        uow,
        consultation_id=consultation.id,
        institution_id=consultation.institution_id,
        closed_at=consultation.closed_at,
        scheduled=False,
    )
    return consultation


async def close_due_consultations(uow: UnitOfWork, *, limit: int = 100) -> list[UUID]:
    """Close every open consultation whose closing time has come; each emits one event."""
    rows = await repository.close_due(uow.session, limit=limit)
    for row in rows:
        await _closed(
            uow,
            consultation_id=row.id,
            institution_id=row.institution_id,
            closed_at=row.closed_at,
            scheduled=True,
        )
    return [row.id for row in rows]


async def issue_codes(uow: UnitOfWork, *, consultation: Consultation, count: int) -> list[str]:
    """Make ``count`` one-time codes; only their hashes are stored, so this is the only view."""
    if consultation.participation_mode != "code":
        raise IllegalTransition("this consultation is open to everyone; it takes no codes")
    if consultation.status not in (Status.DRAFT, Status.OPEN):
        raise IllegalTransition(f"a {consultation.status} consultation takes no new codes")
    codes = list({code_rules.new_code() for _ in range(count)})
    while len(codes) < count:  # 60-bit codes practically never collide; still, be exact
        codes = list(set(codes) | {code_rules.new_code()})
    await repository.insert_codes(
        uow.session,
        consultation_id=consultation.id,
        hashes=[code_rules.code_hash(consultation.id, c) for c in codes],
    )
    return codes
