"""Imports followed while they run: the upload is kept, imported in the background, and its
progress (rows read so far) written where any replica can read it, then its report.

A job runs in the process that took the upload. If that process dies, the job stops being
updated and is reported as interrupted after ``STALE_AFTER``; uploading the file again is
safe, since an import updates rather than duplicates.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import IO, Any
from uuid import UUID

import structlog
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.errors import LocalrightsError, NotFound, PayloadTooLarge
from localrights.uow import UnitOfWork
from localrights_recommendations.models import ImportJob
from localrights_recommendations.repository import import_jobs as repository
from localrights_recommendations.schemas import ImportReport
from localrights_recommendations.schemas_backoffice import ImportJobRead
from localrights_recommendations.service import SOURCE
from localrights_recommendations.service.importing import import_recommendations

log = structlog.get_logger(__name__)

STALE_AFTER = timedelta(minutes=2)
_CHUNK = 256 * 1024
_SPOOL_IN_MEMORY = 8 * 1024 * 1024


class ImportJobNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no import with this id")


async def receive_upload(body: AsyncIterator[bytes], *, max_bytes: int) -> tuple[IO[bytes], int]:
    """The whole upload in a spooled file (memory up to 8 MB, then disk), and its size."""
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 (handed on)
    size = 0
    try:
        async for chunk in body:
            size += len(chunk)
            if size > max_bytes:
                raise PayloadTooLarge(f"an import body may hold at most {max_bytes:,} bytes")
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, size


async def _chunks(upload: IO[bytes]) -> AsyncIterator[bytes]:
    while chunk := upload.read(_CHUNK):
        yield chunk
        await asyncio.sleep(0)  # let the progress be read between batches


async def create_job(
    *, session: AsyncSession, source_format: str, imported_by: str, size: int
) -> ImportJob:
    async with UnitOfWork(session, source=SOURCE):
        job = ImportJob(source_format=source_format, imported_by=imported_by, bytes_total=size)
        session.add(job)
    return job


async def _record(sessions: async_sessionmaker[AsyncSession], job_id: UUID, **values: Any) -> None:
    async with sessions() as session, UnitOfWork(session, source=SOURCE):
        await repository.record(session, job_id=job_id, **values)


async def run_job(
    *,
    sessions: async_sessionmaker[AsyncSession],
    job_id: UUID,
    upload: IO[bytes],
    source_format: str,
    encoding: str,
    content_type: str | None,
    imported_by: str,
    batch_size: int,
    report_limit: int,
    max_bytes: int,
) -> None:
    """Import the kept upload; record the rows read after each batch, then the report."""

    async def progress(rows: int) -> None:
        await _record(sessions, job_id, rows_read=rows)

    try:
        async with sessions() as session, UnitOfWork(session, source=SOURCE) as uow:
            report = await import_recommendations(
                uow,
                body=_chunks(upload),
                source_format=source_format,
                encoding=encoding,
                content_type=content_type,
                imported_by=imported_by,
                batch_size=batch_size,
                report_limit=report_limit,
                max_bytes=max_bytes,
                on_progress=progress,
            )
    except LocalrightsError as exc:
        await _finish(sessions, job_id, status="failed", error=exc.message)
    except Exception as exc:
        log.exception("import_job_failed", job_id=str(job_id))
        await _finish(sessions, job_id, status="failed", error=f"the import failed: {exc}"[:500])
    else:
        await _finish(
            sessions,
            job_id,
            status="done",
            rows_read=report.rows,
            report=report.model_dump(mode="json"),
        )
    finally:
        upload.close()


async def _finish(sessions: async_sessionmaker[AsyncSession], job_id: UUID, **values: Any) -> None:
    await _record(sessions, job_id, finished_at=datetime.now(UTC), **values)


async def read_job(*, session: AsyncSession, job_id: UUID, now: datetime) -> ImportJobRead:
    """The job as a page shows it; a running job nobody updates any more is interrupted."""
    job = await repository.get_job(session, job_id=job_id)
    if job is None:
        raise ImportJobNotFound()
    assert job.started_at is not None and job.updated_at is not None
    status, error = job.status, job.error
    if status == "running" and now - job.updated_at > STALE_AFTER:
        status = "failed"
        error = (
            "the import was interrupted (the service restarted): send the file again; "
            "rows already imported are updated, not duplicated"
        )
    return ImportJobRead(
        id=job.id,
        status=status,
        source_format=job.source_format,
        rows_read=job.rows_read,
        bytes_total=job.bytes_total,
        started_at=job.started_at,
        updated_at=job.updated_at,
        finished_at=job.finished_at,
        report=ImportReport.model_validate(job.report) if job.report else None,
        error=error,
    )
