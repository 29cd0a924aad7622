"""Which webhook subscriptions keep failing, and disabling those whose endpoint is dead.

As Standard Webhooks senders do: an endpoint that answers 410 Gone is disabled at once, and
one whose every call failed for ``webhook_disable_after`` (days, not attempts: a receiver
down for a weekend is not dropped for a burst of retries) is disabled then. A subscription
records when its run of failures began (``failing_since``); a delivered call ends the run.
The delivery policy notes outcomes as calls end and the recorder has them written with each
batch of results: one statement for the failing, one for the recovered, nothing for the
healthy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

import asyncpg
import structlog
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.uow import UnitOfWork
from localrights_notifications import service
from localrights_notifications.domain import ENDPOINT_GONE, Outcome
from localrights_notifications.repository import subscriptions

log = structlog.get_logger(__name__)


@dataclass
class EndpointHealth:
    """Outcomes of webhook calls per subscription since the last write."""

    disable_after: float
    sessions: async_sessionmaker[AsyncSession]
    _failed: dict[UUID, UUID] = field(default_factory=dict)  # -> its first failed delivery
    _recovered: set[UUID] = field(default_factory=set)
    # subscription -> (reason, the delivery whose failure showed it)
    _to_disable: dict[UUID, tuple[str, UUID]] = field(default_factory=dict)

    def note(
        self, subscription_id: UUID, delivery_id: UUID, outcome: Outcome, *, failing: bool
    ) -> None:
        """Count one call's outcome; ``failing``: the subscription was failing when claimed."""
        if outcome.delivered:
            self._failed.pop(subscription_id, None)
            if failing:
                self._recovered.add(subscription_id)
            return
        self._recovered.discard(subscription_id)
        self._failed.setdefault(subscription_id, delivery_id)
        if outcome.status_code == ENDPOINT_GONE:
            self._to_disable[subscription_id] = ("endpoint_gone", delivery_id)

    @property
    def pending(self) -> bool:
        return bool(self._failed or self._recovered or self._to_disable)

    async def write(self, connection: asyncpg.Connection) -> None:
        """Record runs of failures begun or ended, after the deliveries' results; disable
        the endpoints found dead. What could not be written stays noted for the next batch.
        """
        if self._failed:
            failed, self._failed = self._failed, {}
            overdue = await subscriptions.mark_failing(
                connection, failed, overdue_after=self.disable_after
            )
            for subscription_id in overdue:
                self._to_disable.setdefault(
                    subscription_id, ("failing_too_long", failed[subscription_id])
                )
        if self._recovered:
            await subscriptions.mark_recovered(connection, list(self._recovered))
            self._recovered = set()
        for subscription_id, (reason, delivery_id) in list(self._to_disable.items()):
            async with (
                self.sessions() as session,
                UnitOfWork(session, source=service.SOURCE) as uow,
            ):
                disabled = await service.disable_subscription(
                    uow,
                    subscription_id=subscription_id,
                    reason=reason,
                    shown_by=delivery_id,
                )
            if disabled:
                log.warning(
                    "subscription_disabled", subscription_id=str(subscription_id), reason=reason
                )
            del self._to_disable[subscription_id]
