"""Places by name: ISO 3166 countries and subdivisions in the page's language, and back.

Pages never print a code where a place is meant: ``place_name("UY-CA", "fr")`` is
"Canelones", ``place_name("IT", "fr")`` "Italie"; municipalities are shown as given. The
reverse, ``search_places("bologna")``, finds the codes a resident means by a name typed in
any of the interface languages (or the local name ISO lists), whatever its case and accents.
Names come from pycountry's ISO 3166 data and its gettext translations (iso3166-1, -2).
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import pycountry

from localrights_gateway.web.i18n import DEFAULT_LANGUAGE, LANGUAGES

_DOMAINS = ("iso3166-1", "iso3166-2")


@cache
def _names(domain: str, language: str) -> gettext.NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


def fold(text: str) -> str:
    """Lower case without accents or punctuation: how names are compared ("Émilie" ~ "emilie")."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


@dataclass(frozen=True)
class Place:
    """A country or subdivision, named in one language."""

    code: str
    name: str
    country: str  # alpha-2
    parent: str | None  # the subdivision or country it lies in; None for a country

    @property
    def is_country(self) -> bool:
        return self.parent is None


def _country(code: str, language: str) -> Place | None:
    entry = pycountry.countries.get(alpha_2=code)
    if entry is None:
        return None
    # "Bolivia", not "Bolivia, Plurinational State of", where ISO gives a common name.
    english = getattr(entry, "common_name", None) or entry.name
    name = _names("iso3166-1", language).gettext(english)
    if name == english and english != entry.name and language != DEFAULT_LANGUAGE:
        name = _names("iso3166-1", language).gettext(entry.name)  # no translated common name
    return Place(code=code, name=name, country=code, parent=None)


def _subdivision(code: str, language: str) -> Place | None:
    entry = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
    if entry is None:
        return None
    return Place(
        code=code,
        name=_names("iso3166-2", language).gettext(entry.name),
        country=entry.country_code,
        parent=entry.parent_code or entry.country_code,
    )


@cache
def place(code: str, language: str = DEFAULT_LANGUAGE) -> Place | None:
    """The country (``UY``) or subdivision (``UY-CA``) of an ISO code, or None."""
    code = code.strip().upper()
    return _country(code, language) if len(code) == 2 else _subdivision(code, language)


def place_name(code: str | None, language: str, municipality: str | None = None) -> str:
    """What a page prints for a place: "Canelones", "Ciudad de la Costa, Canelones"; the
    municipality of Bologna in the metropolitan city of Bologna is just "Bologna"."""
    found = place(code, language) if code else None
    name = found.name if found else (code or "")
    if not municipality:
        return name
    if found is not None and not found.is_country and _same_name(municipality, found.code):
        return municipality
    return f"{municipality}, {name}" if name else municipality


def _same_name(municipality: str, code: str) -> bool:
    wanted = fold(municipality)
    return any(
        (p := place(code, language)) is not None and fold(p.name) == wanted
        for language in LANGUAGES
    )


def lineage(code: str, language: str) -> list[Place]:
    """The place and every place it lies in, the country first."""
    chain: list[Place] = []
    current = place(code, language)
    while current is not None and len(chain) < 6:
        chain.insert(0, current)
        current = place(current.parent, language) if current.parent else None
    return chain


def full_name(code: str | None, language: str, municipality: str | None = None) -> str:
    """A place with its country: "Canelones, Uruguay"; a country alone: "Italy"."""
    name = place_name(code, language, municipality)
    found = place(code, language) if code else None
    country = place(found.country, language) if found else None
    if country is None or name.endswith(country.name):
        return name
    return f"{name}, {country.name}"


def _sort_key(name: str) -> str:
    return fold(name)


@cache
def country_choices(language: str = DEFAULT_LANGUAGE) -> list[tuple[str, str]]:
    """(alpha-2, name in ``language``) of every ISO 3166-1 country, by name."""
    found = [place(c.alpha_2, language) for c in pycountry.countries]
    return sorted(
        ((p.code, p.name) for p in found if p is not None), key=lambda item: _sort_key(item[1])
    )


@cache
def _index() -> tuple[tuple[str, str], ...]:
    """(folded name, code) of every country and subdivision, in every interface language."""
    entries: set[tuple[str, str]] = set()
    for country in pycountry.countries:
        names = {
            country.name,
            getattr(country, "common_name", None),
            getattr(country, "official_name", None),
        }
        for language in LANGUAGES:
            found = place(country.alpha_2, language)
            names.add(found.name if found else None)
        entries.update((fold(n), country.alpha_2) for n in names if n)
    for subdivision in pycountry.subdivisions:
        for language in LANGUAGES:
            found = place(subdivision.code, language)
            if found:
                entries.add((fold(found.name), subdivision.code))
    return tuple(sorted(entries))


def warm() -> None:
    """Build the search index now (half a second) rather than on the first search."""
    _index()


def search_places(text: str, language: str, *, limit: int = 8) -> list[Place]:
    """Places a resident may mean by ``text``, the likeliest first (a name, not a code).

    A name equal to the text comes first, then names starting with it, then names with a
    word starting with it; countries before subdivisions, then by name. Codes typed as
    such ("UY-CA") are found too.
    """
    wanted = fold(text)
    if len(wanted) < 2:
        return []
    ranked: dict[str, int] = {}
    typed_code = text.strip().upper()
    if place(typed_code) is not None:
        ranked[typed_code] = 0
    for name, code in _index():
        if name == wanted:
            rank = 0
        elif name.startswith(wanted):
            rank = 1
        elif f" {wanted}" in f" {name}":
            rank = 2
        else:
            continue
        ranked[code] = min(rank, ranked.get(code, rank))
    places = [p for p in (place(code, language) for code in ranked) if p is not None]
    places.sort(key=lambda p: (ranked[p.code], not p.is_country, _sort_key(p.name)))
    return places[:limit]
