"""Subscriptions: their owners' changes, and disabling and enabling endpoints that fail."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.errors import InvalidInput
from localrights.events.catalog.subscriptions import DisabledReason
from localrights.uow import UnitOfWork
from localrights_notifications import events, exceptions
from localrights_notifications.models import Delivery, Subscription
from localrights_notifications.repository import deliveries, subscriptions
from localrights_notifications.schemas import (
    SubscriptionCreate,
    SubscriptionUpdate,
)
from localrights_notifications.ssrf import check_webhook_url


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


async def create_subscription(
    uow: UnitOfWork,
    *,
    institution_id: UUID,
    data: SubscriptionCreate,
    allowed_hosts: Sequence[str],
) -> tuple[Subscription, str | None]:
    """Save a subscription; returns it with its webhook secret (shown this once)."""
    url = str(data.url) if data.url else None
    if url is not None:
        await check_webhook_url(url, allowed_hosts=allowed_hosts)
    secret = new_webhook_secret() if data.channel == "webhook" else None
    subscription = Subscription(
        institution_id=institution_id,
        **data.model_dump(exclude={"url"}),
        webhook_url=url,
        webhook_secret=secret,
    )
    uow.session.add(subscription)
    await uow.session.flush()
    await uow.session.refresh(subscription)
    return subscription, secret


async def get_subscription_or_raise(
    *, session: AsyncSession, id: UUID, owner: UUID | None
) -> Subscription:
    """The subscription if ``owner`` owns it (None: any, for admins); else 404."""
    subscription = await session.get(Subscription, id)
    if (
        subscription is None
        or subscription.deleted_at is not None
        or (owner is not None and subscription.institution_id != owner)
    ):
        raise exceptions.SubscriptionNotFound()
    return subscription


async def list_subscriptions(
    *, session: AsyncSession, owner: UUID | None, limit: int, offset: int
) -> tuple[Sequence[Subscription], int]:
    """One page of live subscriptions (``owner``'s, or everyone's), and how many there are."""
    return await subscriptions.list_subscriptions(session, owner=owner, limit=limit, offset=offset)


async def update_subscription(
    uow: UnitOfWork,
    *,
    subscription: Subscription,
    data: SubscriptionUpdate,
    allowed_hosts: Sequence[str],
) -> Subscription:
    """Change filters, mode, url or address; ``status`` disables or enables it again."""
    changes = data.model_dump(exclude_unset=True)
    wanted = changes.pop("status", None)
    if "url" in changes:
        if subscription.channel != "webhook" or changes["url"] is None:
            raise InvalidInput(
                "only a webhook subscription has a url, and it cannot be removed",
                errors=[{"location": "url", "message": "not applicable"}],
            )
        url = str(changes.pop("url"))
        await check_webhook_url(url, allowed_hosts=allowed_hosts)
        subscription.webhook_url = url
    if "email" in changes:
        if subscription.channel != "email" or changes["email"] is None:
            raise InvalidInput(
                "only an email subscription has an address, and it cannot be removed",
                errors=[{"location": "email", "message": "not applicable"}],
            )
        subscription.email = changes.pop("email")
    for name, value in changes.items():
        if value is None and name != "name":
            raise InvalidInput(
                f"{name} cannot be null; send [] to match anything",
                errors=[{"location": name, "message": "null"}],
            )
        setattr(subscription, name, value)
    if wanted == "disabled" and subscription.disabled_at is None:
        await _disable(uow, subscription, "by_institution")
    elif wanted == "active" and subscription.disabled_at is not None:
        await _enable(uow.session, subscription)
    subscription.updated_at = datetime.now(UTC)
    uow.session.add(subscription)
    await uow.session.flush()
    await uow.session.refresh(subscription)
    return subscription


async def delete_subscription(uow: UnitOfWork, *, subscription: Subscription) -> None:
    """Stop a subscription; what it had not yet sent is dropped, its history kept."""
    subscription.deleted_at = datetime.now(UTC)
    uow.session.add(subscription)
    await deliveries.set_status_of_waiting(
        uow.session,
        subscription.id,
        waiting=("pending", "held", "suspended"),
        status="cancelled",
        last_error="subscription deleted",
    )


# Automatic disabling tells the owner (subscription.disabled); the owner's own does not.
_TOLD_TO_OWNER: frozenset[DisabledReason] = frozenset({"endpoint_gone", "failing_too_long"})


async def disable_subscription(
    uow: UnitOfWork, *, subscription_id: UUID, reason: str, shown_by: UUID
) -> bool:
    """Stop sending to a subscription whose endpoint the delivery ``shown_by`` found dead,
    keeping what it does not get. False if it was disabled or deleted already, or if that
    delivery was replayed since: the dispatcher records a call's result before it disables,
    and an administrator's replay in between is the newer word."""
    session = uow.session
    subscription = await session.get(Subscription, subscription_id, with_for_update=True)
    if subscription is None or subscription.deleted_at or subscription.disabled_at:
        return False
    if not await _still_failed(session, shown_by):
        return False
    await _disable(uow, subscription, reason)
    return True


async def _disable(uow: UnitOfWork, subscription: Subscription, reason: str) -> None:
    now = datetime.now(UTC)
    session = uow.session
    subscription.disabled_at = now
    subscription.disabled_reason = reason
    subscription.failing_since = subscription.failing_since or now
    session.add(subscription)
    await deliveries.set_status_of_waiting(
        session, subscription.id, waiting=("pending",), status="suspended", updated_at=now
    )
    if reason in _TOLD_TO_OWNER:
        uow.emit(events.subscription_disabled(subscription))


async def _still_failed(session: AsyncSession, delivery_id: UUID) -> bool:
    """Neither delivered nor replayed (a replay starts its attempts at 0) since it failed."""
    delivery = await session.get(Delivery, delivery_id, populate_existing=True)
    return delivery is not None and delivery.attempts > 0 and delivery.status != "delivered"


async def enable_disabled_by_failures(session: AsyncSession, ids: Sequence[UUID]) -> None:
    """An administrator's replay is a call to try the endpoint again: the subscriptions the
    dispatcher disabled are enabled (those their owner paused stay paused)."""
    for subscription in await subscriptions.disabled_for(session, ids, _TOLD_TO_OWNER):
        await _enable(session, subscription)
        session.add(subscription)


async def _enable(session: AsyncSession, subscription: Subscription) -> None:
    """Send again: every message kept while disabled, and those that died since the
    endpoint began failing, go out afresh. The caller commits."""
    since = subscription.failing_since or subscription.disabled_at
    await deliveries.resend(session, subscription.id, died_since=since)
    subscription.disabled_at = None
    subscription.disabled_reason = None
    subscription.failing_since = None
    await deliveries.notify_dispatcher(session)
