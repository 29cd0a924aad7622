"""Institutions: the projection of the recommendations service's register."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import or_
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights_notifications.models import Institution


async def upsert(session: AsyncSession, *, id: UUID, changed_at: datetime, **values: Any) -> bool:
    """Keep the newest fact of an institution; False if an older one arrived late."""
    row = {"id": id, **values, "changed_at": changed_at}
    statement = insert(Institution).values(**row)
    applied = (
        await session.exec(
            statement.on_conflict_do_update(
                index_elements=["id"],
                set_={k: statement.excluded[k] for k in row if k != "id"},
                where=Institution.changed_at <= statement.excluded.changed_at,
            ).returning(col(Institution.id))
        )
    ).first()
    return applied is not None


async def active_in(session: AsyncSession, jurisdictions: Sequence[str]) -> Sequence[UUID]:
    """The active institutions of these jurisdictions, or of their subdivisions."""
    # An invited jurisdiction covers itself and its subdivisions ("UY" covers "UY-CA"),
    # as the recommendations service decides who may answer.
    jurisdiction = col(Institution.jurisdiction)
    rows = await session.exec(
        select(Institution.id).where(
            or_(
                jurisdiction.in_(jurisdictions),
                *(jurisdiction.startswith(f"{j}-") for j in jurisdictions),
            ),
            col(Institution.active).is_(True),
        )
    )
    return rows.all()


async def ministries_of(session: AsyncSession, country: str) -> Sequence[UUID]:
    """The country's ministries."""
    rows = await session.exec(
        select(Institution.id).where(Institution.kind == "ministry", Institution.country == country)
    )
    return rows.all()
