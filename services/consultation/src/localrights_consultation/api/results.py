"""Routes for results and the owner's exports."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from localrights.auth import OptionalPrincipal, Principal
from localrights.db import SessionDep
from localrights.errors import Forbidden, problem_responses
from localrights_consultation import service
from localrights_consultation.deps import (
    OwnedConsultation,
    SettingsDep,
    ValidConsultation,
    acts_for_owner,
)
from localrights_consultation.domain.lifecycle import Status
from localrights_consultation.models import Consultation
from localrights_consultation.schemas import ResultsRead
from localrights_consultation.service import downloads

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
    _may_read_results(principal, consultation)
    return await service.results_for(
        session=session,
        consultation=consultation,
        threshold=settings.suppression_threshold,
        by=by,
    )


@router.get(
    "/{consultation_id}/results/download",
    status_code=status.HTTP_200_OK,
    responses={
        **problem_responses(403, 404, 422),
        200: {
            "content": {"text/csv": {}, "application/json": {}},
            "description": "Every breakdown of the results, named after the consultation",
        },
    },
)
async def download_results(
    consultation: ValidConsultation,
    session: SessionDep,
    settings: SettingsDep,
    principal: OptionalPrincipal,
    format: Annotated[Literal["csv", "json"], Query()] = "csv",
    lang: Annotated[
        str | None, Query(max_length=20, description="Language of the CSV's labels")
    ] = None,
) -> Response:
    """The results with every breakdown as CSV or JSON (public once published; owner live)."""
    _may_read_results(principal, consultation)
    threshold = settings.suppression_threshold
    results = await service.all_results_for(
        session=session, consultation=consultation, threshold=threshold
    )
    language = downloads.file_language(consultation, lang)
    if format == "csv":
        body = downloads.results_csv(consultation, results, language)
        media = "text/csv; charset=utf-8"
    else:
        body = downloads.results_json(consultation, results, threshold=threshold)
        media = "application/json"
    title = downloads.pick(consultation.title, language)
    return Response(
        body,
        media_type=media,
        headers={
            "content-disposition": downloads.attachment(title, f"results.{format}"),
            # Final once published; the owner's live figures must not be cached.
            "cache-control": "public, max-age=300"
            if consultation.status == Status.PUBLISHED
            else "no-store",
        },
    )


def _may_read_results(principal: Principal | None, consultation: Consultation) -> None:
    if consultation.status != Status.PUBLISHED and not acts_for_owner(principal, consultation):
        raise Forbidden("results are public once the consultation's owner publishes them")


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
        results = await service.results_for(
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
