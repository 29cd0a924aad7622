"""ISO 3166 places inside others: what a region's page or filter takes in."""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry


@lru_cache(maxsize=1024)
def codes_within(code: str) -> frozenset[str]:
    """A subdivision's code and those of every subdivision inside it (an Italian region's
    provinces, a French region's departments); a country's code and all of its subdivisions'."""
    found = {code}
    children: dict[str, list[str]] = {}
    for subdivision in pycountry.subdivisions.get(country_code=code[:2]) or []:  # type: ignore[no-untyped-call]
        parent = subdivision.parent_code or (code if len(code) == 2 else None)
        if parent:
            children.setdefault(parent, []).append(subdivision.code)
    pending = [code]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    return frozenset(found)


@lru_cache(maxsize=4096)
def place_name(code: str, language: str) -> str:
    """The ISO 3166 name of a country or subdivision in ``language`` (the code if unknown)."""
    if len(code) == 2:
        entry = pycountry.countries.get(alpha_2=code)
        domain = "iso3166-1"
    else:
        entry = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
        domain = "iso3166-2"
    if entry is None:
        return code
    names = gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)
    return names.gettext(getattr(entry, "common_name", None) or entry.name)
