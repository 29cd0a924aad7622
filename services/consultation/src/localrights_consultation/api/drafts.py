"""Editing a draft consultation."""

from __future__ import annotations

from fastapi import APIRouter, status

from localrights.errors import problem_responses
from localrights.uow import UnitOfWorkDep
from localrights_consultation import service
from localrights_consultation.deps import OwnedConsultation
from localrights_consultation.schemas import ConsultationRead, ConsultationUpdate
from localrights_consultation.service.drafts import update_draft

router = APIRouter(prefix="/consultations", tags=["consultations"])


@router.patch(
    "/{consultation_id}",
    status_code=status.HTTP_200_OK,
    response_model=ConsultationRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def edit_draft(
    consultation: OwnedConsultation, data: ConsultationUpdate, uow: UnitOfWorkDep
) -> ConsultationRead:
    """Change a draft consultation (its owner); once opened it can no longer be edited."""
    async with uow:
        edited = await update_draft(uow, consultation=consultation, data=data)
    return service.to_read(edited)
