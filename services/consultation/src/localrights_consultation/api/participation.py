"""Routes for taking part: participation codes and residents' responses."""

from __future__ import annotations

import io
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response, status

from localrights import csvsafe
from localrights.errors import PayloadTooLarge, problem_responses
from localrights.uow import UnitOfWorkDep
from localrights_consultation import service
from localrights_consultation.deps import (
    OwnedConsultation,
    SettingsDep,
    SubmissionsDep,
)
from localrights_consultation.exceptions import InvalidDefinition
from localrights_consultation.schemas import CodesCreate, CodesRead, ResponseCreate, ResponseRead

router = APIRouter(prefix="/consultations", tags=["participation"])


@router.post(
    "/{consultation_id}/codes",
    status_code=status.HTTP_201_CREATED,
    response_model=CodesRead,
    responses={
        **problem_responses(401, 403, 404, 409, 422),
        201: {"content": {"text/csv": {}}, "description": "The codes, shown this once"},
    },
)
async def create_codes(
    data: CodesCreate,
    consultation: OwnedConsultation,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> CodesRead | Response:
    """Make one-time participation codes; shown once (JSON or CSV to print), stored hashed."""
    if data.count > settings.max_codes_per_request:
        raise InvalidDefinition([f"count: at most {settings.max_codes_per_request} per request"])
    async with uow:
        codes = await service.issue_codes(uow, consultation=consultation, count=data.count)
    if format == "json":
        return CodesRead(consultation_id=consultation.id, count=len(codes), codes=codes)
    buffer = io.StringIO()
    writer = csvsafe.writer(buffer)
    writer.writerow(["consultation_id", "code"])
    writer.writerows([str(consultation.id), code] for code in codes)
    return Response(
        buffer.getvalue(),
        status_code=status.HTTP_201_CREATED,
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="codes-{consultation.id}.csv"',
            "cache-control": "no-store",
        },
    )


@router.post(
    "/{consultation_id}/responses",
    status_code=status.HTTP_201_CREATED,
    response_model=ResponseRead,
    responses=problem_responses(403, 404, 409, 413, 422, 429),
)
async def submit_response(
    consultation_id: UUID,
    data: ResponseCreate,
    request: Request,
    submissions: SubmissionsDep,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)
    ] = None,
) -> Response:
    """Answer a consultation (anyone; code-mode needs a code). 201 only once stored."""
    settings = submissions.settings
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > settings.max_response_bytes:
        raise PayloadTooLarge(f"a response may be at most {settings.max_response_bytes} bytes")
    stored, replayed = await service.submit_response(
        sessions=submissions.sessions,
        ingest=submissions.ingest,
        definitions=submissions.definitions,
        consultation_id=consultation_id,
        data=data,
        idempotency_key=idempotency_key,
        client_key=submissions.client,
        per_client_limit=settings.responses_per_client,
        per_client_window=settings.responses_per_client_window_seconds,
    )
    # Serialised here rather than by response_model (validated again, then dumped): the
    # same JSON in one step, on the hot path.
    return Response(
        stored.model_dump_json(),
        status_code=status.HTTP_201_CREATED,
        media_type="application/json",
        headers={"idempotent-replayed": "true"} if replayed else None,
    )
