"""Publishing a consultation's results: computed once, kept, and served from what was kept.

A published consultation takes no more responses, so its results cannot change. They are
computed when it is published (everyone together and every demographic breakdown, small
groups suppressed) and stored in ``published_results``; the public page and downloads read
that row, so a consultation with a million responses costs them what one with a hundred does.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.uow import UnitOfWork
from localrights_consultation import events
from localrights_consultation.domain.lifecycle import Status, Transition
from localrights_consultation.domain.results import EVERYONE
from localrights_consultation.exceptions import InvalidDefinition
from localrights_consultation.models import Consultation, PublishedResults
from localrights_consultation.repository import results as repository
from localrights_consultation.schemas import ConsultationPublish, ResultsRead
from localrights_consultation.service.consultations import lock_for, questions_of
from localrights_consultation.service.results import breakdown_question, compute_results

MAX_NEXT_STEPS_LENGTH = 4000


def _next_steps_problems(consultation: Consultation, data: ConsultationPublish) -> list[str]:
    problems = []
    for language, text in data.what_happens_next.items():
        where = f"what_happens_next.{language}"
        if language not in consultation.title:
            offered = ", ".join(sorted(consultation.title))
            problems.append(f"{where}: the consultation is not in this language ({offered})")
        elif not text.strip():
            problems.append(f"{where}: write the text, or leave this language out")
        elif len(text) > MAX_NEXT_STEPS_LENGTH:
            problems.append(f"{where}: at most {MAX_NEXT_STEPS_LENGTH} characters")
    return problems


async def publish_consultation(
    uow: UnitOfWork,
    *,
    consultation: Consultation,
    threshold: int,
    data: ConsultationPublish | None = None,
) -> Consultation:
    """closed -> published: results computed and kept; emits consultation.results_published."""
    data = data or ConsultationPublish()
    problems = _next_steps_problems(consultation, data)
    if problems:
        raise InvalidDefinition(problems)
    session = uow.session
    await lock_for(session, consultation, Transition.PUBLISH)
    consultation.status = Status.PUBLISHED
    consultation.published_at = datetime.now(UTC)
    consultation.what_happens_next = {k: v.strip() for k, v in data.what_happens_next.items()}
    session.add(consultation)
    overall = await compute_results(session=session, consultation=consultation, threshold=threshold)
    snapshots = {EVERYONE: overall}
    for question in questions_of(consultation):
        if question.demographic:
            snapshots[question.id] = await compute_results(
                session=session, consultation=consultation, threshold=threshold, by=question.id
            )
    for breakdown, results in snapshots.items():
        session.add(
            PublishedResults(
                consultation_id=consultation.id,
                breakdown=breakdown,
                results=results.model_dump(mode="json"),
            )
        )
    uow.emit(events.results_published(consultation, snapshots=snapshots, threshold=threshold))
    return consultation


async def results_for(
    *, session: AsyncSession, consultation: Consultation, threshold: int, by: str | None = None
) -> ResultsRead:
    """The results to show: as published when they are, else computed now (the owner's)."""
    if consultation.status == Status.PUBLISHED:
        if by is not None:
            breakdown_question(questions_of(consultation), by)  # 422 for a wrong ``by``
        kept = await repository.kept_results(
            session, consultation_id=consultation.id, breakdown=by or EVERYONE
        )
        if kept is not None:
            return ResultsRead.model_validate(kept.results)
        # Published before results were kept (migration 0005): no response can have come
        # in since closing, so tallying them now gives the same figures.
    return await compute_results(
        session=session, consultation=consultation, threshold=threshold, by=by
    )


async def all_results_for(
    *, session: AsyncSession, consultation: Consultation, threshold: int
) -> dict[str, ResultsRead]:
    """Everyone together (key ``""``) and every demographic breakdown, as ``results_for``."""
    wanted = [EVERYONE] + [q.id for q in questions_of(consultation) if q.demographic]
    found: dict[str, ResultsRead] = {}
    if consultation.status == Status.PUBLISHED:
        rows = await repository.all_kept_results(session, consultation_id=consultation.id)
        found = {row.breakdown: ResultsRead.model_validate(row.results) for row in rows}
    for breakdown in wanted:
        if breakdown not in found:
            found[breakdown] = await compute_results(
                session=session,
                consultation=consultation,
                threshold=threshold,
                by=breakdown or None,
            )
    return {breakdown: found[breakdown] for breakdown in wanted}
