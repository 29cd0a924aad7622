"""Reading a published calendar of UN sessions into alerts (rules only: no HTTP, no SQL).

Two shapes people already hold:

- CSV, as a UPR session's list of States under review or a treaty body's session programme
  is copied from OHCHR's pages: one row per State, with a header naming the columns. Headers
  are matched loosely ("State under review", "Country", "State party"...), countries may be
  names ("Viet Nam") or ISO codes, dates ISO (2027-01-21) or written (21 January 2027,
  21/01/2027).
- iCalendar (RFC 5545): one VEVENT per session or visit; the country, mechanism and kind
  come from CATEGORIES (as the platform's own calendar feed writes them) or X-LOCALRIGHTS-*
  properties, else from the words of the SUMMARY.

Each row becomes the fields of an alert, with a title in English, French and Spanish when
the calendar gives none; whether the alert is valid is for the API's model to say, row by
row, so one bad row never stops the others.
"""

from __future__ import annotations

import csv
import gettext
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pycountry
from icalendar import Calendar

from localrights_notifications.domain import MECHANISM_CODES, STAGES, TREATY_BODIES
from localrights_notifications.mandates import MANDATES

LANGUAGES = ("en", "fr", "es")

# Canonical field -> headers (folded: lower case, single spaces) that mean it.
_HEADERS: dict[str, tuple[str, ...]] = {
    "country": (
        "country",
        "state",
        "state under review",
        "state party",
        "states parties",
        "country code",
        "country concerned",
    ),
    "mechanism": ("mechanism", "body", "committee", "treaty body", "mandate", "procedure"),
    "kind": ("kind", "type", "alert kind"),
    "stage": ("stage",),
    "session": ("session", "session number"),
    "starts_on": (
        "starts on",
        "start",
        "start date",
        "from",
        "date",
        "review date",
        "date of review",
    ),
    "ends_on": ("ends on", "end", "end date", "to"),
    "deadline": ("deadline", "submission deadline", "deadline for submissions"),
    "title": ("title", "title en", "title (en)"),
    "title_fr": ("title fr", "title (fr)"),
    "title_es": ("title es", "title (es)"),
    "body": ("body", "description", "details", "notes"),
    "how_to_take_part": ("how to take part", "how to participate", "participation"),
    "themes": ("themes", "theme", "topics"),
    "source_url": ("source url", "source", "url", "link", "web page"),
}
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d/%m/%Y", "%d.%m.%Y", "%B %d, %Y")


@dataclass
class CalendarRow:
    """One session, visit or deadline read from the file, before validation."""

    line: int
    fields: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None


class CalendarUnreadable(ValueError):
    """The file is not a calendar this module can read (named so in the 422)."""


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


def _canonical(header: str) -> str | None:
    folded = _fold(header)
    return next((name for name, aliases in _HEADERS.items() if folded in aliases), None)


def country_code(value: str) -> str | None:
    """An ISO 3166-1 alpha-2 code for a code or a name ("Viet Nam", "Italy", "IT")."""
    text = value.strip()
    if not text:
        return None
    try:
        found = pycountry.countries.lookup(text)
    except LookupError:
        return None
    return str(found.alpha_2)


def parse_date(value: str) -> date:
    text = " ".join(value.strip().split())
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date (write it as 2027-01-21 or 21 January 2027)")


def mechanism_of(value: str) -> str | None:
    """UPR, a treaty body code, or a mandate's short name, from how a calendar writes it."""
    text = value.strip()
    upper = text.upper()
    if upper in MECHANISM_CODES:
        return upper
    for code in MECHANISM_CODES:
        if re.search(rf"\b{code}\b", upper):
            return code
    folded = _fold(text)
    for mandate in MANDATES:
        if folded in (_fold(mandate.code), _fold(mandate.name["en"])):
            return mandate.code
    return text or None


def default_kind(mechanism: str) -> tuple[str, str | None]:
    """The kind (and stage) a session of this mechanism announces."""
    if mechanism == "UPR":
        return "upr_review", None
    if mechanism in TREATY_BODIES:
        return "treaty_body_review", "dialogue"
    return "country_visit", "announced"


