"""Reading an institution's inbox as mail: filtered by kind and country, one item at a time,
read and unread again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.uow import UnitOfWork, event_source
from localrights_notifications import exceptions
from localrights_notifications.models import InboxItem


async def list_items(
    *,
    session: AsyncSession,
    institution_id: UUID,
    unread_only: bool,
    kind: str | None,
    country: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[InboxItem], int, int]:
    """One page of items, newest first; the number that match and the number unread."""
    conditions: list[Any] = [InboxItem.institution_id == institution_id]
    if kind:
        conditions.append(InboxItem.kind == kind)
    if country:
        # Every notification's facts carry the country it is about (alerts, exercises,
        # consultations alike), so no column of its own is needed to filter on it.
        conditions.append(col(InboxItem.facts)["country"].astext == country.upper())
    listed = [*conditions, col(InboxItem.read_at).is_(None)] if unread_only else conditions
    total = (await session.exec(select(func.count()).select_from(InboxItem).where(*listed))).one()
    unread = (
        await session.exec(
            select(func.count())
            .select_from(InboxItem)
            .where(*conditions, col(InboxItem.read_at).is_(None))
        )
    ).one()
    rows = await session.exec(
        select(InboxItem)
        .where(*listed)
        .order_by(col(InboxItem.created_at).desc(), col(InboxItem.id))
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), int(total), int(unread)


async def get_item_or_raise(
    *, session: AsyncSession, institution_id: UUID, item_id: UUID
) -> InboxItem:
    """An item of this institution's inbox; another's is as unknown as a missing one (404)."""
    item = await session.get(InboxItem, item_id)
    if item is None or item.institution_id != institution_id:
        raise exceptions.InboxItemNotFound()
    return item


async def mark_unread(*, session: AsyncSession, institution_id: UUID, item_id: UUID) -> InboxItem:
    """Put an item back among the unread ones (to come back to it later)."""
    item = await get_item_or_raise(session=session, institution_id=institution_id, item_id=item_id)
    if item.read_at is not None:
        async with UnitOfWork(session, source=event_source("notifications")):
            item.read_at = None
            session.add(item)
    return item
