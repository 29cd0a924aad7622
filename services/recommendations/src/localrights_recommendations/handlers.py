"""What the recommendations service does when other services' events arrive.

Each handler writes in the consumer's transaction; the consumer has recorded the event id in
it already, so an event delivered twice is applied once. Handlers that emit events of their
own run a unit of work on that transaction: the event id, the writes and the new events
commit together.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.consumer import Handler
from localrights.events import Envelope
from localrights.events.catalog.consultation import ConsultationResultsPublished
from localrights.events.catalog.exercises import ExerciseInputSubmitted
from localrights.events.catalog.institutions import InstitutionFacts
from localrights.events.catalog.recommendations import RecommendationsImported
from localrights.uow import UnitOfWork
from localrights_recommendations.repository import projections
from localrights_recommendations.service import SOURCE, follow_up, recurrence


async def consultation_results_published(
    session: AsyncSession, envelope: Envelope, payload: ConsultationResultsPublished
) -> None:
    """Keep the published summary; every input naming the consultation shows it (now or later)."""
    values = {
        "consultation_id": payload.consultation_id,
        "institution_id": payload.institution_id,
        "jurisdiction": payload.jurisdiction,
        "title": payload.title,
        "published_at": payload.published_at,
        "response_count": payload.response_count,
        "suppression_threshold": payload.suppression_threshold,
        "summary": payload.summary,
        "event_id": envelope.id,
    }
    # A later publication (corrected results) replaces the summary; an older one arriving
    # late does not.
    await projections.keep_consultation_result(session, values)


async def institution_changed(
    session: AsyncSession,
    envelope: Envelope,  # noqa: ARG001  (the handler signature every consumer calls)
    payload: InstitutionFacts,
) -> None:
    """Keep the projection of institutions (names and places for coverage and the annex)."""
    values = {
        "id": payload.institution_id,
        "name": payload.name,
        "kind": payload.kind,
        "country": payload.country,
        "jurisdiction": payload.jurisdiction,
        "active": payload.active,
        "changed_at": payload.changed_at,
    }
    await projections.keep_institution(session, values)


async def exercise_input_submitted(
    session: AsyncSession,
    envelope: Envelope,  # noqa: ARG001  (the handler signature every consumer calls)
    payload: ExerciseInputSubmitted,
) -> None:
    """Local input given in an exercise becomes an entry of the recommendation's timeline."""
    async with UnitOfWork(session, source=SOURCE) as uow:
        await follow_up.record_input(uow, submitted=payload)


async def recommendations_imported(
    session: AsyncSession,
    envelope: Envelope,  # noqa: ARG001  (the handler signature every consumer calls)
    payload: RecommendationsImported,
) -> None:
    """A new cycle arrived: suggest which of its recommendations repeat the previous one's."""
    if not payload.created:
        return  # nothing new to compare
    async with UnitOfWork(session, source=SOURCE) as uow:
        for country in payload.countries:
            await recurrence.suggest_for_country(uow, country=country)


EVENT_HANDLERS: dict[str, Handler] = {
    "consultation.results_published": consultation_results_published,
    "institution.registered": institution_changed,
    "institution.updated": institution_changed,
    "exercise.input_submitted": exercise_input_submitted,
    "recommendation.imported": recommendations_imported,
}
