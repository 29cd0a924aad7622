"""Use cases of the consultation service; each commits its own transaction."""

from __future__ import annotations

from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.events.catalog.consultation import ConsultationOpened
from localrights.outbox import record_event
from localrights_consultation.exceptions import ConsultationNotFound, IllegalTransition
from localrights_consultation.models import Consultation
from localrights_consultation.schemas import ConsultationCreate

SOURCE = "/consultation"


async def create_consultation(
    *, session: AsyncSession, institution_id: UUID, data: ConsultationCreate
) -> Consultation:
    consultation = Consultation(institution_id=institution_id, **data.model_dump())
    session.add(consultation)
    await session.commit()
    return consultation


async def get_consultation_or_raise(*, session: AsyncSession, id: UUID) -> Consultation:
    consultation = await session.get(Consultation, id)
    if consultation is None:
        raise ConsultationNotFound()
    return consultation


async def open_consultation(*, session: AsyncSession, consultation: Consultation) -> Consultation:
    if consultation.status != "draft":
        raise IllegalTransition(consultation.status, "opened")
    consultation.status = "open"
    session.add(consultation)
    await record_event(
        session,
        ConsultationOpened(
            consultation_id=consultation.id,
            institution_id=consultation.institution_id,
            country=consultation.country,
            jurisdiction=consultation.jurisdiction,
            municipality=consultation.municipality,
            title=consultation.title,
            participation_mode=consultation.participation_mode,
            opens_at=consultation.opens_at,
            closes_at=consultation.closes_at,
            languages=sorted(consultation.title),
        ),
        source=SOURCE,
    )
    await session.commit()
    return consultation
