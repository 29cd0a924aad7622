"""The events this service emits, each built from what it describes.

A use case changes its rows, then announces the fact with ``uow.emit(events.x(model))``;
which fields an event copies from a model is decided here, once per event.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

from localrights.events.catalog.consultation import (
    ConsultationClosed,
    ConsultationOpened,
    ConsultationResultsPublished,
)
from localrights_consultation.domain.results import EVERYONE
from localrights_consultation.models import Consultation
from localrights_consultation.schemas import ResultsRead


def consultation_opened(consultation: Consultation) -> ConsultationOpened:
    """consultation.opened, as the consultation now is."""
    return ConsultationOpened(
        consultation_id=consultation.id,
        institution_id=consultation.institution_id,
        country=consultation.country,
        jurisdiction=consultation.jurisdiction,
        municipality=consultation.municipality,
        title=consultation.title,
        participation_mode=consultation.participation_mode,
        opens_at=consultation.opens_at,
        closes_at=consultation.closes_at,
        languages=sorted(consultation.title),
        sdg_targets=consultation.sdg_targets,
        recommendation_ids=[UUID(r) for r in consultation.recommendation_ids],
        exercise_id=consultation.exercise_id,
    )


def consultation_closed(
    *,
    consultation_id: UUID,
    institution_id: UUID,
    closed_at: datetime,
    response_count: int,
    scheduled: bool,
) -> ConsultationClosed:
    """consultation.closed, by its owner or by its closing time (``scheduled``).

    It takes ids rather than a model: the scheduled close updates rows in bulk and has no
    loaded consultation to read them from.
    """
    return ConsultationClosed(
        consultation_id=consultation_id,
        institution_id=institution_id,
        closed_at=closed_at,
        response_count=response_count,
        closed_by_schedule=scheduled,
    )


def results_published(
    consultation: Consultation, *, snapshots: Mapping[str, ResultsRead], threshold: int
) -> ConsultationResultsPublished:
    """consultation.results_published, with the figures kept at publication (``snapshots``
    by breakdown, everyone together under ``EVERYONE``)."""
    assert consultation.published_at is not None
    overall = snapshots[EVERYONE]
    return ConsultationResultsPublished(
        consultation_id=consultation.id,
        institution_id=consultation.institution_id,
        country=consultation.country,
        jurisdiction=consultation.jurisdiction,
        title=consultation.title,
        published_at=consultation.published_at,
        response_count=overall.response_count,
        suppression_threshold=threshold,
        recommendation_ids=[UUID(r) for r in consultation.recommendation_ids],
        sdg_targets=consultation.sdg_targets,
        exercise_id=consultation.exercise_id,
        summary=overall.overall["questions"],
        breakdowns=[
            {"by": breakdown, "groups": results.groups}
            for breakdown, results in snapshots.items()
            if breakdown != EVERYONE
        ],
        what_happens_next=consultation.what_happens_next,
    )
