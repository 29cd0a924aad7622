"""Finding consultations: a page for a viewer (drafts only for their owner), feeds of a place."""

from __future__ import annotations

from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from localrights_consultation.models import Consultation
from localrights_consultation.repository import consultations as repository
from localrights_consultation.repository.consultations import Filters
from localrights_consultation.schemas import ConsultationPage
from localrights_consultation.service.consultations import to_read

__all__ = ["Filters", "list_consultations", "recent_in_place"]


async def list_consultations(
    *,
    session: AsyncSession,
    viewer_institution: UUID | None,
    filters: Filters,
    limit: int = 20,
    offset: int = 0,
) -> ConsultationPage:
    """Consultations newest first, with the total for pagination."""
    rows, total = await repository.find_consultations(
        session, filters=filters, viewer_institution=viewer_institution, limit=limit, offset=offset
    )
    return ConsultationPage(
        items=[to_read(c) for c in rows], total=total, limit=limit, offset=offset
    )


async def recent_in_place(
    *, session: AsyncSession, filters: Filters, limit: int
) -> list[Consultation]:
    """Public consultations of a place, the most recently opened or published first (feeds)."""
    return await repository.recent_in_place(session, filters=filters, limit=limit)
