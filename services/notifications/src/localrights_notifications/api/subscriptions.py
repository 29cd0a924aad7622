"""Subscriptions: an institution's own, and nobody else's."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from localrights.db import SessionDep
from localrights.errors import problem_responses
from localrights.schemas import Page
from localrights.uow import UnitOfWorkDep
from localrights_notifications import service
from localrights_notifications.deps import OwnInstitution, SettingsDep, SubscriptionOwner
from localrights_notifications.models import Subscription
from localrights_notifications.schemas import (
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionRead,
    SubscriptionUpdate,
)

router = APIRouter(prefix="/subscriptions", tags=["subscriptions"])


def read_subscription(subscription: Subscription) -> SubscriptionRead:
    state = "disabled" if subscription.disabled_at is not None else "active"
    return SubscriptionRead.model_validate(
        {**subscription.model_dump(), "url": subscription.webhook_url, "status": state}
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SubscriptionCreated,
    responses=problem_responses(401, 403, 422),
)
async def create_subscription(
    data: SubscriptionCreate,
    uow: UnitOfWorkDep,
    institution_id: OwnInstitution,
    settings: SettingsDep,
) -> SubscriptionCreated:
    """Subscribe the caller's institution; a webhook's signing secret is shown only here."""
    async with uow:
        subscription, secret = await service.create_subscription(
            uow,
            institution_id=institution_id,
            data=data,
            allowed_hosts=settings.webhook_allowed_hosts,
        )
    read = read_subscription(subscription)
    return SubscriptionCreated(**read.model_dump(), secret=secret)


@router.get("", response_model=Page[SubscriptionRead], responses=problem_responses(401, 403))
async def list_subscriptions(
    session: SessionDep,
    owner: SubscriptionOwner,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[SubscriptionRead]:
    """The caller's institution's subscriptions."""
    items, total = await service.list_subscriptions(
        session=session, owner=owner, limit=limit, offset=offset
    )
    return Page(
        items=[read_subscription(s) for s in items], total=total, limit=limit, offset=offset
    )


@router.get(
    "/{subscription_id}",
    response_model=SubscriptionRead,
    responses=problem_responses(401, 403, 404),
)
async def get_subscription(
    subscription_id: UUID, session: SessionDep, owner: SubscriptionOwner
) -> SubscriptionRead:
    """One of the caller's institution's subscriptions."""
    subscription = await service.get_subscription_or_raise(
        session=session, id=subscription_id, owner=owner
    )
    return read_subscription(subscription)


@router.patch(
    "/{subscription_id}",
    response_model=SubscriptionRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def update_subscription(
    subscription_id: UUID,
    data: SubscriptionUpdate,
    uow: UnitOfWorkDep,
    owner: SubscriptionOwner,
    settings: SettingsDep,
) -> SubscriptionRead:
    """Change filters, mode, url or address, or enable a disabled subscription again."""
    async with uow:
        subscription = await service.get_subscription_or_raise(
            session=uow.session, id=subscription_id, owner=owner
        )
        updated = await service.update_subscription(
            uow,
            subscription=subscription,
            data=data,
            allowed_hosts=settings.webhook_allowed_hosts,
        )
    return read_subscription(updated)


@router.delete(
    "/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404),
)
async def delete_subscription(
    subscription_id: UUID, uow: UnitOfWorkDep, owner: SubscriptionOwner
) -> Response:
    """Stop one of the caller's subscriptions."""
    async with uow:
        subscription = await service.get_subscription_or_raise(
            session=uow.session, id=subscription_id, owner=owner
        )
        await service.delete_subscription(uow, subscription=subscription)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
