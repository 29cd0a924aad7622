"""Routes of recurring recommendations: suggestions to confirm, and the ministry's calls."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, status

from localrights.db import SessionDep
from localrights.errors import Forbidden, problem_responses
from localrights.uow import UnitOfWorkDep
from localrights_recommendations.deps import MinistryOfficer
from localrights_recommendations.follow_up_schemas import RecurrenceLinkRead, RecurrencePage
from localrights_recommendations.schemas import COUNTRY
from localrights_recommendations.service import recurrence

router = APIRouter(prefix="/recurrences", tags=["recurring recommendations"])


@router.get(
    "",
    status_code=status.HTTP_200_OK,
    response_model=RecurrencePage,
    responses=problem_responses(422),
)
async def list_recurrences(
    session: SessionDep,
    country: Annotated[str, Query(pattern=COUNTRY)],
    status_filter: Annotated[
        Literal["suggested", "confirmed", "rejected"] | None, Query(alias="status")
    ] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RecurrencePage:
    """New-cycle recommendations that repeat earlier ones to the same State (public)."""
    return await recurrence.list_links(
        session, country=country, status=status_filter, page=page, page_size=page_size
    )


@router.post(
    "/suggest",
    status_code=status.HTTP_200_OK,
    responses=problem_responses(401, 403, 422),
)
async def suggest(
    principal: MinistryOfficer,
    uow: UnitOfWorkDep,
    country: Annotated[str, Query(pattern=COUNTRY)],
) -> dict[str, int]:
    """Look for repeats again in the country's recommendations (an import does it by itself)."""
    if not principal.is_admin and principal.country != country:
        raise Forbidden("a ministry looks for repeats in its own country's recommendations")
    async with uow:
        added = await recurrence.suggest_for_country(uow, country=country)
    return {"suggested": added}


@router.post(
    "/{link_id}/confirm",
    status_code=status.HTTP_200_OK,
    response_model=RecurrenceLinkRead,
    responses=problem_responses(401, 403, 404, 409),
)
async def confirm(
    link_id: UUID, principal: MinistryOfficer, uow: UnitOfWorkDep
) -> RecurrenceLinkRead:
    """Confirm that the later recommendation repeats the earlier one: its timeline continues."""
    async with uow:
        return await recurrence.decide(uow, principal=principal, link_id=link_id, confirm=True)


@router.post(
    "/{link_id}/reject",
    status_code=status.HTTP_200_OK,
    response_model=RecurrenceLinkRead,
    responses=problem_responses(401, 403, 404, 409),
)
async def reject(
    link_id: UUID, principal: MinistryOfficer, uow: UnitOfWorkDep
) -> RecurrenceLinkRead:
    """Reject a suggestion: the two recommendations ask for different things."""
    async with uow:
        return await recurrence.decide(uow, principal=principal, link_id=link_id, confirm=False)
