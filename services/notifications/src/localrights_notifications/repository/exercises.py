"""Exercises that stopped taking input, known before or without their opening."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights_notifications.models import ClosedExercise


async def is_closed(session: AsyncSession, exercise_id: UUID) -> bool:
    return await session.get(ClosedExercise, exercise_id) is not None


async def note_closed(session: AsyncSession, exercise_id: UUID, *, closed_at: datetime) -> None:
    await session.exec(
        insert(ClosedExercise)
        .values(exercise_id=exercise_id, closed_at=closed_at)
        .on_conflict_do_nothing(index_elements=["exercise_id"])
    )
