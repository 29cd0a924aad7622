"""Dependencies of the consultation routes."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends

from localrights.auth import Principal, Role, require_roles
from localrights.db import SessionDep
from localrights_consultation import service
from localrights_consultation.models import Consultation

ConsultationOwner = Annotated[
    Principal, Depends(require_roles(Role.INSTITUTION_OFFICER, Role.MINISTRY_OFFICER))
]


async def valid_consultation(consultation_id: UUID, session: SessionDep) -> Consultation:
    return await service.get_consultation_or_raise(session=session, id=consultation_id)


ValidConsultation = Annotated[Consultation, Depends(valid_consultation)]
