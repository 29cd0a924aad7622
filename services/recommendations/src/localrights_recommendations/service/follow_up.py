"""Implementation status over time: reported by a place's institution, reviewed by its ministry.

Every use case runs in a unit of work: it writes through ``uow.session``, announces what
happened with ``uow.emit`` and never commits. Local input given in a reporting exercise
reaches the timeline through ``exercise.input_submitted`` (``record_input``, called by the
service's own event handler), not through a second write path.
"""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.auth import Principal, Role
from localrights.errors import Conflict, Forbidden
from localrights.events.catalog.exercises import ExerciseInputSubmitted
from localrights.uow import UnitOfWork
from localrights_recommendations import events
from localrights_recommendations.domain import status as rules
from localrights_recommendations.exceptions import RecommendationNotFound, StatusEntryNotFound
from localrights_recommendations.follow_up_models import StatusEntry
from localrights_recommendations.follow_up_schemas import (
    PublicationRead,
    StatusEntryRead,
    StatusUpdate,
)
from localrights_recommendations.models import Recommendation
from localrights_recommendations.repository import follow_up as repository
from localrights_recommendations.repository import inputs, recommendations
from localrights_recommendations.repository.audience import Audience


async def read_entry(session: AsyncSession, entry: StatusEntry) -> StatusEntryRead:
    names = await repository.institution_names(session, {entry.institution_id})
    known = names.get(entry.institution_id)
    return StatusEntryRead.model_validate(
        {**entry.model_dump(), "institution_name": known.name if known else None}
    )


async def _add(
    uow: UnitOfWork, entry: StatusEntry, recommendation: Recommendation, previous: str | None
) -> StatusEntry:
    """Write an entry, bring the current status up to date, announce the entry."""
    session = uow.session
    session.add(entry)
    await session.flush()
    await session.refresh(entry)
    await repository.refresh_current(
        session, recommendation_id=entry.recommendation_id, institution_id=entry.institution_id
    )
    published = await repository.is_published(session, entry.institution_id)
    uow.emit(events.status_changed(entry, recommendation, previous=previous, published=published))
    return entry


async def _previous_status(
    session: AsyncSession, recommendation_id: UUID, institution_id: UUID, *, validations: bool
) -> str | None:
    previous = await repository.latest_entry(
        session,
        recommendation_id=recommendation_id,
        institution_id=institution_id,
        validations=validations,
    )
    return previous.status if previous else None


async def report_status(
    uow: UnitOfWork, *, principal: Principal, data: StatusUpdate
) -> StatusEntryRead:
    """An institution's own update of a recommendation's status in its place."""
    if principal.institution_id is None or not principal.jurisdiction:
        raise Forbidden("only an institution with a place reports implementation status")
    session = uow.session
    recommendation = await recommendations.get_recommendation(
        session, recommendation_id=data.recommendation_id
    )
    if recommendation is None:
        raise RecommendationNotFound()
    if recommendation.country != principal.jurisdiction[:2]:
        raise Forbidden("this recommendation is addressed to another country than yours")
    previous = await _previous_status(
        session, recommendation.id, principal.institution_id, validations=False
    )
    entry = StatusEntry(
        recommendation_id=recommendation.id,
        institution_id=principal.institution_id,
        jurisdiction=principal.jurisdiction,
        country=recommendation.country,
        status=data.status,
        as_of=data.as_of or datetime.now(UTC).date(),
        measures=data.measures,
        evidence_links=[str(link) for link in data.evidence_links],
        responsible_body=data.responsible_body,
        origin=rules.INSTITUTION_UPDATE,
        review=rules.PENDING,
        recorded_by=principal.subject,
    )
    return await read_entry(session, await _add(uow, entry, recommendation, previous))


async def record_input(uow: UnitOfWork, *, submitted: ExerciseInputSubmitted) -> StatusEntry | None:
    """Turn one version of an exercise input into a timeline entry (once, whatever the
    number of deliveries); None when there is nothing to record."""
    session = uow.session
    if await repository.entry_of_input(
        session, input_id=submitted.input_id, version=submitted.version
    ):
        return None
    version = await inputs.get_version(
        session, input_id=submitted.input_id, version=submitted.version
    )
    local_input = await inputs.get_input(session, input_id=submitted.input_id)
    recommendation = await recommendations.get_recommendation(
        session, recommendation_id=submitted.recommendation_id
    )
    if version is None or local_input is None or recommendation is None:
        return None  # another database's event (a replayed example): nothing of ours
    institution = await repository.get_institution(session, institution_id=submitted.institution_id)
    jurisdiction = (
        submitted.jurisdiction
        or local_input.jurisdiction
        or (institution.jurisdiction if institution else None)
    )
    if jurisdiction is None:
        return None  # no place to record it for
    content = version.content
    previous = await _previous_status(
        session, recommendation.id, submitted.institution_id, validations=False
    )
    entry = StatusEntry(
        recommendation_id=recommendation.id,
        institution_id=submitted.institution_id,
        jurisdiction=jurisdiction,
        country=recommendation.country,
        status=rules.from_input_status(str(content.get("status"))),
        as_of=_as_of(content) or submitted.submitted_at.date(),
        measures=content.get("measures_taken"),
        evidence_links=list(content.get("evidence_links") or []),
        responsible_body=institution.name if institution else None,
        origin=rules.EXERCISE_INPUT,
        exercise_id=submitted.exercise_id,
        input_id=submitted.input_id,
        input_version=submitted.version,
        review=rules.PENDING,
        recorded_by=version.submitted_by,
    )
    return await _add(uow, entry, recommendation, previous)


