"""Where a consultation applies and what it links to: ISO 3166 codes and SDG targets.

Places inside a place (``codes_within``) come from the shared library.
"""

from __future__ import annotations

import re

import pycountry

# Goal 1-17, then a numbered target (11.1, 17.19) or a means-of-implementation target (11.a).
SDG_TARGET_RE = re.compile(r"^(?:[1-9]|1[0-7])\.(?:[1-9][0-9]?|[a-z])$")


def jurisdiction_error(code: str) -> str | None:
    """Why ``code`` is not an ISO 3166-1 alpha-2 country or ISO 3166-2 subdivision, or None."""
    if len(code) == 2:
        if pycountry.countries.get(alpha_2=code) is None:
            return f"jurisdiction: {code!r} is not an ISO 3166-1 alpha-2 country code"
        return None
    if pycountry.subdivisions.get(code=code) is None:  # type: ignore[no-untyped-call]
        return f"jurisdiction: {code!r} is not an ISO 3166-2 subdivision code (e.g. FR-75C)"
    return None


def country_of(jurisdiction: str) -> str:
    """The ISO 3166-1 country of a country or subdivision code."""
    return jurisdiction.split("-", 1)[0]


def sdg_target_error(target: str) -> str | None:
    """Why ``target`` is not an SDG target such as 11.1 or 16.a, or None."""
    if SDG_TARGET_RE.match(target):
        return None
    return f"sdg_targets: {target!r} is not an SDG target (goal 1-17, a dot, a target: 11.1, 16.a)"
