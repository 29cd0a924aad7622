"""What the notifications service does when an event arrives (its own alerts included).

Publishing an alert only writes the alert and its outbox event; the fan-out happens here,
when the event comes back from ``alert.events``, so it is idempotent by event id and any
replica can do it.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.consumer import Handler
from localrights.events import Envelope
from localrights.events.catalog.alerts import AlertFacts, AlertReminderDue
from localrights.events.catalog.consultation import ConsultationOpened
from localrights.events.catalog.exercises import (
    ExerciseClosed,
    ExerciseOpened,
    ExerciseReminderSent,
)
from localrights.events.catalog.follow_up import FollowUpStatusChanged, FollowUpStatusReturned
from localrights.events.catalog.indicators import IndicatorObserved, IndicatorUpdateDue
from localrights.events.catalog.institutions import InstitutionFacts
from localrights.events.catalog.subscriptions import SubscriptionDisabled
from localrights.places import place_name
from localrights_notifications import messages
from localrights_notifications.fanout import fan_out, notify_institution
from localrights_notifications.models import Subscription
from localrights_notifications.repository import exercises, inbox, institutions


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
    if await exercises.is_closed(session, opened.exercise_id):
        return  # its closure came first (another partition's replay, say): nobody to ask
    invited = set(opened.invited_institution_ids)
    if opened.invited_jurisdictions:
        invited.update(await institutions.active_in(session, opened.invited_jurisdictions))
    # Recorded even when nobody is known yet: institutions of an invited jurisdiction whose
    # institution.registered arrives later are invited from it (see on_institution_event).
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


async def on_exercise_reminder_sent(
    session: AsyncSession, envelope: Envelope, payload: Any
) -> None:
    """The reminded institutions find it in their inbox, and hear of it as they subscribed."""
    reminder: ExerciseReminderSent = payload
    await fan_out(
        session,
        envelope,
        kind="reminder",
        match_kinds=["reminder", "input_requested"],
        country=reminder.country,
        mechanism=reminder.mechanism,
        title={"und": reminder.title},
        facts=reminder.model_dump(mode="json"),
        topical=False,
        jurisdictions=[],
        institutions=sorted(reminder.institution_ids),
        inbox_for=sorted(reminder.institution_ids),
    )


async def on_exercise_closed(session: AsyncSession, _envelope: Envelope, payload: Any) -> None:
    """An exercise stopped taking input: institutions registered from now on are not invited."""
    closed: ExerciseClosed = payload
    await exercises.note_closed(session, closed.exercise_id, closed_at=closed.closed_at)


async def on_institution_event(session: AsyncSession, _envelope: Envelope, payload: Any) -> None:
    """Keep the projection of institutions; an older fact never overwrites a newer one."""
    facts: InstitutionFacts = payload
    applied = await institutions.upsert(
        session,
        id=facts.institution_id,
        name=facts.name,
        kind=facts.kind,
        country=facts.country,
        jurisdiction=facts.jurisdiction,
        active=facts.active,
        changed_at=facts.changed_at,
    )
    if applied and facts.active:
        await inbox.invite_latecomer(
            session,
            institution_id=facts.institution_id,
            country=facts.country,
            jurisdiction=facts.jurisdiction,
        )


# "implemented" in the three languages of the pages, for the titles of follow-up notifications.
_STATUS = {
    "not_started": {"en": "not started", "fr": "pas commencé", "es": "no iniciado"},
    "in_progress": {"en": "in progress", "fr": "en cours", "es": "en curso"},
    "partially_implemented": {
        "en": "partially implemented",
        "fr": "partiellement mis en œuvre",
        "es": "parcialmente aplicado",
    },
    "implemented": {"en": "implemented", "fr": "mis en œuvre", "es": "aplicado"},
    "not_local_competence": {
        "en": "not a local competence",
        "fr": "hors des compétences locales",
        "es": "fuera de la competencia local",
    },
}
_TITLES = {
    "status_changed": {
        "en": "UN recommendation in {place}: {status}",
        "fr": "Recommandation de l'ONU, {place} : {status}",
        "es": "Recomendación de la ONU en {place}: {status}",
    },
    "status_returned": {
        "en": "Status returned by the ministry ({place}): {status}",
        "fr": "Statut renvoyé par le ministère ({place}) : {status}",
        "es": "Estado devuelto por el ministerio ({place}): {status}",
    },
}


async def _audience(session: AsyncSession, institution_id: Any, country: str) -> list[Any]:
    """Who may hear of an unpublished institution's follow-up: it and its country's ministries."""
    return sorted({institution_id, *await institutions.ministries_of(session, country)})


async def on_follow_up_status(session: AsyncSession, envelope: Envelope, payload: Any) -> None:
    """A status reported, validated or returned: to those who follow the place and mechanism
    (an unpublished institution's only to it and its ministries); a return to its inbox."""
    facts: FollowUpStatusChanged | FollowUpStatusReturned = payload
    kind = "status_returned" if isinstance(facts, FollowUpStatusReturned) else "status_changed"
    words = _STATUS.get(facts.status, {"en": facts.status})
    title = {
        language: pattern.format(
            place=place_name(facts.jurisdiction, language),
            status=words.get(language, facts.status),
        )
        for language, pattern in _TITLES[kind].items()
    }
    await fan_out(
        session,
        envelope,
        kind=kind,
        match_kinds=[kind],
        country=facts.country,
        mechanism=facts.mechanism,
        themes=getattr(facts, "themes", []),
        jurisdictions=[facts.jurisdiction],
        title=title,
        facts=facts.model_dump(mode="json"),
        institutions=None
        if facts.published
        else await _audience(session, facts.institution_id, facts.country),
        inbox_for=[facts.institution_id] if kind == "status_returned" else (),
    )


async def on_indicator_observed(session: AsyncSession, envelope: Envelope, payload: Any) -> None:
    """An indicator's value in a place: to those who follow the place (as for statuses)."""
    facts: IndicatorObserved = payload
    await fan_out(
        session,
        envelope,
        kind="indicator_observed",
        match_kinds=["indicator_observed"],
        country=facts.country,
        jurisdictions=[facts.jurisdiction],
        title=facts.title,
        facts=facts.model_dump(mode="json"),
        topical=False,
        institutions=None
        if facts.published
        else await _audience(session, facts.institution_id, facts.country),
    )


async def on_indicator_update_due(session: AsyncSession, envelope: Envelope, payload: Any) -> None:
    """An indicator's next value falls due: a reminder in the responsible institution's inbox."""
    due: IndicatorUpdateDue = payload
    await fan_out(
        session,
        envelope,
        kind="reminder",
        match_kinds=["reminder"],
        country=due.country,
        jurisdictions=[due.jurisdiction],
        title=due.title,
        facts=due.model_dump(mode="json"),
        topical=False,
        institutions=[due.institution_id],
        inbox_for=[due.institution_id],
    )


async def on_subscription_disabled(session: AsyncSession, envelope: Envelope, payload: Any) -> None:
    """Tell the institution, in its inbox and by e-mail, which subscription stopped and why."""
    disabled: SubscriptionDisabled = payload
    subscription = await session.get(Subscription, disabled.subscription_id)
    title, facts = messages.disabled_notice(
        subscription_id=str(disabled.subscription_id),
        name=subscription.name if subscription else None,
        url=subscription.webhook_url if subscription else None,
        reason=disabled.reason,
        failing_since=disabled.failing_since,
        disabled_at=disabled.disabled_at,
    )
    await notify_institution(
        session,
        envelope,
        institution_id=disabled.institution_id,
        kind="subscription_disabled",
        title=title,
        facts=facts,
    )


EVENT_HANDLERS: dict[str, Handler] = {
    "alert.published": on_alert_event,
    "alert.updated": on_alert_event,
    "alert.cancelled": on_alert_event,
    "alert.reminder_due": on_alert_event,
    "consultation.opened": on_consultation_opened,
    "exercise.opened": on_exercise_opened,
    "exercise.closed": on_exercise_closed,
    "exercise.reminder_sent": on_exercise_reminder_sent,
    "institution.registered": on_institution_event,
    "institution.updated": on_institution_event,
    "follow_up.status_changed": on_follow_up_status,
    "follow_up.status_returned": on_follow_up_status,
    "indicator.observed": on_indicator_observed,
    "indicator.update_due": on_indicator_update_due,
    "subscription.disabled": on_subscription_disabled,
}
