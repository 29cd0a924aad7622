"""SQL of import jobs: a long import's progress, written as it goes and read by its page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights_recommendations.models import ImportJob


async def get_job(session: AsyncSession, *, job_id: UUID) -> ImportJob | None:
    return await session.get(ImportJob, job_id)


async def record(session: AsyncSession, *, job_id: UUID, **values: Any) -> None:
    """Set these fields of a job, and when it was last heard of."""
    await session.exec(
        update(ImportJob)
        .where(col(ImportJob.id) == job_id)
        .values(updated_at=datetime.now(UTC), **values)
    )
