"""Routes for results and the owner's exports."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from localrights.auth import OptionalPrincipal
from localrights.db import SessionDep
from localrights.errors import Forbidden, problem_responses
from localrights_consultation import service
from localrights_consultation.deps import (
    OwnedConsultation,
    SettingsDep,
    ValidConsultation,
    is_owner,
)
from localrights_consultation.domain.lifecycle import Status
from localrights_consultation.schemas import ResultsRead

router = APIRouter(prefix="/consultations", tags=["results"])

ByQuery = Annotated[
    str | None, Query(max_length=40, description="Id of a demographic question to break down by")
]


@router.get(
    "/{consultation_id}/results",
    status_code=status.HTTP_200_OK,
    response_model=ResultsRead,
    responses=problem_responses(403, 404, 422),
)
async def get_results(
    consultation: ValidConsultation,
    session: SessionDep,
    settings: SettingsDep,
    principal: OptionalPrincipal,
    by: ByQuery = None,
) -> ResultsRead:
    """Results, overall and by a demographic question (public once published; owner live)."""
    if consultation.status != Status.PUBLISHED and not is_owner(consultation, principal):
        raise Forbidden("results are public once the consultation's owner publishes them")
    return await service.compute_results(
        session=session,
        consultation=consultation,
        threshold=settings.suppression_threshold,
        by=by,
    )


@router.get(
    "/{consultation_id}/export",
    status_code=status.HTTP_200_OK,
    responses={
        **problem_responses(401, 403, 404, 422),
        200: {"content": {"text/csv": {}, "application/json": {}}, "description": "The export"},
    },
)
async def export(
    consultation: OwnedConsultation,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    format: Annotated[Literal["csv", "json"], Query()] = "csv",
    what: Annotated[Literal["results", "responses"], Query()] = "results",
    by: ByQuery = None,
) -> Response:
    """Results or pseudonymous responses as CSV or JSON (owner only; suppression applies)."""
    media = "text/csv; charset=utf-8" if format == "csv" else "application/json"
    headers = {
        "content-disposition": f'attachment; filename="{what}-{consultation.id}.{format}"',
        "cache-control": "no-store",
    }
    threshold = settings.suppression_threshold
    if what == "results":
        results = await service.compute_results(
            session=session, consultation=consultation, threshold=threshold, by=by
        )
        return Response(service.export_results(results, format), media_type=media, headers=headers)
    stream = service.export_responses(
        sessions=request.app.state.runtime.sessions,
        consultation=consultation,
        threshold=threshold,
        fmt=format,
    )
    return StreamingResponse(stream, media_type=media, headers=headers)
