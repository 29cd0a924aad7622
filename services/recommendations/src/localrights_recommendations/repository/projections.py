"""SQL of what this service keeps of other services' facts: institutions (names and places
for coverage and the annex) and published consultation results (shown beside the inputs
that cite them).

Events may arrive late or twice: a row is replaced only by facts at least as recent.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights_recommendations.models import ConsultationResult, Institution


async def _keep_latest(
    session: AsyncSession, model: type[SQLModel], *, key: str, as_of: str, values: dict[str, Any]
) -> None:
    """Insert ``values``, or replace the row with the same ``key`` unless its ``as_of`` is
    later."""
    statement = insert(model).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[key],
        set_={k: statement.excluded[k] for k in values if k != key},
        where=model.__table__.c[as_of] <= statement.excluded[as_of],  # type: ignore[attr-defined]
    )
    await session.exec(statement)


async def keep_consultation_result(session: AsyncSession, values: dict[str, Any]) -> None:
    """A consultation's published summary, unless a later publication is kept."""
    await _keep_latest(
        session, ConsultationResult, key="consultation_id", as_of="published_at", values=values
    )


async def keep_institution(session: AsyncSession, values: dict[str, Any]) -> None:
    """An institution's facts, unless a later change of it is kept."""
    await _keep_latest(session, Institution, key="id", as_of="changed_at", values=values)
