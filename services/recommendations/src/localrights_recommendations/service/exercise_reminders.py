"""Reminding the invited institutions that have not answered an open exercise yet."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.errors import InvalidInput
from localrights.uow import UnitOfWork
from localrights_recommendations import events
from localrights_recommendations.exceptions import ExerciseNotOpen
from localrights_recommendations.models import Exercise
from localrights_recommendations.schemas_backoffice import ReminderRead
from localrights_recommendations.service import SOURCE
from localrights_recommendations.service.exercises import coverage


async def remind(
    *, session: AsyncSession, exercise: Exercise, institution_ids: Sequence[UUID] | None
) -> ReminderRead:
    """Emit exercise.reminder_sent for the invited institutions still missing some input.

    Without a list: every invited institution that has not answered every recommendation.
    With one: those of them, each of which must be invited (a reminder is no invitation).
    """
    if exercise.status != "open":
        raise ExerciseNotOpen(exercise.status)
    report = await coverage(session=session, exercise=exercise)
    pending = [
        UUID(i["institution_id"]) for i in report.institutions if i["missing_recommendation_ids"]
    ]
    if institution_ids is not None:
        invited = {UUID(i["institution_id"]) for i in report.institutions}
        strangers = [str(i) for i in institution_ids if i not in invited]
        if strangers:
            raise InvalidInput(
                f"institution_ids: not invited to this exercise: {', '.join(strangers[:20])}",
                errors=[{"location": "institution_ids", "message": "not invited"}],
            )
        pending = [i for i in pending if i in set(institution_ids)]
    if not pending:
        return ReminderRead(reminded=[], sent_at=None)
    sent_at = datetime.now(UTC)
    async with UnitOfWork(session, source=SOURCE) as uow:
        uow.emit(events.exercise_reminder_sent(exercise, institution_ids=pending, sent_at=sent_at))
    return ReminderRead(reminded=pending, sent_at=sent_at)
