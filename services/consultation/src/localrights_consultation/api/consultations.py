"""Routes for consultations: define, list, read, and the lifecycle."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Body, Query, status

from localrights.auth import OptionalPrincipal
from localrights.db import SessionDep
from localrights.errors import Forbidden, problem_responses
from localrights.uow import UnitOfWorkDep
from localrights_consultation import service
from localrights_consultation.deps import (
    ManagedConsultation,
    Officer,
    SettingsDep,
    ValidConsultation,
)
from localrights_consultation.domain.topics import TOPICS
from localrights_consultation.exceptions import InvalidDefinition
from localrights_consultation.schemas import (
    ConsultationCreate,
    ConsultationPage,
    ConsultationPublish,
    ConsultationRead,
)

router = APIRouter(prefix="/consultations", tags=["consultations"])

JURISDICTION = r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$"
SDG = r"^(1[0-7]|[1-9])(\.([1-9][0-9]?|[a-z]))?$"


def filters_of(
    *,
    place: list[str],
    topic: str | None,
    municipality: str | None = None,
    q: str | None = None,
    **others: Any,
) -> service.Filters:
    """The listing's filters, each checked: a 422 names the bad one."""
    problems = [
        f"place: {code!r} is not an ISO 3166 country or subdivision code (UY, UY-CA)"
        for code in place
        if not re.match(JURISDICTION, code)
    ]
    if topic is not None and topic not in TOPICS:
        problems.append(f"topic: {topic!r} is not a topic; use one of {', '.join(TOPICS)}")
    if problems:
        raise InvalidDefinition(problems)
    return service.Filters(
        places=tuple(place),
        topic=topic,
        municipality=(municipality or "").strip() or None,
        words=(q or "").strip() or None,
        **others,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ConsultationRead,
    responses=problem_responses(401, 403, 422),
)
async def create_consultation(
    data: ConsultationCreate, uow: UnitOfWorkDep, principal: Officer
) -> ConsultationRead:
    """Create a draft consultation owned by the caller's institution."""
    if principal.institution_id is None:
        raise Forbidden("only an officer of an institution can create a consultation")
    async with uow:
        consultation = await service.create_consultation(
            uow, institution_id=principal.institution_id, data=data
        )
    return service.to_read(consultation)


@router.get(
    "",
    status_code=status.HTTP_200_OK,
    response_model=ConsultationPage,
    responses=problem_responses(422),
)
async def list_consultations(
    session: SessionDep,
    principal: OptionalPrincipal,
    status_: Annotated[
        Literal["draft", "open", "closed", "published"] | None, Query(alias="status")
    ] = None,
    jurisdiction: Annotated[str | None, Query(pattern=JURISDICTION)] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    place: Annotated[
        list[str],
        Query(
            max_length=50,
            description="ISO 3166 codes: a country, or a subdivision with those inside it; "
            "several codes (and municipality) widen the search",
        ),
    ] = [],  # noqa: B006 (FastAPI copies the default; a list query needs one)
    municipality: Annotated[str | None, Query(max_length=200)] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Words in the title, description or municipality"),
    ] = None,
    topic: Annotated[str | None, Query(max_length=40)] = None,
    sdg: Annotated[
        str | None, Query(pattern=SDG, description="An SDG (11) or one of its targets (11.1)")
    ] = None,
    language: Annotated[str | None, Query(max_length=20)] = None,
    institution_id: Annotated[UUID | None, Query(description="Owner institution")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ConsultationPage:
    """Consultations, newest first (public; drafts only for their owner)."""
    return await service.list_consultations(
        session=session,
        viewer_institution=principal.institution_id if principal else None,
        filters=filters_of(
            status=status_,
            jurisdiction=jurisdiction,
            country=country,
            place=place,
            municipality=municipality,
            q=q,
            topic=topic,
            sdg=sdg,
            language=language,
            institution_id=institution_id,
        ),
        limit=limit,
        offset=offset,
    )


@router.get(
    "/{consultation_id}",
    status_code=status.HTTP_200_OK,
    response_model=ConsultationRead,
    responses=problem_responses(404),
)
async def get_consultation(consultation: ValidConsultation) -> ConsultationRead:
    """One consultation with its questions (public; a draft only for its owner)."""
    return service.to_read(consultation)


@router.post(
    "/{consultation_id}/open",
    status_code=status.HTTP_200_OK,
    response_model=ConsultationRead,
    responses=problem_responses(401, 403, 404, 409),
)
async def open_consultation(
    consultation: ManagedConsultation, uow: UnitOfWorkDep
) -> ConsultationRead:
    """Open a draft consultation for responses (from its opens_at)."""
    async with uow:
        opened = await service.open_consultation(uow, consultation=consultation)
    return service.to_read(opened)


@router.post(
    "/{consultation_id}/close",
    status_code=status.HTTP_200_OK,
    response_model=ConsultationRead,
    responses=problem_responses(401, 403, 404, 409),
)
async def close_consultation(
    consultation: ManagedConsultation, uow: UnitOfWorkDep
) -> ConsultationRead:
    """Close an open consultation now (it also closes by itself at closes_at)."""
    async with uow:
        closed = await service.close_consultation(uow, consultation=consultation)
    return service.to_read(closed)


@router.post(
    "/{consultation_id}/publish",
    status_code=status.HTTP_200_OK,
    response_model=ConsultationRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def publish_consultation(
    consultation: ManagedConsultation,
    uow: UnitOfWorkDep,
    settings: SettingsDep,
    data: Annotated[ConsultationPublish | None, Body()] = None,
) -> ConsultationRead:
    """Publish a closed consultation's results, optionally saying what happens next."""
    async with uow:
        published = await service.publish_consultation(
            uow, consultation=consultation, threshold=settings.suppression_threshold, data=data
        )
    return service.to_read(published)
