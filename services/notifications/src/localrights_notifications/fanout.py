"""Matching: one consumed event -> one notification -> one delivery per matching subscription.

Everything happens in the consumer's transaction, in a few set-based statements, so 10,000
matching subscriptions cost one INSERT ... SELECT, and a redelivered event (already in
``processed_events``, and in any case unique per subscription and event) adds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.events import Envelope
from localrights_notifications.repository import deliveries, inbox
from localrights_notifications.repository.notifications import record_notification


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
    notification_id = await record_notification(
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
    summary = await deliveries.fan_out(
        session,
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
    inboxes = set(summary.inbox) | set(inbox_for)
    if inboxes:
        await inbox.add_to_inboxes(
            session, envelope, kind, title, facts, sorted(inboxes), alert_id=alert_id
        )
    if summary.pending:
        await deliveries.notify_dispatcher(session)
    return int(summary.added)


async def notify_institution(
    session: AsyncSession,
    envelope: Envelope,
    *,
    institution_id: UUID,
    kind: str,
    title: dict[str, str],
    facts: dict[str, Any],
) -> int:
    """Put a notice in an institution's inbox and e-mail it to every e-mail subscription it
    keeps working, whatever they filter, at once;
    returns how many e-mails were added (none for an event handled before)."""
    notification_id = await record_notification(session, envelope, kind, title, facts)
    if notification_id is None:
        return 0  # told before
    emails = await deliveries.email_owner(
        session,
        notification_id=notification_id,
        event_id=envelope.id,
        institution_id=institution_id,
    )
    await inbox.add_to_inboxes(session, envelope, kind, title, facts, [institution_id])
    if emails:
        await deliveries.notify_dispatcher(session)
    return emails
