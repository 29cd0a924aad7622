"""Reading an institution's inbox as mail: filtered by kind and country, one item at a time,
read and unread again."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.uow import UnitOfWork, event_source
from localrights_notifications import exceptions
from localrights_notifications.models import InboxItem
from localrights_notifications.repository import inbox


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
    total = await inbox.count_items(
        session, institution_id=institution_id, unread_only=unread_only, kind=kind, country=country
    )
    unread = await inbox.count_items(
        session, institution_id=institution_id, unread_only=True, kind=kind, country=country
    )
    rows = await inbox.list_items(
        session,
        institution_id=institution_id,
        unread_only=unread_only,
        limit=limit,
        offset=offset,
        kind=kind,
        country=country,
    )
    return rows, total, unread


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
