"""Dates, times and numbers as the page's reader writes them (Babel's CLDR data).

Dates: "21 January 2027", "21 janvier 2027", "21 de enero de 2027". A time always says its
zone: the zone of the place a consultation is for when that country has only one
(Uruguay, Italy), else UTC, named so ("23:59 UTC"). A country spanning several zones
(the United States, Indonesia) would need a table from subdivisions to zones to do better;
UTC is never wrong, only less handy. Numbers are grouped in the reader's way: 13,000,000 in
English, 13 000 000 in French, 13.000.000 in Spanish.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo

from babel import dates, numbers
from babel.core import get_global

# Babel's "en" is American ("January 21, 2027"); the platform writes British English.
_LOCALES = {"en": "en_GB"}
# CLDR's minimum grouping digits, which Babel does not apply: Spanish writes 1100 but
# 13.000.000, as the browsers' Intl.NumberFormat (the live budget total) does.
_MIN_GROUPING = {"es": 2}


def locale_of(language: str) -> str:
    return _LOCALES.get(language, language)


def parse_moment(value: datetime | date | str | None) -> datetime | date | None:
    """A datetime (aware) or date from the API's ISO 8601 text; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value
    text = value.strip()
    if len(text) == 10:
        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@cache
def zone_for(place_code: str | None) -> tzinfo:
    """The time zone to show a place's times in: its country's only zone, else UTC."""
    if not place_code:
        return UTC
    zones = get_global("territory_zones").get(place_code[:2].upper(), [])
    return ZoneInfo(zones[0]) if len(zones) == 1 else UTC


def zone_name(zone: tzinfo, language: str) -> str:
    """ "Uruguay Time", "heure : Italie", or "UTC"."""
    if zone is UTC:
        return "UTC"
    return str(dates.get_timezone_location(zone, locale=locale_of(language)))


def format_date(
    value: datetime | date | str | None, language: str, place: str | None = None
) -> str:
    """ "21 January 2027" (a moment is dated in the place's zone)."""
    moment = parse_moment(value)
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = moment.astimezone(zone_for(place)).date()
    return str(dates.format_date(moment, "long", locale=locale_of(language)))


def format_time(value: datetime | str | None, language: str, place: str | None = None) -> str:
    """ "23:59 (Uruguay Time)": the time in the place's zone, with that zone named."""
    moment = parse_moment(value)
    if not isinstance(moment, datetime):
        return ""
    zone = zone_for(place)
    local = moment.astimezone(zone)
    clock = dates.format_time(local, "short", locale=locale_of(language))
    name = zone_name(zone, language)
    return f"{clock} {name}" if zone is UTC else f"{clock} ({name})"


def format_number(value: float | int | None, language: str) -> str:
    """13,000,000 / 13 000 000 / 13.000.000."""
    if value is None:
        return ""
    digits = len(str(abs(int(value))))
    grouped = digits >= 3 + _MIN_GROUPING.get(language, 1)
    return str(numbers.format_decimal(value, locale=locale_of(language), group_separator=grouped))


def format_percent(share: float | None, language: str) -> str:
    """A share (0.45) as the reader writes a percentage: 45%, 45 %."""
    if share is None:
        return ""
    return str(numbers.format_percent(share, locale=locale_of(language)))


def is_future(value: datetime | date | str | None) -> bool:
    """Whether a moment (or day) from the API is still to come."""
    moment = parse_moment(value)
    if isinstance(moment, datetime):
        return moment > datetime.now(UTC)
    return moment is not None and moment > datetime.now(UTC).date()
