"""Public feeds: Atom (feedgen) of alerts and iCalendar (icalendar, RFC 5545) of their dates."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]
from icalendar import Calendar, Event

from localrights_notifications.domain import pick_language
from localrights_notifications.messages import KIND_LABELS
from localrights_notifications.models import Alert

UID_DOMAIN = "alerts.localrights"


def _summary(alert: Alert, language: str) -> str:
    label = KIND_LABELS.get(alert.kind, alert.kind)
    stage = f", {alert.stage.replace('_', ' ')}" if alert.stage else ""
    return f"{alert.mechanism} {label}{stage}: {pick_language(alert.title, language)}"


def _description(alert: Alert, language: str) -> str:
    parts = [pick_language(alert.body, language)] if alert.body else []
    if alert.how_to_take_part:
        parts.append("How to take part: " + pick_language(alert.how_to_take_part, language))
    if alert.source_url:
        parts.append(f"Source: {alert.source_url}")
    return "\n\n".join(parts)


# Characters XML 1.0 cannot carry: one stored in an alert must not break the feed for all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def atom_feed(alerts: Sequence[Alert], *, feed_url: str, api_url: str, language: str) -> bytes:
    """Atom 1.0 of the alerts; entry ids are stable per alert, ``updated`` moves on change."""
    feed = FeedGenerator()
    feed.id(_xml(feed_url))
    feed.title("Localrights: UN review, country-visit and deadline alerts")
    feed.author({"name": "Localrights"})
    feed.link(href=_xml(feed_url), rel="self")
    feed.language(_xml(language))
    feed.updated(max((a.updated_at for a in alerts if a.updated_at), default=datetime.now(UTC)))
    # feedgen prepends entries: add the oldest first so the newest stays on top.
    for alert in reversed(list(alerts)):
        entry = feed.add_entry()
        entry.id(f"urn:uuid:{alert.id}")
        title = _xml(_summary(alert, language))
        entry.title(f"[cancelled] {title}" if alert.status == "cancelled" else title)
        entry.link(href=_xml(alert.source_url or f"{api_url}/alerts/{alert.id}"))
        entry.published(alert.published_at)
        entry.updated(alert.updated_at)
        entry.summary(_xml(_description(alert, language)) or title)
        entry.category(term=alert.kind)
        entry.category(term=alert.country)
        for theme in alert.themes:
            entry.category(term=_xml(theme))
    return bytes(feed.atom_str(pretty=True))


def _event(
    alert: Alert, uid: str, summary: str, start: object, end: object, language: str
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", alert.updated_at or datetime.now(UTC))
    event.add("last-modified", alert.updated_at or datetime.now(UTC))
    event.add("sequence", alert.revision)
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("transp", "TRANSPARENT")
    event.add("status", "CANCELLED" if alert.status == "cancelled" else "CONFIRMED")
    description = _description(alert, language)
    if description:
        event.add("description", description)
    if alert.source_url:
        event.add("url", alert.source_url)
    event.add("categories", [alert.kind, alert.mechanism, alert.country])
    return event


def ics_calendar(alerts: Sequence[Alert], *, language: str) -> bytes:
    """RFC 5545 calendar: an all-day event per session or visit, and one per deadline.

    UIDs are fixed per alert (and per deadline), SEQUENCE is the alert's revision, and a
    cancelled alert stays in the feed with STATUS:CANCELLED, so calendar clients move or
    cancel the event they already have instead of adding another.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//Localrights//Alerts//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Localrights: UN reviews, visits and deadlines")
    for alert in alerts:
        summary = _summary(alert, language)
        if alert.starts_on is not None:
            end = (alert.ends_on or alert.starts_on) + timedelta(days=1)  # DTEND is exclusive
            calendar.add_component(
                _event(alert, f"{alert.id}@{UID_DOMAIN}", summary, alert.starts_on, end, language)
            )
        if alert.deadline is not None:
            calendar.add_component(
                _event(
                    alert,
                    f"{alert.id}-deadline@{UID_DOMAIN}",
                    f"Deadline: {summary}",
                    alert.deadline,
                    alert.deadline + timedelta(days=1),
                    language,
                )
            )
    return bytes(calendar.to_ical())
