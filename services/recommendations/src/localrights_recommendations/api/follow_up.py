"""Routes of follow-up: statuses reported and reviewed, publication, dashboards, files, feed."""

from __future__ import annotations

import json
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response, status

from localrights.db import SessionDep
from localrights.errors import problem_responses
from localrights.uow import UnitOfWorkDep
from localrights_recommendations.dashboard_schemas import (
    CountryDashboard,
    PlaceDashboard,
    RecommendationTimeline,
)
from localrights_recommendations.deps import (
    AudienceDep,
    InstitutionOrMinistryOfficer,
    MinistryOfficer,
    SettingsDep,
    ValidRecommendation,
)
from localrights_recommendations.follow_up_schemas import (
    PublicationRead,
    PublicationUpdate,
    StatusEntryPage,
    StatusEntryRead,
    StatusReturn,
    StatusUpdate,
    StatusValidation,
)
from localrights_recommendations.schemas import COUNTRY, JURISDICTION
from localrights_recommendations.service import dashboards, exports, follow_up

router = APIRouter(prefix="/follow-up", tags=["follow-up"])

Country = Annotated[str, Path(pattern=COUNTRY, examples=["IT"])]
Place = Annotated[str, Path(pattern=JURISDICTION, examples=["IT-BO"])]
Language = Literal["en", "fr", "es"]


