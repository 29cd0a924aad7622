"""What the notifications service does when an event arrives (its own alerts included).

Publishing an alert only writes the alert and its outbox event; the fan-out happens here,
when the event comes back from ``alert.events``, so it is idempotent by event id and any
replica can do it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.consumer import Handler
from localrights.events import Envelope
from localrights.events.catalog.alerts import AlertFacts, AlertReminderDue
from localrights.events.catalog.consultation import ConsultationOpened
from localrights.events.catalog.exercises import ExerciseOpened
from localrights.events.catalog.institutions import InstitutionFacts
from localrights_notifications.fanout import fan_out
from localrights_notifications.models import Institution


async def on_alert_event(session: AsyncSession, envelope: Envelope, payload: Any) -> None:
    """alert.published / updated / cancelled / reminder_due -> matching subscriptions."""
    facts: AlertFacts = payload
    kind = "reminder" if isinstance(facts, AlertReminderDue) else facts.kind
    await fan_out(
        session,
        envelope,
        kind=kind,
        # A reminder reaches those who follow the alert's kind or reminders as such.
        match_kinds=[facts.kind, kind],
        country=facts.country,
        mechanism=facts.mechanism,
        themes=facts.themes,
        jurisdictions=facts.jurisdictions,
        title=facts.title,
        facts=facts.model_dump(mode="json"),
        alert_id=facts.alert_id,
    )


async def on_consultation_opened(session: AsyncSession, envelope: Envelope, payload: Any) -> None:
    """A consultation opened: tell those who follow its country or jurisdiction."""
    opened: ConsultationOpened = payload
    await fan_out(
        session,
        envelope,
        kind="consultation_opened",
        match_kinds=["consultation_opened"],
        country=opened.country,
        jurisdictions=[opened.jurisdiction],
        title=opened.title,
        facts=opened.model_dump(mode="json"),
        topical=False,
    )


async def on_exercise_opened(session: AsyncSession, envelope: Envelope, payload: Any) -> None:
    """Every invited institution, by id or by jurisdiction, gets it in its inbox."""
    opened: ExerciseOpened = payload
    invited = set(opened.invited_institution_ids)
    if opened.invited_jurisdictions:
        rows = await session.exec(
            select(Institution.id).where(
                Institution.jurisdiction.in_(opened.invited_jurisdictions),  # type: ignore[attr-defined]
                Institution.active.is_(True),  # type: ignore[attr-defined]
            )
        )
        invited.update(rows.all())
    if not invited:
        return
    await fan_out(
        session,
        envelope,
        kind="input_requested",
        match_kinds=["input_requested"],
        country=opened.country,
        mechanism=opened.mechanism,
        title={"und": opened.title},
        facts=opened.model_dump(mode="json"),
        # Addressed to the invited institutions: only their kind filter applies.
        topical=False,
        jurisdictions=[],
        institutions=sorted(invited),
        inbox_for=sorted(invited),
    )


async def on_institution_event(session: AsyncSession, _envelope: Envelope, payload: Any) -> None:
    """Keep the projection of institutions; an older fact never overwrites a newer one."""
    facts: InstitutionFacts = payload
    values = {
        "id": facts.institution_id,
        "name": facts.name,
        "kind": facts.kind,
        "country": facts.country,
        "jurisdiction": facts.jurisdiction,
        "active": facts.active,
        "changed_at": facts.changed_at,
    }
    statement = insert(Institution).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["id"],
            set_={k: statement.excluded[k] for k in values if k != "id"},
            where=Institution.changed_at <= statement.excluded.changed_at,
        )
    )


EVENT_HANDLERS: dict[str, Handler] = {
    "alert.published": on_alert_event,
    "alert.updated": on_alert_event,
    "alert.cancelled": on_alert_event,
    "alert.reminder_due": on_alert_event,
    "consultation.opened": on_consultation_opened,
    "exercise.opened": on_exercise_opened,
    "institution.registered": on_institution_event,
    "institution.updated": on_institution_event,
}
