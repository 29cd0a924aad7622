"""Working through many recommendations: bulk ownership, the filters' values, imports
followed as jobs while they run."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, status

from localrights.db import SessionDep
from localrights.errors import problem_responses
from localrights_recommendations.deps import MinistryOfficer, SettingsDep
from localrights_recommendations.exceptions import UnreadableImport
from localrights_recommendations.schemas import SourceFormat
from localrights_recommendations.schemas_backoffice import (
    BulkUpdateRead,
    ImportJobRead,
    RecommendationBulkUpdate,
    RecommendationFacets,
)
from localrights_recommendations.service import facets, import_jobs, ownership

router = APIRouter(prefix="/recommendations", tags=["recommendations"])
_TASKS = "import_job_tasks"

_IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "description": "A UHRI export (CSV or JSON) or a UPR Info CSV export, sent as the body",
        "content": {
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
        },
    }
}


@router.patch(
    "",
    status_code=status.HTTP_200_OK,
    response_model=BulkUpdateRead,
    responses=problem_responses(401, 403, 422),
)
async def set_owner_of_many(
    data: RecommendationBulkUpdate,
    session: SessionDep,
    principal: MinistryOfficer,  # noqa: ARG001  (only ministries say who owns what)
) -> BulkUpdateRead:
    """Give many recommendations the same owner level and jurisdictions (all or none)."""
    updated = await ownership.set_owner_of_many(
        session=session, ids=data.ids, change=data.model_copy(update={"ids": []})
    )
    return BulkUpdateRead(updated=updated)


@router.get("/facets", status_code=status.HTTP_200_OK, response_model=RecommendationFacets)
async def recommendation_facets(
    session: SessionDep,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
) -> RecommendationFacets:
    """The mechanisms, cycles, sessions, themes, SDG targets, responses and owner levels
    present (of one country), with their counts: what search filters can offer (public)."""
    return await facets.facets(session=session, country=country)


@router.post(
    "/imports",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ImportJobRead,
    responses=problem_responses(401, 403, 413, 422),
    openapi_extra=_IMPORT_BODY,
)
async def start_import(
    request: Request,
    session: SessionDep,
    principal: MinistryOfficer,
    settings: SettingsDep,
    format: SourceFormat = "auto",
    encoding: Annotated[str, Query(max_length=40)] = "auto",
) -> ImportJobRead:
    """Import an export in the background; follow it at /recommendations/imports/{id}."""
    upload, size = await import_jobs.receive_upload(
        request.stream(), max_bytes=settings.import_max_bytes
    )
    if size == 0:  # refused now, as the import in one call does, not as a failed job later
        upload.close()
        raise UnreadableImport("the upload is empty")
    job = await import_jobs.create_job(
        session=session, source_format=format, imported_by=principal.subject, size=size
    )
    task = asyncio.create_task(
        import_jobs.run_job(
            sessions=request.app.state.runtime.sessions,
            job_id=job.id,
            upload=upload,
            source_format=format,
            encoding=encoding,
            content_type=request.headers.get("content-type"),
            imported_by=principal.subject,
            batch_size=settings.import_batch_size,
            report_limit=settings.import_report_limit,
            max_bytes=settings.import_max_bytes,
        )
    )
    # Held until done: the event loop keeps only weak references to tasks.
    running: set[asyncio.Task[None]] = request.app.state.__dict__.setdefault(_TASKS, set())
    running.add(task)
    task.add_done_callback(running.discard)
    return await import_jobs.read_job(session=session, job_id=job.id, now=datetime.now(UTC))


@router.get(
    "/imports/{job_id}",
    status_code=status.HTTP_200_OK,
    response_model=ImportJobRead,
    responses=problem_responses(401, 403, 404),
)
async def read_import(
    job_id: UUID,
    session: SessionDep,
    principal: MinistryOfficer,  # noqa: ARG001  (imports are the ministries')
) -> ImportJobRead:
    """An import: rows read so far while it runs, then its per-row report."""
    return await import_jobs.read_job(session=session, job_id=job_id, now=datetime.now(UTC))
