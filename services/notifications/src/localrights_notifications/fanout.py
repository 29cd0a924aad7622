"""Matching: one consumed event -> one notification -> one delivery per matching subscription.

Everything happens in the consumer's transaction, in a few set-based statements, so 10,000
matching subscriptions cost one INSERT ... SELECT, and a redelivered event (already in
``processed_events``, and in any case unique per subscription and event) adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.db import run_sql
from localrights.events import Envelope

DISPATCH_CHANNEL = "notifications_dispatch"

_RECORD_NOTIFICATION = text(
    "INSERT INTO notifications "
    "(id, event_id, event_type, alert_id, kind, country, mechanism, title, facts, envelope) "
    "VALUES (gen_random_uuid(), :event_id, :event_type, :alert_id, :kind, :country, :mechanism, "
    "CAST(:title AS jsonb), CAST(:facts AS jsonb), :envelope) "
    "ON CONFLICT (event_id) DO NOTHING RETURNING id"
)

# Filters: an empty list matches anything. Jurisdictions match when one contains the other
# (a subscription for UY-CA hears about a country-wide UY alert; one for UY hears of UY-CA).
_MATCH = """
    s.deleted_at IS NULL
    AND (cardinality(s.kinds) = 0 OR s.kinds && CAST(:kinds AS text[]))
    AND (cardinality(s.countries) = 0 OR CAST(:country AS text) = ANY(s.countries))
    AND (NOT :topical OR cardinality(s.mechanisms) = 0
         OR CAST(:mechanism AS text) = ANY(s.mechanisms))
    AND (NOT :topical OR cardinality(s.themes) = 0 OR s.themes && CAST(:themes AS text[]))
    AND (cardinality(s.jurisdictions) = 0 OR EXISTS (
        SELECT 1 FROM unnest(s.jurisdictions) AS j, unnest(CAST(:jurisdictions AS text[])) AS a
        WHERE a = j OR a LIKE j || '-%' OR j LIKE a || '-%'))
    AND (CAST(:institutions AS uuid[]) IS NULL
         OR s.institution_id = ANY(CAST(:institutions AS uuid[])))
"""

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
    f"FROM subscriptions AS s WHERE {_MATCH} "
    "ON CONFLICT (subscription_id, event_id) DO NOTHING "
    "RETURNING institution_id, channel, status) "
    "SELECT count(*) AS added, "
    "COALESCE(array_agg(DISTINCT institution_id) FILTER (WHERE channel = 'inbox'), '{}') "
    "AS inbox, COALESCE(bool_or(status = 'pending'), false) AS pending "
    "FROM added"
)

_TO_INBOX = text(
    "INSERT INTO inbox_items (id, institution_id, event_id, event_type, kind, alert_id, title, "
    "facts) SELECT gen_random_uuid(), i, CAST(:event_id AS text), CAST(:event_type AS text), "
    "CAST(:kind AS text), CAST(:alert_id AS uuid), "
    "CAST(:title AS jsonb), CAST(:facts AS jsonb) FROM unnest(CAST(:institutions AS uuid[])) AS i "
    "ON CONFLICT (institution_id, event_id) DO NOTHING"
)


async def notify_dispatcher(session: AsyncSession) -> None:
    """Wake the dispatchers when (and only if) the transaction commits."""
    await run_sql(session, text(f"SELECT pg_notify('{DISPATCH_CHANNEL}', '')"))


def _json(value: Any) -> str:
    return json.dumps(value, default=str, separators=(",", ":"))


async def _record_notification(
    session: AsyncSession,
    envelope: Envelope,
    kind: str,
    title: dict[str, str],
    facts: dict[str, Any],
    *,
    alert_id: UUID | None = None,
    country: str | None = None,
    mechanism: str | None = None,
) -> UUID | None:
    """The new notification's id; None if this event was recorded before."""
    row = (
        await run_sql(
            session,
            _RECORD_NOTIFICATION,
            {
                "event_id": envelope.id,
                "event_type": envelope.type,
                "alert_id": alert_id,
                "kind": kind,
                "country": country,
                "mechanism": mechanism,
                "title": _json(title),
                "facts": _json(facts),
                "envelope": envelope.model_dump_json(exclude_none=True),
            },
        )
    ).first()
    return None if row is None else UUID(str(row[0]))


