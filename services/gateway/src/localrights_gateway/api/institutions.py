"""Institutions: public bodies acting on the platform. Anyone reads; admins write."""

from __future__ import annotations

from fastapi import APIRouter, Query, status

from localrights.db import SessionDep
from localrights.errors import problem_responses
from localrights.uow import UnitOfWorkDep
from localrights_gateway import service
from localrights_gateway.deps import Admin, Standings, ValidInstitution
from localrights_gateway.domain import InstitutionKind
from localrights_gateway.models import Institution
from localrights_gateway.schemas import InstitutionCreate, InstitutionRead, InstitutionUpdate

router = APIRouter(prefix="/institutions", tags=["institutions"])


def _read(institution: Institution) -> InstitutionRead:
    return InstitutionRead.model_validate(institution, from_attributes=True)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=InstitutionRead,
    responses=problem_responses(401, 403, 422),
)
async def register_institution(
    data: InstitutionCreate, uow: UnitOfWorkDep, _admin: Admin
) -> InstitutionRead:
    """Register an institution (admin); emits institution.registered."""
    async with uow:
        institution = await service.register_institution(uow, data=data)
    return _read(institution)


@router.get("", status_code=status.HTTP_200_OK, response_model=list[InstitutionRead])
async def list_institutions(
    session: SessionDep,
    country: str | None = Query(default=None, pattern=r"^[A-Za-z]{2}$"),
    jurisdiction: str | None = Query(default=None, max_length=6),
    q: str | None = Query(default=None, max_length=200, description="A part of the name"),
    kind: InstitutionKind | None = None,
    place: str | None = Query(
        default=None,
        pattern=r"^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$",
        description="A country or subdivision code: institutions in it or in a place inside it",
    ),
) -> list[InstitutionRead]:
    """Institutions by name, kind and place, for pickers (public)."""
    found = await service.list_institutions(
        session=session, country=country, jurisdiction=jurisdiction, name=q, kind=kind, place=place
    )
    return [_read(i) for i in found]


@router.get(
    "/{institution_id}",
    status_code=status.HTTP_200_OK,
    response_model=InstitutionRead,
    responses=problem_responses(404),
)
async def get_institution(institution: ValidInstitution) -> InstitutionRead:
    """One institution (public)."""
    return _read(institution)


@router.patch(
    "/{institution_id}",
    status_code=status.HTTP_200_OK,
    response_model=InstitutionRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def update_institution(
    _admin: Admin,
    institution: ValidInstitution,
    data: InstitutionUpdate,
    uow: UnitOfWorkDep,
    standings: Standings,
) -> InstitutionRead:
    """Change an institution's name, kind, place or status (admin); emits institution.updated.

    Deactivating it ends its people's sessions within GATEWAY_ACCESS_CACHE_SECONDS and stops
    its API keys at once.
    """
    async with uow:
        updated = await service.update_institution(uow, institution=institution, data=data)
    standings.clear()  # its people's standings changed; which users they are is not at hand
    return _read(updated)
