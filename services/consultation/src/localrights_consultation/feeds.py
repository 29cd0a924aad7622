"""Atom feeds (feedgen) that residents follow without an account: a place's new consultations
and published results, and one consultation's steps (opened, closed, results published).

Entries are made from the consultation's own dates, so an entry's id and time never change:
a feed reader shows each step once. Links go to the residents' pages on the gateway.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]

from localrights.places import place_name
from localrights_consultation.models import Consultation

LANGUAGES = ("en", "fr", "es")
_WORDS: dict[str, dict[str, str]] = {
    "opened": {
        "en": "New consultation",
        "fr": "Nouvelle consultation",
        "es": "Nueva consulta",
    },
    "closed": {
        "en": "Consultation closed",
        "fr": "Consultation terminée",
        "es": "Consulta cerrada",
    },
    "published": {
        "en": "Results published",
        "fr": "Résultats publiés",
        "es": "Resultados publicados",
    },
    "place_feed": {
        "en": "Consultations in {place}",
        "fr": "Consultations\u00a0: {place}",
        "es": "Consultas en {place}",
    },
    # French sets a no-break space before a colon.
    "labelled": {"en": "{label}: {text}", "fr": "{label}\u00a0: {text}", "es": "{label}: {text}"},
    "everywhere": {"en": "every place", "fr": "tous les lieux", "es": "todos los lugares"},
    "next": {"en": "What happens next", "fr": "Et ensuite", "es": "Próximos pasos"},
}
# Characters XML 1.0 cannot carry: one stored in a title must not break the feed for all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def _word(key: str, language: str) -> str:
    return _WORDS[key].get(language) or _WORDS[key]["en"]


def _labelled(key: str, text: str, language: str) -> str:
    return _word("labelled", language).format(label=_word(key, language), text=text)


def pick(text: Mapping[str, str], language: str) -> str:
    return text.get(language) or text.get("en") or next(iter(text.values()), "")


def _entries(
    consultation: Consultation, *, pages_url: str, language: str, with_closed: bool
) -> list[tuple[datetime, str, str, str, str]]:
    """(time, id, title, link, summary) of each step the consultation has taken."""
    title = pick(consultation.title, language)
    page = f"{pages_url}/consultations/{consultation.id}?lang={language}"
    results = f"{pages_url}/consultations/{consultation.id}/results?lang={language}"
    urn = f"urn:localrights:consultation:{consultation.id}"
    where = place_name(consultation.jurisdiction, language)
    if consultation.municipality:
        where = f"{consultation.municipality}, {where}"
    found = []
    if consultation.opened_at:
        summary = " ".join(
            part for part in (pick(consultation.description, language), f"({where})") if part
        )
        found.append(
            (
                consultation.opened_at,
                f"{urn}:opened",
                _labelled("opened", title, language),
                page,
                summary,
            )
        )
    if with_closed and consultation.closed_at:
        found.append(
            (
                consultation.closed_at,
                f"{urn}:closed",
                _labelled("closed", title, language),
                page,
                where,
            )
        )
    if consultation.published_at:
        next_steps = pick(consultation.what_happens_next, language)
        summary = _labelled("next", next_steps, language) if next_steps else where
        found.append(
            (
                consultation.published_at,
                f"{urn}:published",
                _labelled("published", title, language),
                results,
                summary,
            )
        )
    return found


def atom_feed(
    consultations: Sequence[Consultation],
    *,
    feed_url: str,
    pages_url: str,
    title: str,
    language: str,
    with_closed: bool = False,
) -> bytes:
    """Atom 1.0 of the consultations' steps, newest first."""
    entries = sorted(
        (
            entry
            for consultation in consultations
            for entry in _entries(
                consultation, pages_url=pages_url, language=language, with_closed=with_closed
            )
        ),
        key=lambda entry: entry[0],
    )
    feed = FeedGenerator()
    feed.id(_xml(feed_url))
    feed.title(_xml(title))
    feed.author({"name": "Localrights"})
    feed.link(href=_xml(feed_url), rel="self")
    feed.link(href=_xml(pages_url + "/"), rel="alternate")
    feed.language(language)
    feed.updated(entries[-1][0] if entries else datetime.now(UTC))
    # feedgen prepends entries: add the oldest first so the newest stays on top.
    for when, entry_id, entry_title, link, summary in entries:
        entry = feed.add_entry()
        entry.id(entry_id)
        entry.title(_xml(entry_title))
        entry.link(href=_xml(link))
        entry.published(when)
        entry.updated(when)
        entry.summary(_xml(summary) or _xml(entry_title))
    return bytes(feed.atom_str(pretty=True))


def place_feed_title(places: Sequence[str], municipality: str | None, language: str) -> str:
    names = [place_name(code, language) for code in places]
    if municipality:
        names.insert(0, municipality)
    where = ", ".join(names) or _word("everywhere", language)
    return "Localrights – " + _word("place_feed", language).format(place=where)