def _ordinal(session: str, language: str) -> str:
    number = re.sub(r"\D", "", session)
    if not number:
        return session
    if language == "fr":
        return f"{number}e session" if number != "1" else "1re session"
    if language == "es":
        return f"{number}.º período de sesiones"
    tail = (
        "th"
        if 10 <= int(number) % 100 <= 20
        else {1: "st", 2: "nd", 3: "rd"}.get(int(number) % 10, "th")
    )
    return f"{number}{tail} session"


def _country_name(code: str, language: str) -> str:
    entry = pycountry.countries.get(alpha_2=code)
    english = getattr(entry, "common_name", None) or getattr(entry, "name", code)
    if language == "en":
        return str(english)
    names = gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )
    return names.gettext(str(english))


_TITLES = {
    "upr_review": {
        "en": "Universal Periodic Review: {country}",
        "fr": "Examen périodique universel : {country}",
        "es": "Examen Periódico Universal: {country}",
    },
    "treaty_body_review": {
        "en": "{mechanism} reviews {country}",
        "fr": "Examen par le {mechanism} : {country}",
        "es": "Examen del {mechanism}: {country}",
    },
    "country_visit": {
        "en": "Country visit ({mechanism}): {country}",
        "fr": "Visite de pays ({mechanism}) : {country}",
        "es": "Visita al país ({mechanism}): {country}",
    },
    "call_for_input": {
        "en": "Call for input ({mechanism}): {country}",
        "fr": "Appel à contributions ({mechanism}) : {country}",
        "es": "Convocatoria de contribuciones ({mechanism}): {country}",
    },
    "deadline": {
        "en": "Deadline ({mechanism}): {country}",
        "fr": "Date limite ({mechanism}) : {country}",
        "es": "Fecha límite ({mechanism}): {country}",
    },
}


def default_title(kind: str, mechanism: str, country: str, session: str | None) -> dict[str, str]:
    """ "CERD reviews Uruguay (112th session)" in each language."""
    patterns = _TITLES.get(kind, _TITLES["deadline"])
    titles = {}
    for language in LANGUAGES:
        title = patterns[language].format(
            mechanism=mechanism, country=_country_name(country, language)
        )
        titles[language] = f"{title} ({_ordinal(session, language)})" if session else title
    return titles


def _complete(line: int, raw: dict[str, str]) -> CalendarRow:
    """Turn one row of canonical fields into alert fields, or say what is wrong with it."""
    row = CalendarRow(line=line)
    country = country_code(raw.get("country", ""))
    if country is None:
        row.problem = (
            f"country: {raw.get('country')!r} is not a country name or ISO code"
            if raw.get("country")
            else "country: missing"
        )
        return row
    mechanism = mechanism_of(raw.get("mechanism", "")) or ("UPR" if raw.get("session") else None)
    if mechanism is None:
        row.problem = "mechanism: missing (UPR, a treaty body such as CERD, or a mandate)"
        return row
    kind, stage = default_kind(mechanism)
    kind = raw.get("kind", "").strip().lower().replace(" ", "_") or kind
    stage_text = raw.get("stage", "").strip().lower().replace(" ", "_")
    stage = stage_text or (stage if kind in STAGES else None)
    fields: dict[str, Any] = {
        "kind": kind,
        "stage": stage,
        "country": country,
        "mechanism": mechanism,
    }
    try:
        for name in ("starts_on", "ends_on", "deadline"):
            if raw.get(name, "").strip():
                fields[name] = parse_date(raw[name])
    except ValueError as exc:
        row.problem = f"{name}: {exc}"
        return row
    title = {
        language: raw[key].strip()
        for language, key in (("en", "title"), ("fr", "title_fr"), ("es", "title_es"))
        if raw.get(key, "").strip()
    }
    fields["title"] = title or default_title(kind, mechanism, country, raw.get("session"))
    for name in ("body", "how_to_take_part"):
        if raw.get(name, "").strip():
            fields[name] = {"en": raw[name].strip()}
    if raw.get("themes", "").strip():
        fields["themes"] = [
            "_".join(_fold(t).split()) for t in re.split(r"[,;]", raw["themes"]) if _fold(t)
        ]
    if raw.get("source_url", "").strip():
        fields["source_url"] = raw["source_url"].strip()
    row.fields = fields
    return row


