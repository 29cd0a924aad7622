"""Deliveries: added at fan-out and in digests, reported and replayed for an alert, and
suspended, cancelled or sent again with their subscription. Written in the caller's unit of
work; the dispatcher's claims and records are in ``claims``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.db import run_sql
from localrights_notifications.models import Delivery, Notification
from localrights_notifications.repository.subscriptions import MATCH

DISPATCH_CHANNEL = "notifications_dispatch"

# Inbox subscriptions are served here (a row in the same database); digests wait as 'held',
# and deliveries to a disabled subscription as 'suspended', until it is enabled again.
# One summary row comes back, not one row per delivery: a fan-out to 10,000 subscriptions
# would otherwise turn 10,000 rows into Python objects before the transaction can commit.
_FAN_OUT = text(
    "WITH added AS ("
    "INSERT INTO deliveries (id, subscription_id, institution_id, notification_id, event_id, "
    "channel, status, attempts, delivered_at, next_attempt_at) "
    "SELECT gen_random_uuid(), s.id, s.institution_id, CAST(:notification_id AS uuid), "
    "CAST(:event_id AS text), s.channel, "
    "CASE WHEN s.channel = 'inbox' THEN 'delivered' "
    "     WHEN s.mode = 'daily_digest' THEN 'held' "
    "     WHEN s.disabled_at IS NOT NULL THEN 'suspended' ELSE 'pending' END, "
    "CASE WHEN s.channel = 'inbox' THEN 1 ELSE 0 END, "
    "CASE WHEN s.channel = 'inbox' THEN now() END, now() "
    f"FROM subscriptions AS s WHERE {MATCH} "
    "ON CONFLICT (subscription_id, event_id) DO NOTHING "
    "RETURNING institution_id, channel, status) "
    "SELECT count(*) AS added, "
    "COALESCE(array_agg(DISTINCT institution_id) FILTER (WHERE channel = 'inbox'), '{}') "
    "AS inbox, COALESCE(bool_or(status = 'pending'), false) AS pending "
    "FROM added"
)

# An institution's own notice (one of its subscriptions was disabled): every e-mail
# subscription it keeps working, whatever they filter, at once.
_TO_OWNER_BY_EMAIL = text(
    "INSERT INTO deliveries (id, subscription_id, institution_id, notification_id, event_id, "
    "channel, status, attempts, next_attempt_at) "
    "SELECT gen_random_uuid(), s.id, s.institution_id, CAST(:notification_id AS uuid), "
    "CAST(:event_id AS text), 'email', 'pending', 0, now() FROM subscriptions AS s "
    "WHERE s.institution_id = CAST(:institution_id AS uuid) AND s.channel = 'email' "
    "AND s.deleted_at IS NULL AND s.disabled_at IS NULL "
    "ON CONFLICT (subscription_id, event_id) DO NOTHING RETURNING subscription_id"
)

_MAKE_DIGESTS = text(
    """
    WITH due AS (
        SELECT DISTINCT subscription_id, institution_id, channel FROM deliveries
        WHERE status = 'held' AND created_at <= :cutoff
    ), digests AS (
        INSERT INTO deliveries (id, subscription_id, institution_id, event_id, channel, status,
                                attempts, digest_day, next_attempt_at)
        SELECT gen_random_uuid(), subscription_id, institution_id, :event_id, channel,
               'pending', 0, :day, now()
        FROM due
        ON CONFLICT (subscription_id, event_id) DO NOTHING
        RETURNING id, subscription_id
    )
    UPDATE deliveries AS d
    SET status = 'digested', digest_delivery_id = g.id, digest_day = :day, updated_at = now()
    FROM digests AS g
    WHERE d.subscription_id = g.subscription_id AND d.status = 'held' AND d.created_at <= :cutoff
    RETURNING g.id
    """
)

_DEAD_OF_THE_ALERT = (
    "status = 'dead' AND notification_id IN "
    "(SELECT id FROM notifications WHERE alert_id = :alert_id)"
)


async def notify_dispatcher(session: AsyncSession) -> None:
    """Wake the dispatchers when (and only if) the transaction commits."""
    await run_sql(session, text(f"SELECT pg_notify('{DISPATCH_CHANNEL}', '')"))


async def fan_out(session: AsyncSession, matching: Mapping[str, Any]) -> Any:
    """A delivery for each subscription ``MATCH`` finds: how many were added, the inboxes
    among them and whether any is due for the dispatcher."""
    return (await run_sql(session, _FAN_OUT, dict(matching))).one()


async def email_owner(
    session: AsyncSession, *, notification_id: UUID, event_id: str, institution_id: UUID
) -> int:
    """A delivery to each working e-mail subscription of the institution; how many."""
    params = {
        "notification_id": notification_id,
        "event_id": event_id,
        "institution_id": institution_id,
    }
    return len((await run_sql(session, _TO_OWNER_BY_EMAIL, params)).all())


async def make_digests(session: AsyncSession, *, cutoff: datetime, day: date) -> int:
    """Fold each subscription's items held before ``cutoff`` into one delivery for ``day``;
    how many digests were made."""
    params = {"cutoff": cutoff, "day": day, "event_id": f"digest:{day}"}
    rows = (await run_sql(session, _MAKE_DIGESTS, params)).all()
    return len({row[0] for row in rows})


async def alert_report(
    session: AsyncSession, *, alert_id: UUID, status: str | None, limit: int, offset: int
) -> tuple[dict[str, int], list[tuple[Delivery, str]]]:
    """Counts by status, and one page of deliveries of every notification about an alert."""
    joined = (
        select(Delivery, Notification.event_type)
        .join(Notification, col(Notification.id) == col(Delivery.notification_id))
        .where(Notification.alert_id == alert_id)
    )
    count_rows = await session.exec(
        select(Delivery.status, func.count())
        .join(Notification, col(Notification.id) == col(Delivery.notification_id))
        .where(Notification.alert_id == alert_id)
        .group_by(Delivery.status)
    )
    counts = {row[0]: int(row[1]) for row in count_rows.all()}
    if status:
        joined = joined.where(Delivery.status == status)
    rows = await session.exec(
        joined.order_by(col(Delivery.created_at), col(Delivery.id)).limit(limit).offset(offset)
    )
    return counts, [(d, t) for d, t in rows.all()]


async def replay_dead_of_alert(session: AsyncSession, *, alert_id: UUID) -> list[UUID]:
    """Make every dead delivery about an alert pending again, with a fresh set of attempts,
    their subscriptions locked first; the subscription of each one replayed."""
    await run_sql(
        session,
        text(
            "SELECT id FROM subscriptions WHERE id IN (SELECT subscription_id FROM deliveries "
            f"WHERE {_DEAD_OF_THE_ALERT}) ORDER BY id FOR UPDATE"
        ),
        {"alert_id": alert_id},
    )
    result = await run_sql(
        session,
        text(
            "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), "
            f"updated_at = now() WHERE {_DEAD_OF_THE_ALERT} RETURNING subscription_id"
        ),
        {"alert_id": alert_id},
    )
    return [row[0] for row in result]


async def set_status_of_waiting(
    session: AsyncSession,
    subscription_id: UUID,
    *,
    waiting: tuple[str, ...],
    status: str,
    **values: Any,
) -> None:
    """Give a subscription's deliveries in one of the ``waiting`` statuses a new status."""
    await session.exec(
        update(Delivery)
        .where(
            col(Delivery.subscription_id) == subscription_id,
            col(Delivery.status).in_(waiting),
        )
        .values(status=status, **values)
    )


async def resend(
    session: AsyncSession, subscription_id: UUID, *, died_since: datetime | None
) -> None:
    """Make a subscription's suspended deliveries, and those dead since ``died_since``,
    pending again with a fresh set of attempts."""
    await run_sql(
        session,
        text(
            "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), "
            "updated_at = now() WHERE subscription_id = :id AND (status = 'suspended' "
            "OR (status = 'dead' AND updated_at >= :since))"
        ),
        {"id": subscription_id, "since": died_since},
    )
