"""The inbox of an institution: its items, and marking one read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.uow import UnitOfWork
from localrights_notifications import exceptions
from localrights_notifications.models import InboxItem
from localrights_notifications.repository import inbox


async def list_inbox(
    *, session: AsyncSession, institution_id: UUID, unread_only: bool, limit: int, offset: int
) -> tuple[Sequence[InboxItem], int]:
    total = await inbox.count_items(session, institution_id=institution_id, unread_only=unread_only)
    rows = await inbox.list_items(
        session, institution_id=institution_id, unread_only=unread_only, limit=limit, offset=offset
    )
    return rows, total


async def mark_inbox_item_read(
    uow: UnitOfWork, *, institution_id: UUID, item_id: UUID
) -> InboxItem:
    item = await uow.session.get(InboxItem, item_id)
    if item is None or item.institution_id != institution_id:
        raise exceptions.InboxItemNotFound()
    if item.read_at is None:
        item.read_at = datetime.now(UTC)
        uow.session.add(item)
    return item
