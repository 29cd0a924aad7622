"""HTTP routes of the consultation service (thin: parse, call a use case, return)."""

from __future__ import annotations

from fastapi import APIRouter, status

from localrights.db import SessionDep
from localrights.errors import Forbidden, problem_responses
from localrights_consultation import service
from localrights_consultation.deps import ConsultationOwner, ValidConsultation
from localrights_consultation.models import Consultation
from localrights_consultation.schemas import ConsultationCreate, ConsultationRead

router = APIRouter(prefix="/consultations", tags=["consultations"])


def _read(consultation: Consultation) -> ConsultationRead:
    return ConsultationRead.model_validate(consultation, from_attributes=True)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ConsultationRead,
    responses=problem_responses(401, 403, 422),
)
async def create_consultation(
    data: ConsultationCreate, session: SessionDep, principal: ConsultationOwner
) -> ConsultationRead:
    """Create a draft consultation owned by the caller's institution."""
    if principal.institution_id is None:
        raise Forbidden("only an officer of an institution can create a consultation")
    consultation = await service.create_consultation(
        session=session, institution_id=principal.institution_id, data=data
    )
    return _read(consultation)


@router.get("/{consultation_id}", response_model=ConsultationRead, responses=problem_responses(404))
async def get_consultation(consultation: ValidConsultation) -> ConsultationRead:
    """One consultation (public)."""
    return _read(consultation)


@router.post(
    "/{consultation_id}/open",
    response_model=ConsultationRead,
    responses=problem_responses(401, 403, 404, 409),
)
async def open_consultation(
    consultation: ValidConsultation, session: SessionDep, principal: ConsultationOwner
) -> ConsultationRead:
    """Open a draft consultation for responses."""
    if not principal.is_admin and consultation.institution_id != principal.institution_id:
        raise Forbidden("this consultation belongs to another institution")
    return _read(await service.open_consultation(session=session, consultation=consultation))
