"""Follow-up as files: CSV safe for spreadsheets, and an Atom feed of what changed.

The CSV columns carry ids beside names, so a commission's own system can join them to its
data; every cell goes through the platform's one formula-safe writer (``localrights.csvsafe``).
The feed's entries are made from the timeline's own dates and ids, so a feed reader shows
each change once.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]

from localrights import csvsafe

STATUS_COLUMNS = (
    "recommendation_id",
    "mechanism",
    "cycle",
    "session",
    "paragraph",
    "recommendation",
    "jurisdiction",
    "institution_id",
    "institution",
    "reported_status",
    "reported_as_of",
    "review",
    "validated_status",
    "validated_as_of",
    "carried_from",
)
TIMELINE_COLUMNS = (
    "entry_id",
    "recommendation_id",
    "jurisdiction",
    "institution_id",
    "institution",
    "status",
    "as_of",
    "origin",
    "review",
    "review_comment",
    "measures",
    "evidence_links",
    "responsible_body",
    "exercise_id",
    "recorded_at",
)
OBSERVATION_COLUMNS = (
    "indicator_id",
    "indicator",
    "unit",
    "kind",
    "sdg_target",
    "sdg_indicator",
    "jurisdiction",
    "institution_id",
    "observed_on",
    "period",
    "value",
    "breakdown",
    "baseline_value",
    "baseline_year",
    "target_value",
    "target_year",
    "revision",
)


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return value


def to_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """A header and one line per row, every cell safe from spreadsheet formulas."""
    out = io.StringIO()
    writer = csvsafe.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return out.getvalue()


def breakdown_text(breakdown: Sequence[Mapping[str, Any]]) -> str:
    """ "sex=women: 2470; sex=men: 1650"."""
    return "; ".join(f"{b['dimension']}={b['group']}: {b['value']:g}" for b in breakdown)


# Characters XML 1.0 cannot carry: one stored in a text must not break the feed for all.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_WORDS: dict[str, dict[str, str]] = {
    "feed": {
        "en": "Follow-up of UN recommendations: {place}",
        "fr": "Suivi des recommandations de l'ONU\u00a0: {place}",
        "es": "Seguimiento de las recomendaciones de la ONU: {place}",
    },
    "status": {"en": "{who}: {status}", "fr": "{who}\u00a0: {status}", "es": "{who}: {status}"},
    "validated": {
        "en": "{who}: {status} (validated by the ministry)",
        "fr": "{who}\u00a0: {status} (validé par le ministère)",
        "es": "{who}: {status} (validado por el ministerio)",
    },
    "observed": {
        "en": "{who}: {indicator} {value}",
        "fr": "{who}\u00a0: {indicator} {value}",
        "es": "{who}: {indicator} {value}",
    },
}
STATUS_WORDS: dict[str, dict[str, str]] = {
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


def _word(table: Mapping[str, Mapping[str, str]], key: str, language: str) -> str:
    return table[key].get(language) or table[key]["en"]


def status_word(status: str, language: str) -> str:
    return _word(STATUS_WORDS, status, language) if status in STATUS_WORDS else status


def recommendation_label(rec: Mapping[str, Any]) -> str:
    """ "UPR, session 20 (2014), para. 145.12" as far as the source tells: "UPR, session 20"."""
    where = rec.get("document_symbol") or (
        f"session {rec['session']}" if rec.get("session") else None
    )
    label = ", ".join(str(p) for p in (rec.get("mechanism"), where) if p)
    return f"{label}, para. {rec['paragraph']}" if rec.get("paragraph") else label


def recommendation_text(rec: Mapping[str, Any]) -> str:
    return f"{recommendation_label(rec)}: {rec.get('text', '')}"


@dataclass(frozen=True)
class FeedItem:
    """One change as the feed shows it."""

    id: str
    updated: datetime
    title: str
    summary: str
    link: str


def status_item(
    entry: Mapping[str, Any], *, who: str, recommendation: str, link: str, language: str
) -> FeedItem:
    key = "validated" if entry["origin"] == "ministry_validation" else "status"
    title = _word(_WORDS, key, language).format(
        who=who, status=status_word(entry["status"], language)
    )
    summary = (
        recommendation if not entry.get("measures") else f"{recommendation}\n\n{entry['measures']}"
    )
    return FeedItem(
        id=f"urn:localrights:status-entry:{entry['id']}",
        updated=entry["recorded_at"],
        title=title,
        summary=summary,
        link=link,
    )


def observation_item(
    observation: Mapping[str, Any], *, who: str, indicator: str, unit: str, link: str, language: str
) -> FeedItem:
    value = f"{observation['value']:g} {unit}".strip()
    period = observation.get("period") or observation["observed_on"].isoformat()
    return FeedItem(
        id=f"urn:localrights:observation:{observation['id']}:{observation['revision']}",
        updated=observation["recorded_at"],
        title=_word(_WORDS, "observed", language).format(who=who, indicator=indicator, value=value),
        summary=f"{indicator} ({period}): {value}",
        link=link,
    )


def atom_feed(
    *, feed_id: str, place: str, language: str, self_link: str, home: str, items: Sequence[FeedItem]
) -> bytes:
    """The Atom document of the latest changes, newest first."""
    generator = FeedGenerator()
    generator.id(feed_id)
    generator.title(_NOT_XML.sub("", _word(_WORDS, "feed", language).format(place=place)))
    generator.link(href=home, rel="alternate")
    generator.link(href=self_link, rel="self")
    generator.author({"name": "Localrights"})
    generator.language(language)
    ordered = sorted(items, key=lambda i: i.updated)
    generator.updated(ordered[-1].updated if ordered else datetime.now(UTC))
    for item in ordered:  # feedgen prepends: the oldest first leaves the newest on top
        entry = generator.add_entry()
        entry.id(item.id)
        entry.title(_NOT_XML.sub("", item.title))
        entry.summary(_NOT_XML.sub("", item.summary))
        entry.link(href=item.link)
        entry.updated(item.updated)
    body: bytes = generator.atom_str(pretty=True)
    return body
