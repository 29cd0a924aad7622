"""The in-app inbox of an institution, read as mail: filtered, one item at a time."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from localrights.db import SessionDep
from localrights.errors import problem_responses
from localrights.uow import UnitOfWorkDep
from localrights_notifications import inbox_reading, service
from localrights_notifications.deps import OwnInstitution
from localrights_notifications.domain import NOTIFICATION_KINDS
from localrights_notifications.schemas import InboxItemRead, InboxPage

router = APIRouter(prefix="/inbox", tags=["inbox"])
Kind = Annotated[str | None, Query(pattern="^(" + "|".join(NOTIFICATION_KINDS) + ")$")]


@router.get("", response_model=InboxPage, responses=problem_responses(401, 403, 422))
async def list_inbox(
    session: SessionDep,
    institution_id: OwnInstitution,
    unread: bool = False,
    kind: Kind = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> InboxPage:
    """The caller's institution's inbox, newest first, by kind and country; unread counted."""
    items, total, unread_count = await inbox_reading.list_items(
        session=session,
        institution_id=institution_id,
        unread_only=unread,
        kind=kind,
        country=country,
        limit=limit,
        offset=offset,
    )
    return InboxPage(
        items=[InboxItemRead.model_validate(i, from_attributes=True) for i in items],
        total=total,
        unread=unread_count,
        limit=limit,
        offset=offset,
    )


@router.get("/{item_id}", response_model=InboxItemRead, responses=problem_responses(401, 403, 404))
async def get_inbox_item(
    item_id: UUID, session: SessionDep, institution_id: OwnInstitution
) -> InboxItemRead:
    """One item of the caller's inbox, with everything its notification said."""
    item = await inbox_reading.get_item_or_raise(
        session=session, institution_id=institution_id, item_id=item_id
    )
    return InboxItemRead.model_validate(item, from_attributes=True)


@router.post(
    "/{item_id}/read", response_model=InboxItemRead, responses=problem_responses(401, 403, 404)
)
async def mark_read(
    item_id: UUID, uow: UnitOfWorkDep, institution_id: OwnInstitution
) -> InboxItemRead:
    """Mark an item of the caller's inbox as read."""
    async with uow:
        item = await service.mark_inbox_item_read(
            uow, institution_id=institution_id, item_id=item_id
        )
    return InboxItemRead.model_validate(item, from_attributes=True)


@router.post(
    "/{item_id}/unread", response_model=InboxItemRead, responses=problem_responses(401, 403, 404)
)
async def mark_unread(
    item_id: UUID, session: SessionDep, institution_id: OwnInstitution
) -> InboxItemRead:
    """Put an item of the caller's inbox back among the unread ones."""
    item = await inbox_reading.mark_unread(
        session=session, institution_id=institution_id, item_id=item_id
    )
    return InboxItemRead.model_validate(item, from_attributes=True)
