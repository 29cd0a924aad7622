"""Things picked by name: countries, places, mechanisms and mandates, themes, SDGs.

Pages never ask for a code. Countries come from ISO 3166 in the page's language; places
(regions, provinces, municipalities' subdivisions) are typed by name and found in ISO 3166-2;
mechanisms are the UPR, the treaty bodies and the Special Procedures' mandates (their list and
names in three languages come from the notifications service, read once).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from localrights_gateway.web import labels, lookups, places
from localrights_gateway.web.client import Api, ApiError
from localrights_gateway.web.i18n import N_, Gettext, pick_text

TREATY_BODIES = ("CEDAW", "CERD", "CRC", "CAT", "CCPR", "CESCR", "CRPD", "CMW", "CED")
MECHANISMS = ("UPR", *TREATY_BODIES)
ALERT_KINDS = ("upr_review", "treaty_body_review", "country_visit", "call_for_input", "deadline")
NOTIFICATION_KINDS = (
    *ALERT_KINDS,
    "consultation_opened",
    "input_requested",
    "reminder",
    "status_changed",
    "status_returned",
    "indicator_observed",
)
STAGES = {
    "treaty_body_review": ("list_of_issues", "dialogue", "concluding_observations", "follow_up"),
    "country_visit": ("announced", "ongoing", "end_of_visit", "report"),
}
# Themes alerts and subscriptions share: the residents' topics, and the SDGs as "sdg-11".
SDG_THEME_PREFIX = "sdg-"
INSTITUTION_KINDS = tuple(labels.LABELS["institution_kind"])

_MANDATES: list[dict[str, Any]] = []


def split_list(raw: str) -> list[str]:
    """Comma-, semicolon- or line-separated values, trimmed, without blanks or repeats."""
    return list(dict.fromkeys(part.strip() for part in re.split(r"[,;\n]", raw) if part.strip()))


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


async def mandates(api: Api, language: str) -> list[Choice]:
    """The Special Procedures' mandates (GET /mandates, read once), named in ``language``."""
    if not _MANDATES:
        try:
            found = await api.get("/mandates")
        except ApiError:
            return []
        _MANDATES.extend(m for m in found if isinstance(m, dict))
    return sorted(
        (Choice(str(m["code"]), pick_text(m.get("name"), language, ["en"])) for m in _MANDATES),
        key=lambda c: places.fold(c.label),
    )


async def mechanism_name(api: Api, value: str, language: str, gettext: Gettext) -> str:
    """A mechanism's name: a treaty body's or the UPR's label, or a mandate's title."""
    if value in MECHANISMS:
        return labels.label("mechanism", value, gettext)
    named = {c.value: c.label for c in await mandates(api, language)}
    return named.get(value, value)


async def mechanism_names(api: Api, language: str, gettext: Gettext) -> dict[str, str]:
    """Every known mechanism value -> its name in ``language`` (for lists and tables)."""
    names = {code: labels.label("mechanism", code, gettext) for code in MECHANISMS}
    names.update({c.value: c.label for c in await mandates(api, language)})
    return names


def country_choices(language: str) -> list[Choice]:
    return [Choice(code, name) for code, name in places.country_choices(language)]


async def theme_choices(api: Api, language: str, gettext: Gettext) -> list[Choice]:
    """The residents' topics, then the 17 SDGs."""
    topics = [Choice(value, label) for value, label in labels.choices("topic", gettext)]
    goals = await lookups.sdg_goals(api, language)
    sdgs = [
        Choice(f"{SDG_THEME_PREFIX}{number}", gettext("SDG %(goal)s") % {"goal": name})
        for number, name in sorted(goals.items(), key=lambda item: int(item[0]))
    ]
    return topics + sdgs


def theme_label(value: str, gettext: Gettext, goals: dict[str, str]) -> str:
    """A theme's name; an unknown one (an API client's own slug) as words."""
    if value.startswith(SDG_THEME_PREFIX) and value[len(SDG_THEME_PREFIX) :] in goals:
        return gettext("SDG %(goal)s") % {"goal": goals[value[len(SDG_THEME_PREFIX) :]]}
    return labels.label("topic", value, gettext)


@dataclass
class ResolvedPlaces:
    codes: list[str]
    unknown: list[str]


def resolve_places(text: str, language: str, *, country: str | None = None) -> ResolvedPlaces:
    """ISO codes of the places named in ``text`` (comma or line separated), within
    ``country`` when given; names found nowhere are returned to be shown as a mistake."""
    codes: list[str] = []
    unknown: list[str] = []
    for name in split_list(text):
        found = [
            p
            for p in places.search_places(name, language, limit=20)
            if country is None or p.country == country
        ]
        exact = [p for p in found if places.fold(p.name) == places.fold(name)]
        best = (exact or found)[:1]
        if best:
            codes.append(best[0].code)
        else:
            unknown.append(name)
    return ResolvedPlaces(list(dict.fromkeys(codes)), unknown)


def place_names(codes: list[str], language: str) -> str:
    """ "Bologna, Torino": how a list of codes is written back into a text field."""
    return ", ".join(places.place_name(code, language) for code in codes)


UNKNOWN_PLACE = N_(
    "We found no place called “%(names)s”. Write the name of a region or province, for "
    "example Bologna or Canelones."
)
