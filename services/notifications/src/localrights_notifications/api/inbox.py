"""The in-app inbox of an institution."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from localrights.db import SessionDep
from localrights.errors import problem_responses
from localrights_notifications import service
from localrights_notifications.deps import OwnInstitution
from localrights_notifications.schemas import InboxItemRead, Page

router = APIRouter(prefix="/inbox", tags=["inbox"])


@router.get("", response_model=Page[InboxItemRead], responses=problem_responses(401, 403))
async def list_inbox(
    session: SessionDep,
    institution_id: OwnInstitution,
    unread: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[InboxItemRead]:
    """The caller's institution's inbox, newest first."""
    items, total = await service.list_inbox(
        session=session,
        institution_id=institution_id,
        unread_only=unread,
        limit=limit,
        offset=offset,
    )
    return Page(
        items=[InboxItemRead.model_validate(i, from_attributes=True) for i in items],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.post(
    "/{item_id}/read", response_model=InboxItemRead, responses=problem_responses(401, 403, 404)
)
async def mark_read(
    item_id: UUID, session: SessionDep, institution_id: OwnInstitution
) -> InboxItemRead:
    """Mark an item of the caller's inbox as read."""
    item = await service.mark_inbox_item_read(
        session=session, institution_id=institution_id, item_id=item_id
    )
    return InboxItemRead.model_validate(item, from_attributes=True)
