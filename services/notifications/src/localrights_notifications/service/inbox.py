"""The inbox of an institution: its items, and marking one read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.uow import UnitOfWork
from localrights_notifications import exceptions
from localrights_notifications.models import InboxItem


async def list_inbox(
    *, session: AsyncSession, institution_id: UUID, unread_only: bool, limit: int, offset: int
) -> tuple[Sequence[InboxItem], int]:
    conditions: list[Any] = [InboxItem.institution_id == institution_id]
    if unread_only:
        conditions.append(col(InboxItem.read_at).is_(None))
    total = (
        await session.exec(select(func.count()).select_from(InboxItem).where(*conditions))
    ).one()
    rows = await session.exec(
        select(InboxItem)
        .where(*conditions)
        .order_by(col(InboxItem.created_at).desc(), col(InboxItem.id))
        .limit(limit)
        .offset(offset)
    )
    return rows.all(), int(total)


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
