"""Routes of local indicators: define, link to recommendations, observe in a place, read."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response, status

from localrights.db import SessionDep
from localrights.errors import problem_responses
from localrights.places import codes_within
from localrights.uow import UnitOfWorkDep
from localrights_recommendations.deps import AudienceDep, InstitutionOrMinistryOfficer
from localrights_recommendations.follow_up_models import Indicator
from localrights_recommendations.follow_up_schemas import (
    IndicatorCreate,
    IndicatorFields,
    IndicatorRead,
    IndicatorSeries,
    ObservationCreate,
    ObservationRead,
)
from localrights_recommendations.schemas import COUNTRY, JURISDICTION
from localrights_recommendations.service import indicators

router = APIRouter(prefix="/indicators", tags=["indicators"])


async def _visible_indicator(
    indicator_id: UUID, audience: AudienceDep, session: SessionDep
) -> Indicator:
    return await indicators.get_indicator_or_raise(session, id=indicator_id, audience=audience)


VisibleIndicator = Annotated[Indicator, Depends(_visible_indicator)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=IndicatorRead,
    responses=problem_responses(401, 403, 422),
)
async def create_indicator(
    data: IndicatorCreate, principal: InstitutionOrMinistryOfficer, uow: UnitOfWorkDep
) -> IndicatorRead:
    """Define a local indicator of the caller's institution, linked to recommendations."""
    async with uow:
        return await indicators.create_indicator(uow, principal=principal, data=data)


@router.get(
    "",
    status_code=status.HTTP_200_OK,
    response_model=list[IndicatorRead],
    responses=problem_responses(422),
)
async def list_indicators(
    audience: AudienceDep,
    session: SessionDep,
    country: Annotated[str | None, Query(pattern=COUNTRY)] = None,
    place: Annotated[str | None, Query(pattern=JURISDICTION)] = None,
    recommendation_id: UUID | None = None,
) -> list[IndicatorRead]:
    """Indicators the caller may see, by country, place observed or recommendation measured."""
    return await indicators.list_indicators(
        session,
        audience=audience,
        country=country,
        place=sorted(codes_within(place)) if place else None,
        recommendation_id=recommendation_id,
    )


@router.get(
    "/{indicator_id}",
    status_code=status.HTTP_200_OK,
    response_model=IndicatorRead,
    responses=problem_responses(404),
)
async def get_indicator(indicator: VisibleIndicator, session: SessionDep) -> IndicatorRead:
    """One indicator (public once its institution publishes its follow-up)."""
    linked = await indicators.linked_recommendations(session, indicator)
    return indicators.read(indicator, linked)


@router.patch(
    "/{indicator_id}",
    status_code=status.HTTP_200_OK,
    response_model=IndicatorRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def update_indicator(
    indicator: VisibleIndicator,
    data: IndicatorFields,
    principal: InstitutionOrMinistryOfficer,
    uow: UnitOfWorkDep,
) -> IndicatorRead:
    """Change an indicator's names, baseline, target, source, schedule or recommendations."""
    async with uow:
        return await indicators.update_indicator(
            uow, principal=principal, indicator=indicator, data=data
        )


@router.post(
    "/{indicator_id}/observations",
    status_code=status.HTTP_201_CREATED,
    response_model=ObservationRead,
    responses={
        **problem_responses(401, 403, 404, 422),
        200: {"model": ObservationRead, "description": "A correction of a value given before"},
    },
)
async def record_observation(
    indicator: VisibleIndicator,
    data: ObservationCreate,
    principal: InstitutionOrMinistryOfficer,
    uow: UnitOfWorkDep,
    response: Response,
) -> ObservationRead:
    """Record the indicator's value in the caller's place (the same day again corrects it)."""
    async with uow:
        observation, new = await indicators.record_observation(
            uow, principal=principal, indicator=indicator, data=data
        )
    if not new:
        response.status_code = status.HTTP_200_OK
    return observation


@router.get(
    "/{indicator_id}/observations",
    status_code=status.HTTP_200_OK,
    response_model=list[IndicatorSeries],
    responses=problem_responses(404, 422),
)
async def observations(
    indicator: VisibleIndicator,
    audience: AudienceDep,
    session: SessionDep,
    place: Annotated[str | None, Query(pattern=JURISDICTION)] = None,
) -> list[IndicatorSeries]:
    """The indicator's values per place over time, with progress from baseline to target."""
    return await indicators.series(
        session,
        indicators=[indicator],
        audience=audience,
        jurisdictions=sorted(codes_within(place)) if place else None,
    )
