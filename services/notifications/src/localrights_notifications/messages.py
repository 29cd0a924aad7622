"""What a notification says in an e-mail (plain text and HTML) and in a webhook digest."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any

from localrights_notifications.domain import pick_language

KIND_LABELS = {
    "upr_review": "UPR review",
    "treaty_body_review": "Treaty-body review",
    "country_visit": "Country visit",
    "call_for_input": "Call for input",
    "deadline": "Deadline",
    "consultation_opened": "Consultation opened",
    "input_requested": "Local input requested",
    "reminder": "Reminder",
    "status_changed": "Implementation status",
    "status_returned": "Implementation status returned",
    "indicator_observed": "Indicator value",
    "subscription_disabled": "Subscription disabled",
}


@dataclass(frozen=True)
class Item:
    """One notification as a message shows it."""

    event_type: str
    kind: str
    title: dict[str, str]
    facts: dict[str, Any]


def _lines(item: Item) -> list[tuple[str, str]]:
    facts = item.facts
    label = KIND_LABELS.get(item.kind, item.kind)
    if item.event_type == "alert.cancelled":
        label += " (cancelled)"
    elif item.event_type == "alert.updated":
        label += " (updated)"
    rows = [("What", label)]
    for name, key in (
        ("Stage", "stage"),
        ("Country", "country"),
        ("Jurisdiction", "jurisdiction"),
        ("Mechanism", "mechanism"),
        ("Starts", "starts_on"),
        ("Ends", "ends_on"),
        ("Deadline", "deadline"),
        ("Days left", "days_before"),
        ("Opens", "opens_at"),
        ("Closes", "closes_at"),
        ("Source", "source_url"),
        ("Subscription", "name"),
        ("Endpoint", "url"),
        ("Failing since", "failing_since"),
        ("Disabled", "disabled_at"),
    ):
        value = facts.get(key)
        if value not in (None, "", []):
            shown = str(value).replace("_", " ") if key == "stage" else str(value)
            rows.append((name, shown))
    for name, key in (("Details", "body"), ("How to take part", "how_to_take_part")):
        texts = facts.get(key) or {}
        if isinstance(texts, dict) and texts:
            rows.append((name, pick_language(texts)))
    return rows


def subject_of(items: list[Item], *, digest_day: str | None = None) -> str:
    if digest_day is not None:
        return f"Localrights daily digest, {digest_day}: {len(items)} notification(s)"
    item = items[0]
    return f"[{KIND_LABELS.get(item.kind, item.kind)}] {pick_language(item.title)}"


def render_text(items: list[Item]) -> str:
    """Plain-text body."""
    parts = []
    for item in items:
        lines = [pick_language(item.title), "=" * min(72, len(pick_language(item.title)))]
        lines += [f"{name}: {value}" for name, value in _lines(item)]
        parts.append("\n".join(lines))
    footer = "\n\n-- \nLocalrights alerts. Manage your subscriptions in Localrights.\n"
    return "\n\n".join(parts) + footer


def render_html(items: list[Item]) -> str:
    """HTML body; every value is escaped."""
    sections = []
    for item in items:
        rows = "".join(
            f'<tr><th scope="row">{escape(name)}</th><td>{escape(value)}</td></tr>'
            for name, value in _lines(item)
        )
        sections.append(f"<h2>{escape(pick_language(item.title))}</h2><table>{rows}</table>")
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Localrights</title></head>'
        f"<body>{''.join(sections)}<p>Localrights alerts.</p></body></html>"
    )


def digest_body(*, day: str, subscription_id: str, envelopes: list[str]) -> bytes:
    """A digest webhook body: the day's CloudEvents, in order."""
    return json.dumps(
        {
            "type": "localrights.digest",
            "day": day,
            "subscription_id": subscription_id,
            "events": [json.loads(envelope) for envelope in envelopes],
        },
        separators=(",", ":"),
    ).encode()


_DISABLED_TITLE = {
    "en": "Webhook subscription disabled: {label}",
    "fr": "Abonnement webhook désactivé : {label}",
    "es": "Suscripción webhook desactivada: {label}",
}
_DISABLED_BECAUSE = {
    "endpoint_gone": {
        "en": "The endpoint answered 410 Gone, which asks senders to stop.",
        "fr": "Le point de terminaison a répondu 410 Gone, qui demande de cesser les envois.",
        "es": "El punto de conexión respondió 410 Gone, que pide dejar de enviar.",
    },
    "failing_too_long": {
        "en": "Every call to the endpoint has failed since {since}.",
        "fr": "Tous les appels au point de terminaison échouent depuis le {since}.",
        "es": "Todas las llamadas al punto de conexión fallan desde el {since}.",
    },
}
_DISABLED_WHAT_NEXT = {
    "en": "Nothing is sent to it until it is enabled again, and every message it misses is "
    "kept. Once the endpoint works, enable the subscription again (PATCH "
    '/api/v1/subscriptions/{id} with {{"status": "active"}}): the kept messages are delivered.',
    "fr": "Plus rien ne lui est envoyé jusqu'à sa réactivation, et chaque message manqué est "
    "conservé. Une fois le point de terminaison réparé, réactivez l'abonnement (PATCH "
    '/api/v1/subscriptions/{id} avec {{"status": "active"}}) : les messages conservés sont '
    "alors remis.",
    "es": "No se le envía nada hasta que se reactive, y se guarda cada mensaje que no recibe. "
    "Cuando el punto de conexión funcione, reactive la suscripción (PATCH "
    '/api/v1/subscriptions/{id} con {{"status": "active"}}): se entregan los mensajes guardados.',
}


def disabled_notice(
    *,
    subscription_id: str,
    name: str | None,
    url: str | None,
    reason: str,
    failing_since: datetime | None,
    disabled_at: datetime,
) -> tuple[dict[str, str], dict[str, Any]]:
    """Title and facts of the notice telling an institution one of its webhooks was disabled."""
    label = name or url or subscription_id
    since = failing_since.strftime("%Y-%m-%d %H:%M UTC") if failing_since else "?"
    because = _DISABLED_BECAUSE.get(reason, {})
    body = {
        language: " ".join(
            [because.get(language, "").format(since=since), next_steps.format(id=subscription_id)]
        ).strip()
        for language, next_steps in _DISABLED_WHAT_NEXT.items()
    }
    facts = {
        "subscription_id": subscription_id,
        "name": name,
        "url": url,
        "reason": reason,
        "failing_since": failing_since.isoformat() if failing_since else None,
        "disabled_at": disabled_at.isoformat(),
        "body": body,
    }
    title = {language: text.format(label=label) for language, text in _DISABLED_TITLE.items()}
    return title, facts
