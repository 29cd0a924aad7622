"""The events this service emits, each built from what it describes.

A use case changes its rows, then announces the fact with ``uow.emit(events.x(model))``;
which fields an event copies from a model is decided here, once per event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from localrights.events.catalog.exercises import (
    ExerciseClosed,
    ExerciseInputSubmitted,
    ExerciseOpened,
    ExerciseReminderSent,
)
from localrights.events.catalog.follow_up import FollowUpStatusChanged, FollowUpStatusReturned
from localrights.events.catalog.indicators import (
    BreakdownValue,
    IndicatorObserved,
    IndicatorUpdateDue,
)
from localrights.events.catalog.recommendations import RecommendationsImported
from localrights_recommendations.follow_up_models import (
    Indicator,
    IndicatorObservation,
    StatusEntry,
)
from localrights_recommendations.models import Exercise, LocalInput, Recommendation
from localrights_recommendations.schemas import ImportReport


def _exercise_facts(exercise: Exercise) -> dict[str, Any]:
    """What every event about an exercise says of it, for invitees to recognise it."""
    assert exercise.ministry_institution_id is not None
    return {
        "exercise_id": exercise.id,
        "ministry_institution_id": exercise.ministry_institution_id,
        "title": exercise.title,
        "report_type": exercise.report_type,
        "country": exercise.country,
        "mechanism": exercise.mechanism,
        "deadline": exercise.deadline,
    }


def exercise_opened(exercise: Exercise, *, recommendation_count: int) -> ExerciseOpened:
    """exercise.opened: the invited institutions are alerted from it."""
    assert exercise.opened_at is not None
    return ExerciseOpened(
        **_exercise_facts(exercise),
        invited_institution_ids=exercise.invited_institution_ids,
        invited_jurisdictions=exercise.invited_jurisdictions,
        recommendation_count=recommendation_count,
        opened_at=exercise.opened_at,
    )


def exercise_closed(
    exercise: Exercise, *, institutions_invited: int, institutions_answered: int
) -> ExerciseClosed:
    """exercise.closed, with how many of the invited institutions answered."""
    assert exercise.closed_at is not None
    return ExerciseClosed(
        exercise_id=exercise.id,
        closed_at=exercise.closed_at,
        institutions_invited=institutions_invited,
        institutions_answered=institutions_answered,
    )


def exercise_reminder_sent(
    exercise: Exercise, *, institution_ids: Sequence[UUID], sent_at: datetime
) -> ExerciseReminderSent:
    """exercise.reminder_sent to the institutions still owing input."""
    return ExerciseReminderSent(
        **_exercise_facts(exercise),
        institution_ids=list(institution_ids),
        sent_at=sent_at,
    )


def input_submitted(item: LocalInput) -> ExerciseInputSubmitted:
    """exercise.input_submitted: one version of an institution's local input."""
    assert item.submitted_at is not None
    return ExerciseInputSubmitted(
        exercise_id=item.exercise_id,
        input_id=item.id,
        recommendation_id=item.recommendation_id,
        institution_id=item.institution_id,
        status=item.status,
        version=item.version,
        submitted_at=item.submitted_at,
        jurisdiction=item.jurisdiction,
    )


def _entry_facts(entry: StatusEntry, recommendation: Recommendation) -> dict[str, Any]:
    """What every event about a timeline entry says of it."""
    return {
        "entry_id": entry.id,
        "recommendation_id": entry.recommendation_id,
        "institution_id": entry.institution_id,
        "jurisdiction": entry.jurisdiction,
        "country": entry.country,
        "mechanism": recommendation.mechanism,
        "status": entry.status,
    }


def status_changed(
    entry: StatusEntry,
    recommendation: Recommendation,
    *,
    previous: str | None,
    published: bool,
) -> FollowUpStatusChanged:
    """follow_up.status_changed: a new entry on a recommendation's timeline."""
    assert entry.recorded_at is not None
    return FollowUpStatusChanged(
        **_entry_facts(entry, recommendation),
        cycle=recommendation.cycle,
        themes=recommendation.themes[:50],
        previous_status=previous,
        origin=entry.origin,
        as_of=entry.as_of,
        exercise_id=entry.exercise_id,
        validates_entry_id=entry.validates_entry_id,
        published=published,
        recorded_at=entry.recorded_at,
    )


def status_returned(
    entry: StatusEntry, recommendation: Recommendation, *, published: bool
) -> FollowUpStatusReturned:
    """follow_up.status_returned: a ministry sent a reported status back."""
    assert entry.reviewed_at is not None and entry.review_comment is not None
    return FollowUpStatusReturned(
        **_entry_facts(entry, recommendation),
        comment=entry.review_comment,
        published=published,
        returned_at=entry.reviewed_at,
    )


def indicator_observed(
    observation: IndicatorObservation,
    indicator: Indicator,
    *,
    recommendation_ids: Sequence[UUID],
    published: bool,
) -> IndicatorObserved:
    """indicator.observed: a value recorded (or corrected) in a place."""
    assert observation.recorded_at is not None
    return IndicatorObserved(
        indicator_id=indicator.id,
        observation_id=observation.id,
        institution_id=observation.institution_id,
        jurisdiction=observation.jurisdiction,
        country=indicator.country,
        title=indicator.name,
        unit=indicator.unit,
        kind=indicator.kind,
        sdg_target=indicator.sdg_target,
        sdg_indicator=indicator.sdg_indicator,
        observed_on=observation.observed_on,
        period=observation.period,
        value=observation.value,
        breakdown=[BreakdownValue.model_validate(b) for b in observation.breakdown],
        baseline=indicator.baseline_value,
        target=indicator.target_value,
        recommendation_ids=list(recommendation_ids),
        revision=observation.revision,
        published=published,
        recorded_at=observation.recorded_at,
    )


def indicator_update_due(
    indicator: Indicator,
    *,
    institution_id: UUID,
    jurisdiction: str,
    due_on: date,
    last_observed_on: date,
) -> IndicatorUpdateDue:
    """indicator.update_due: a place's value is about to go stale."""
    assert indicator.update_every_months is not None
    return IndicatorUpdateDue(
        indicator_id=indicator.id,
        institution_id=institution_id,
        jurisdiction=jurisdiction,
        country=indicator.country,
        title=indicator.name,
        due_on=due_on,
        last_observed_on=last_observed_on,
        every_months=indicator.update_every_months,
    )


def recommendations_imported(
    report: ImportReport, *, import_id: UUID, imported_at: datetime
) -> RecommendationsImported:
    """recommendation.imported: what one import created, updated and rejected."""
    return RecommendationsImported(
        import_id=import_id,
        source_format=report.source_format,
        countries=report.countries,
        mechanisms=report.mechanisms[:200],
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=report.rejected,
        rows=report.rows,
        imported_at=imported_at,
    )