def read_csv(text: str) -> list[CalendarRow]:
    """Rows of a CSV calendar; line numbers count the header as line 1."""
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        raise CalendarUnreadable("the file is empty")
    columns = [_canonical(name) for name in header]
    if "country" not in columns:
        raise CalendarUnreadable(
            "no column names the country: call it Country or State under review"
        )
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        raw = {
            name: value
            for name, value in zip(columns, values, strict=False)
            if name is not None and value.strip()
        }
        rows.append(_complete(number, raw))
    return rows


def _ical_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(_ical_text(v) for v in value)
    cats = getattr(value, "cats", None)
    if cats is not None:
        return ",".join(str(c) for c in cats)
    return str(value)


def _ical_date(value: Any) -> date | None:
    moment = getattr(value, "dt", None)
    if isinstance(moment, datetime):
        return moment.date()
    return moment if isinstance(moment, date) else None


def read_ical(data: bytes) -> list[CalendarRow]:
    """Rows of an iCalendar file: one per VEVENT that is not cancelled."""
    try:
        calendar = Calendar.from_ical(data)
    except ValueError as exc:
        raise CalendarUnreadable(f"not an iCalendar file: {exc}") from None
    rows = []
    for number, event in enumerate(calendar.walk("VEVENT"), start=1):
        if str(event.get("status", "")).upper() == "CANCELLED":
            continue
        summary = str(event.get("summary", ""))
        categories = [c.strip() for c in _ical_text(event.get("categories")).split(",")]
        raw: dict[str, str] = {"title": summary}
        for token in categories:
            if country_code(token) and len(token) == 2:
                raw.setdefault("country", token)
            elif token in STAGES or token in ("upr_review", "call_for_input", "deadline"):
                raw.setdefault("kind", token)
            elif token:
                raw.setdefault("mechanism", token)
        for name in ("country", "mechanism", "kind", "stage", "session"):
            own = event.get(f"x-localrights-{name}")
            if own is not None:
                raw[name] = str(own)
        if "country" not in raw:
            raw["country"] = _country_in(summary) or ""
        if "mechanism" not in raw:
            raw["mechanism"] = mechanism_of(summary) or ""
            if raw["mechanism"] == summary:
                raw["mechanism"] = ""
        dtend = event.get("dtend")
        start, end = _ical_date(event.get("dtstart")), _ical_date(dtend)
        if start is not None:
            raw["starts_on"] = start.isoformat()
            if end is not None and end > start:
                # DTEND of an all-day event is the day after its last day (RFC 5545).
                all_day = not isinstance(dtend.dt, datetime)
                raw["ends_on"] = (end - timedelta(days=1) if all_day else end).isoformat()
        if event.get("description"):
            raw["body"] = str(event.get("description"))
        if event.get("url"):
            raw["source_url"] = str(event.get("url"))
        rows.append(_complete(number, raw))
    return rows


def _country_in(text: str) -> str | None:
    """The first country an event's summary names ("CERD - Uruguay" -> UY)."""
    folded = f" {_fold(text)} "
    for country in pycountry.countries:
        for name in (getattr(country, "common_name", None), country.name):
            if name and f" {_fold(name)} " in folded:
                return str(country.alpha_2)
    return None


def read_calendar(data: bytes, content_type: str | None) -> list[CalendarRow]:
    """CSV or iCalendar, told apart by the content (a BEGIN:VCALENDAR line) or its type."""
    text = data.decode("utf-8-sig", errors="replace")
    if text.lstrip().upper().startswith("BEGIN:VCALENDAR") or "calendar" in (content_type or ""):
        return read_ical(data)
    return read_csv(text)