async def _to_inboxes(
    session: AsyncSession,
    envelope: Envelope,
    kind: str,
    title: dict[str, str],
    facts: dict[str, Any],
    institutions: Sequence[UUID],
    *,
    alert_id: UUID | None = None,
) -> None:
    await run_sql(
        session,
        _TO_INBOX,
        {
            "event_id": envelope.id,
            "event_type": envelope.type,
            "kind": kind,
            "alert_id": alert_id,
            "title": _json(title),
            "facts": _json(facts),
            "institutions": list(institutions),
        },
    )


async def fan_out(
    session: AsyncSession,
    envelope: Envelope,
    *,
    kind: str,
    match_kinds: Sequence[str],
    country: str,
    title: dict[str, str],
    facts: dict[str, Any],
    mechanism: str | None = None,
    themes: Sequence[str] = (),
    jurisdictions: Sequence[str] = (),
    alert_id: UUID | None = None,
    topical: bool = True,
    institutions: Sequence[UUID] | None = None,
    inbox_for: Sequence[UUID] = (),
) -> int:
    """Record the notification and its deliveries; returns how many deliveries were added.

    ``topical=False`` ignores the mechanism and theme filters (a consultation has neither);
    ``institutions`` restricts matching to those institutions' subscriptions;
    ``inbox_for`` puts the notification in those institutions' inboxes whatever they
    subscribed to (invitations are addressed to them).
    """
    notification_id = await _record_notification(
        session,
        envelope,
        kind,
        title,
        facts,
        alert_id=alert_id,
        country=country,
        mechanism=mechanism,
    )
    if notification_id is None:
        return 0  # this event was fanned out before
    summary = (
        await run_sql(
            session,
            _FAN_OUT,
            {
                "notification_id": notification_id,
                "event_id": envelope.id,
                "kinds": list(match_kinds),
                "country": country,
                "topical": topical,
                "mechanism": mechanism,
                "themes": list(themes),
                "jurisdictions": list(jurisdictions) or [country],
                "institutions": list(institutions) if institutions is not None else None,
            },
        )
    ).one()
    inbox = set(summary.inbox) | set(inbox_for)
    if inbox:
        await _to_inboxes(session, envelope, kind, title, facts, sorted(inbox), alert_id=alert_id)
    if summary.pending:
        await notify_dispatcher(session)
    return int(summary.added)


# An institution's own notice (one of its subscriptions was disabled): its inbox, and every
# e-mail subscription it keeps working, whatever they filter, at once.
_TO_OWNER_BY_EMAIL = text(
    "INSERT INTO deliveries (id, subscription_id, institution_id, notification_id, event_id, "
    "channel, status, attempts, next_attempt_at) "
    "SELECT gen_random_uuid(), s.id, s.institution_id, CAST(:notification_id AS uuid), "
    "CAST(:event_id AS text), 'email', 'pending', 0, now() FROM subscriptions AS s "
    "WHERE s.institution_id = CAST(:institution_id AS uuid) AND s.channel = 'email' "
    "AND s.deleted_at IS NULL AND s.disabled_at IS NULL "
    "ON CONFLICT (subscription_id, event_id) DO NOTHING RETURNING subscription_id"
)


async def notify_institution(
    session: AsyncSession,
    envelope: Envelope,
    *,
    institution_id: UUID,
    kind: str,
    title: dict[str, str],
    facts: dict[str, Any],
) -> int:
    """Put a notice in an institution's inbox and e-mail it to its e-mail subscriptions;
    returns how many e-mails were added (none for an event handled before)."""
    notification_id = await _record_notification(session, envelope, kind, title, facts)
    if notification_id is None:
        return 0  # told before
    emails = (
        await run_sql(
            session,
            _TO_OWNER_BY_EMAIL,
            {
                "notification_id": notification_id,
                "event_id": envelope.id,
                "institution_id": institution_id,
            },
        )
    ).all()
    await _to_inboxes(session, envelope, kind, title, facts, [institution_id])
    if emails:
        await notify_dispatcher(session)
    return len(emails)
