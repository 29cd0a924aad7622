"""Country names as UN sources write them, mapped to ISO 3166-1 alpha-2 codes."""

from __future__ import annotations

import html
import re
from functools import lru_cache

import pycountry

# Names UN sources use that pycountry's lookup does not know (UPR Info's short forms,
# older official names). Keys are compared after ``_normalise``.
ALIASES: dict[str, str] = {
    "republic of korea": "KR",
    "south korea": "KR",
    "dpr korea": "KP",
    "north korea": "KP",
    "palestine": "PS",
    "state of palestine": "PS",
    "turkey": "TR",
    "democratic republic of congo": "CD",
    "democratic republic of the congo": "CD",
    "dr congo": "CD",
    "republic of congo": "CG",
    "congo": "CG",
    "holy see": "VA",
    "cote d'ivoire": "CI",
    "ivory coast": "CI",
    "cape verde": "CV",
    "macedonia fyr": "MK",
    "the former yugoslav republic of macedonia": "MK",
    "macedonia": "MK",
    "swaziland": "SZ",
    "guinea bissau": "GW",
    "micronesia": "FM",
    "micronesia (federated states of)": "FM",
    "laos": "LA",
    "lao pdr": "LA",
    "syria": "SY",
    "russia": "RU",
    "iran": "IR",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "vietnam": "VN",
    "moldova": "MD",
    "brunei": "BN",
    "east timor": "TL",
    "burma": "MM",
    "czech republic": "CZ",
    "united kingdom": "GB",
    "united states": "US",
    "usa": "US",
    "kosovo": "XK",
}

_SAINT = re.compile(r"^st\.? ")
_PARENTHESIS = re.compile(r"^(.*?) \((.*)\)$")


def _normalise(name: str) -> str:
    name = html.unescape(name).strip().lower().replace("\u2019", "'")
    name = name.replace(" & ", " and ")
    return " ".join(_SAINT.sub("saint ", name).split())


@lru_cache(maxsize=4096)
def country_code(name: str) -> str | None:
    """ISO 3166-1 alpha-2 code of a country name or code as UN sources write it; None if unknown."""
    key = _normalise(name)
    if not key:
        return None
    if key in ALIASES:
        return ALIASES[key]
    if key.replace(" and ", " & ") in ALIASES:
        return ALIASES[key.replace(" and ", " & ")]
    candidates = [key]
    # "Bolivia (Plurinational State of)" is "Bolivia, Plurinational State of" in ISO 3166.
    match = _PARENTHESIS.match(key)
    if match:
        candidates += [f"{match[1]}, {match[2]}", match[1]]
    for candidate in candidates:
        try:
            return str(pycountry.countries.lookup(candidate).alpha_2)
        except LookupError:
            continue
    return None


def is_country_code(code: str) -> bool:
    """True for an assigned ISO 3166-1 alpha-2 code (and Kosovo's XK, which the UN uses)."""
    return code == "XK" or pycountry.countries.get(alpha_2=code) is not None


def is_jurisdiction_of(code: str, country: str) -> bool:
    """True if ``code`` is the country itself or one of its ISO 3166-2 subdivisions."""
    if code == country:
        return True
    if not code.startswith(f"{country}-"):
        return False
    return pycountry.subdivisions.get(code=code) is not None  # type: ignore[no-untyped-call]
