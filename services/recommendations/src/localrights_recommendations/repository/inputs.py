"""SQL of local input: the current version per institution and recommendation, its history,
and the consultation results an input cites."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping
from sqlalchemy import select as core_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.db import run_sql
from localrights_recommendations.models import ConsultationResult, LocalInput, LocalInputVersion


async def get_input(session: AsyncSession, *, input_id: UUID) -> LocalInput | None:
    return await session.get(LocalInput, input_id)


async def locked_input(
    session: AsyncSession, *, exercise_id: UUID, recommendation_id: UUID, institution_id: UUID
) -> LocalInput | None:
    """An institution's input on one recommendation of an exercise, locked for update."""
    rows = await session.exec(
        select(LocalInput)
        .where(
            col(LocalInput.exercise_id) == exercise_id,
            col(LocalInput.recommendation_id) == recommendation_id,
            col(LocalInput.institution_id) == institution_id,
        )
        .with_for_update()
    )
    return rows.one_or_none()


async def inputs_with_results(
    session: AsyncSession,
    *,
    exercise_id: UUID,
    institution_id: UUID | None,
    recommendation_id: UUID | None,
) -> list[tuple[LocalInput, ConsultationResult | None]]:
    """An exercise's inputs (of one institution, on one recommendation, when given), each
    with the results of the consultation it cites."""
    statement = (
        select(LocalInput, ConsultationResult)
        .outerjoin(
            ConsultationResult,
            col(ConsultationResult.consultation_id) == col(LocalInput.consultation_id),
        )
        .where(col(LocalInput.exercise_id) == exercise_id)
        .order_by(col(LocalInput.recommendation_id), col(LocalInput.institution_id))
    )
    if institution_id is not None:
        statement = statement.where(col(LocalInput.institution_id) == institution_id)
    if recommendation_id is not None:
        statement = statement.where(col(LocalInput.recommendation_id) == recommendation_id)
    return [(item, result) for item, result in await session.exec(statement)]


async def versions(session: AsyncSession, *, input_id: UUID) -> Sequence[LocalInputVersion]:
    """Every version of one input, oldest first."""
    rows = await session.exec(
        select(LocalInputVersion)
        .where(col(LocalInputVersion.input_id) == input_id)
        .order_by(col(LocalInputVersion.version))
    )
    return rows.all()


async def current_rows(session: AsyncSession, *, exercise_id: UUID) -> Sequence[RowMapping]:
    """Every current input of an exercise as plain rows, not ORM objects (an annex reads
    thousands)."""
    table: Any = LocalInput.__table__  # type: ignore[attr-defined]
    result = await run_sql(session, core_select(table).where(table.c.exercise_id == exercise_id))
    return result.mappings().all()


async def consultation_result(
    session: AsyncSession, *, consultation_id: UUID
) -> ConsultationResult | None:
    return await session.get(ConsultationResult, consultation_id)


async def consultation_results(
    session: AsyncSession, consultation_ids: set[UUID]
) -> Sequence[ConsultationResult]:
    rows = await session.exec(
        select(ConsultationResult).where(
            col(ConsultationResult.consultation_id).in_(consultation_ids)
        )
    )
    return rows.all()


async def get_version(
    session: AsyncSession, *, input_id: UUID, version: int
) -> LocalInputVersion | None:
    return await session.get(LocalInputVersion, (input_id, version))
