"""Dependencies of the consultation routes: who may see and do what with a consultation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.app import app_settings
from localrights.auth import OptionalPrincipal, Principal, Role, require_roles, verified_caller
from localrights.db import SessionDep
from localrights.runtime import ServiceRuntime
from localrights_consultation import service
from localrights_consultation.config import Settings
from localrights_consultation.domain.lifecycle import Status
from localrights_consultation.exceptions import ConsultationNotFound, NotOwner
from localrights_consultation.ingest import IngestPool
from localrights_consultation.models import Consultation
from localrights_consultation.service import DefinitionCache

Officer = Annotated[
    Principal, Depends(require_roles(Role.INSTITUTION_OFFICER, Role.MINISTRY_OFFICER))
]


SettingsDep = Annotated[Settings, Depends(app_settings)]


@dataclass(frozen=True)
class Submissions:
    """What the submission route needs, as one dependency: on the hot path each counts."""

    settings: Settings
    definitions: DefinitionCache
    ingest: IngestPool
    sessions: async_sessionmaker[AsyncSession]
    client: str | None  # the gateway's pseudonymous key of the caller (None: called directly)


# async: FastAPI runs plain ``def`` dependencies in a thread pool, a hop per request.
async def get_submissions(request: Request) -> Submissions:
    """The caller read here rather than by a dependency of its own: a level of FastAPI's
    dependency solving fewer per submission."""
    state = request.app.state
    runtime: ServiceRuntime = state.runtime
    caller = verified_caller(request)
    return Submissions(
        settings=state.settings,
        definitions=state.definitions,
        ingest=state.ingest,
        sessions=runtime.sessions,
        client=caller.client if caller is not None else None,
    )


SubmissionsDep = Annotated[Submissions, Depends(get_submissions)]


def acts_for_owner(principal: Principal | None, consultation: Consultation) -> bool:
    """Whether the caller acts for the institution that owns the consultation."""
    return (
        principal is not None
        and principal.institution_id is not None
        and principal.institution_id == consultation.institution_id
    )


async def valid_consultation(
    consultation_id: UUID, session: SessionDep, principal: OptionalPrincipal
) -> Consultation:
    """The consultation, or 404; a draft exists only for the institution that owns it."""
    consultation = await service.get_consultation_or_raise(session=session, id=consultation_id)
    if consultation.status == Status.DRAFT and not acts_for_owner(principal, consultation):
        raise ConsultationNotFound()
    return consultation


ValidConsultation = Annotated[Consultation, Depends(valid_consultation)]


async def managed_consultation(consultation: ValidConsultation, principal: Officer) -> Consultation:
    """For the lifecycle: the owning institution's officers, or an administrator."""
    if not (principal.is_admin or acts_for_owner(principal, consultation)):
        raise NotOwner()
    return consultation


async def owned_consultation(consultation: ValidConsultation, principal: Officer) -> Consultation:
    """For codes and raw exports: only the owning institution's officers."""
    if not acts_for_owner(principal, consultation):
        raise NotOwner()
    return consultation


ManagedConsultation = Annotated[Consultation, Depends(managed_consultation)]
OwnedConsultation = Annotated[Consultation, Depends(owned_consultation)]