@router.post(
    "/statuses",
    status_code=status.HTTP_201_CREATED,
    response_model=StatusEntryRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def report_status(
    data: StatusUpdate, principal: InstitutionOrMinistryOfficer, uow: UnitOfWorkDep
) -> StatusEntryRead:
    """Report where a recommendation stands in the caller's place (a new timeline entry)."""
    async with uow:
        return await follow_up.report_status(uow, principal=principal, data=data)


@router.post(
    "/statuses/{entry_id}/validate",
    status_code=status.HTTP_200_OK,
    response_model=StatusEntryRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def validate_status(
    entry_id: UUID,
    principal: MinistryOfficer,
    uow: UnitOfWorkDep,
    data: StatusValidation | None = None,
) -> StatusEntryRead:
    """Validate a reported status (the ministry of its country): a validation entry is added."""
    async with uow:
        return await follow_up.validate_status(
            uow, principal=principal, entry_id=entry_id, comment=data.comment if data else None
        )


@router.post(
    "/statuses/{entry_id}/return",
    status_code=status.HTTP_200_OK,
    response_model=StatusEntryRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def return_status(
    entry_id: UUID, data: StatusReturn, principal: MinistryOfficer, uow: UnitOfWorkDep
) -> StatusEntryRead:
    """Return a reported status to its institution with a comment saying why."""
    async with uow:
        return await follow_up.return_status(
            uow, principal=principal, entry_id=entry_id, comment=data.comment
        )


@router.get(
    "/reviews",
    status_code=status.HTTP_200_OK,
    response_model=StatusEntryPage,
    responses=problem_responses(401, 403, 422),
)
async def pending_reviews(
    principal: MinistryOfficer,
    session: SessionDep,
    country: Annotated[str, Query(pattern=COUNTRY)],
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> StatusEntryPage:
    """Reported statuses of the ministry's country waiting for validation, oldest first."""
    items, total = await follow_up.pending_reviews(
        session,
        principal=principal,
        country=country,
        limit=page_size,
        offset=(page - 1) * page_size,
    )
    return StatusEntryPage(items=items, total=total)


@router.get(
    "/publication",
    status_code=status.HTTP_200_OK,
    response_model=PublicationRead,
    responses=problem_responses(401, 403),
)
async def get_publication(
    principal: InstitutionOrMinistryOfficer, session: SessionDep
) -> PublicationRead:
    """Whether the caller's institution publishes its follow-up."""
    return await follow_up.publication(session, principal=principal)


@router.put(
    "/publication",
    status_code=status.HTTP_200_OK,
    response_model=PublicationRead,
    responses=problem_responses(401, 403, 422),
)
async def set_publication(
    data: PublicationUpdate, principal: InstitutionOrMinistryOfficer, uow: UnitOfWorkDep
) -> PublicationRead:
    """Publish the institution's follow-up (timeline and indicators) to everyone, or stop."""
    async with uow:
        return await follow_up.set_publication(uow, principal=principal, published=data.published)


@router.get(
    "/recommendations/{recommendation_id}",
    status_code=status.HTTP_200_OK,
    response_model=RecommendationTimeline,
    responses=problem_responses(404),
)
async def recommendation_timeline(
    recommendation: ValidRecommendation, audience: AudienceDep, session: SessionDep
) -> RecommendationTimeline:
    """A recommendation's implementation timeline in every place, earlier cycles included."""
    return await dashboards.recommendation_timeline(
        session, recommendation=recommendation, audience=audience
    )


@router.get(
    "/places/{code}",
    status_code=status.HTTP_200_OK,
    response_model=PlaceDashboard,
    responses=problem_responses(422),
)
async def place_dashboard(
    code: Place, audience: AudienceDep, session: SessionDep
) -> PlaceDashboard:
    """A place's dashboard: statuses by theme, SDG goal, mechanism and over time; indicators."""
    return await dashboards.place_dashboard(session, code=code, audience=audience)


@router.get(
    "/countries/{code}",
    status_code=status.HTTP_200_OK,
    response_model=CountryDashboard,
    responses=problem_responses(422),
)
async def country_dashboard(
    code: Country,
    audience: AudienceDep,
    session: SessionDep,
    cycle: Annotated[int | None, Query(ge=1, le=100)] = None,
) -> CountryDashboard:
    """A country's dashboard: places × statuses, coverage, recurring recommendations."""
    return await dashboards.country_dashboard(session, country=code, cycle=cycle, audience=audience)


_MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


@router.get(
    "/export",
    status_code=status.HTTP_200_OK,
    responses={
        **problem_responses(422),
        200: {"description": "The rows", "content": {media: {} for media in _MEDIA.values()}},
    },
)
async def export(
    audience: AudienceDep,
    session: SessionDep,
    what: Literal["statuses", "timeline", "observations"] = "statuses",
    format: Literal["csv", "json"] = "csv",
    country: Annotated[str | None, Query(pattern=COUNTRY)] = None,
    place: Annotated[str | None, Query(pattern=JURISDICTION)] = None,
    recommendation_id: UUID | None = None,
) -> Response:
    """Statuses, timeline entries or indicator values (what the caller may see) as CSV or JSON."""
    fetch, _ = exports.EXPORTS[what]
    rows = await fetch(
        session,
        audience=audience,
        country=country,
        place=place,
        recommendation_id=recommendation_id,
    )
    name = "-".join(p for p in ("follow-up", place or country, what) if p)
    body = exports.as_csv(what, rows) if format == "csv" else json.dumps(rows, ensure_ascii=False)
    return Response(
        body,
        media_type=_MEDIA[format],
        headers={"content-disposition": f'attachment; filename="{name}.{format}"'},
    )


@router.get(
    "/feed.atom",
    status_code=status.HTTP_200_OK,
    responses={
        **problem_responses(422),
        200: {"description": "Atom 1.0", "content": {"application/atom+xml": {}}},
    },
)
async def feed(
    session: SessionDep,
    settings: SettingsDep,
    place: Annotated[
        str,
        Query(
            pattern=JURISDICTION,
            description="A country (IT) or a place in it (IT-BO), as ISO 3166 codes",
            examples=["IT-BO"],
        ),
    ],
    lang: Language = "en",
) -> Response:
    """What the institutions of a place (or a whole country) published lately."""
    pages = settings.public_url.rstrip("/")
    whole_country = len(place) == 2
    body = await exports.feed(
        session,
        country=place if whole_country else None,
        place=None if whole_country else place,
        language=lang,
        pages_url=pages,
        feed_url=f"{pages}/api/v1/follow-up/feed.atom?place={place}&lang={lang}",
    )
    return Response(body, media_type="application/atom+xml")
