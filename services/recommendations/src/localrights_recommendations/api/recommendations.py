"""Routes for recommendations: public search, import and ownership (ministry)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from localrights.db import SessionDep
from localrights.errors import problem_responses
from localrights.uow import UnitOfWorkDep
from localrights_recommendations.deps import MinistryOfficer, SettingsDep, ValidRecommendation
from localrights_recommendations.models import Recommendation
from localrights_recommendations.schemas import (
    ImportReport,
    RecommendationPage,
    RecommendationQuery,
    RecommendationRead,
    RecommendationUpdate,
    SourceFormat,
)
from localrights_recommendations.service import importing, recommendations

router = APIRouter(prefix="/recommendations", tags=["recommendations"])

_IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "description": "A UHRI export (CSV or JSON) or a UPR Info CSV export, sent as the body",
        "content": {
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            "application/x-ndjson": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def _read(recommendation: Recommendation) -> RecommendationRead:
    return RecommendationRead.model_validate(recommendation, from_attributes=True)


@router.get(
    "",
    status_code=status.HTTP_200_OK,
    response_model=RecommendationPage,
    responses=problem_responses(422),
)
async def search_recommendations(
    session: SessionDep,
    criteria: Annotated[RecommendationQuery, Query()],
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> RecommendationPage:
    """Search recommendations by text, country, mechanism, theme, SDG target, group, owner."""
    items, total = await recommendations.search_recommendations(
        session=session, criteria=criteria, page=page, page_size=page_size
    )
    return RecommendationPage(
        items=[_read(r) for r in items], total=total, page=page, page_size=page_size
    )


@router.post(
    "/import",
    status_code=status.HTTP_200_OK,
    response_model=ImportReport,
    responses=problem_responses(401, 403, 413, 422),
    openapi_extra=_IMPORT_BODY,
)
async def import_recommendations(
    request: Request,
    uow: UnitOfWorkDep,
    principal: MinistryOfficer,
    settings: SettingsDep,
    format: SourceFormat = "auto",
    encoding: Annotated[str, Query(max_length=40)] = "auto",
) -> ImportReport:
    """Import a UHRI or UPR Info export; every rejected row is reported with its line."""
    async with uow:
        return await importing.import_recommendations(
            uow,
            body=request.stream(),
            source_format=format,
            encoding=encoding,
            content_type=request.headers.get("content-type"),
            imported_by=principal.subject,
            batch_size=settings.import_batch_size,
            report_limit=settings.import_report_limit,
            max_bytes=settings.import_max_bytes,
        )


@router.get(
    "/{recommendation_id}",
    status_code=status.HTTP_200_OK,
    response_model=RecommendationRead,
    responses=problem_responses(404),
)
async def get_recommendation(recommendation: ValidRecommendation) -> RecommendationRead:
    """One recommendation (public)."""
    return _read(recommendation)


@router.patch(
    "/{recommendation_id}",
    status_code=status.HTTP_200_OK,
    response_model=RecommendationRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def update_recommendation(
    recommendation: ValidRecommendation,
    data: RecommendationUpdate,
    uow: UnitOfWorkDep,
    principal: MinistryOfficer,  # noqa: ARG001  (only ministries say who owns what)
) -> RecommendationRead:
    """Say which level of government owns a recommendation, and which jurisdictions."""
    async with uow:
        updated = await recommendations.update_recommendation(
            uow, recommendation=recommendation, data=data
        )
    return _read(updated)