def _as_of(content: dict[str, object]) -> dt.date | None:
    """The day an input's status describes, when the institution gave one."""
    value = content.get("as_of")
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


def _ensure_reviewer(principal: Principal, entry: StatusEntry) -> None:
    if principal.is_admin:
        return
    if principal.has_role(Role.MINISTRY_OFFICER) and principal.country == entry.country:
        return
    raise Forbidden("only a ministry of this recommendation's country reviews its statuses")


async def _reviewable(
    uow: UnitOfWork, principal: Principal, entry_id: UUID
) -> tuple[StatusEntry, Recommendation]:
    entry = await repository.entry_for_update(uow.session, entry_id)
    if entry is None or not Audience.of(principal).sees_country(entry.country):
        # A ministry of another country cannot tell an existing entry from none.
        raise StatusEntryNotFound()
    _ensure_reviewer(principal, entry)
    refusal = rules.review_refusal(origin=entry.origin, review=entry.review)
    if refusal is not None:
        raise Conflict(refusal)
    recommendation = await recommendations.get_recommendation(
        uow.session, recommendation_id=entry.recommendation_id
    )
    assert recommendation is not None
    return entry, recommendation


async def validate_status(
    uow: UnitOfWork, *, principal: Principal, entry_id: UUID, comment: str | None
) -> StatusEntryRead:
    """The ministry confirms a reported status: a validation entry joins the timeline."""
    entry, recommendation = await _reviewable(uow, principal, entry_id)
    now = datetime.now(UTC)
    entry.review, entry.review_comment = rules.VALIDATED, comment
    entry.reviewed_by, entry.reviewed_at = principal.subject, now
    uow.session.add(entry)
    previous = await _previous_status(
        uow.session, entry.recommendation_id, entry.institution_id, validations=True
    )
    validation = StatusEntry(
        recommendation_id=entry.recommendation_id,
        institution_id=entry.institution_id,
        jurisdiction=entry.jurisdiction,
        country=entry.country,
        status=entry.status,
        as_of=max(entry.as_of, now.date()),
        origin=rules.MINISTRY_VALIDATION,
        validates_entry_id=entry.id,
        review_comment=comment,
        recorded_by=principal.subject,
    )
    added = await _add(uow, validation, recommendation, previous)
    return await read_entry(uow.session, added)


async def return_status(
    uow: UnitOfWork, *, principal: Principal, entry_id: UUID, comment: str
) -> StatusEntryRead:
    """The ministry sends a reported status back with its reason; the entry stays, returned."""
    entry, recommendation = await _reviewable(uow, principal, entry_id)
    entry.review, entry.review_comment = rules.RETURNED, comment
    entry.reviewed_by, entry.reviewed_at = principal.subject, datetime.now(UTC)
    uow.session.add(entry)
    await uow.session.flush()
    await repository.refresh_current(
        uow.session,
        recommendation_id=entry.recommendation_id,
        institution_id=entry.institution_id,
    )
    published = await repository.is_published(uow.session, entry.institution_id)
    uow.emit(events.status_returned(entry, recommendation, published=published))
    return await read_entry(uow.session, entry)


async def pending_reviews(
    session: AsyncSession, *, principal: Principal, country: str, limit: int, offset: int
) -> tuple[list[StatusEntryRead], int]:
    """Reported statuses of a country waiting for its ministry."""
    if not (principal.is_admin or principal.country == country):
        raise Forbidden("a ministry reviews the statuses of its own country")
    entries, total = await repository.pending_reviews(
        session, country=country, limit=limit, offset=offset
    )
    names = await repository.institution_names(session, {e.institution_id for e in entries})
    texts = await repository.recommendation_texts(session, {e.recommendation_id for e in entries})
    return [
        StatusEntryRead.model_validate(
            {
                **e.model_dump(),
                "institution_name": names[e.institution_id].name
                if e.institution_id in names
                else None,
                "recommendation_text": texts.get(e.recommendation_id),
            }
        )
        for e in entries
    ], total


async def set_publication(
    uow: UnitOfWork, *, principal: Principal, published: bool
) -> PublicationRead:
    """An institution publishes its follow-up to everyone, or stops doing so."""
    if principal.institution_id is None:
        raise Forbidden("only an institution publishes its follow-up")
    row = await repository.set_publication(
        uow.session,
        institution_id=principal.institution_id,
        published=published,
        changed_by=principal.subject,
    )
    return PublicationRead.model_validate(row, from_attributes=True)


async def publication(session: AsyncSession, *, principal: Principal) -> PublicationRead:
    if principal.institution_id is None:
        raise Forbidden("only an institution publishes its follow-up")
    row = await repository.publication_of(session, institution_id=principal.institution_id)
    if row is None:
        return PublicationRead(
            institution_id=principal.institution_id, published=False, changed_at=None
        )
    return PublicationRead.model_validate(row, from_attributes=True)
