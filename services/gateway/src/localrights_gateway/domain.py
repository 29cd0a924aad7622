"""Rules about institutions and roles that know neither HTTP nor SQL."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from uuid import UUID

import pycountry

from localrights.roles import Role


class InstitutionKind(StrEnum):
    MUNICIPALITY = "municipality"
    REGIONAL_GOVERNMENT = "regional_government"
    LOCAL_HR_COMMISSION = "local_hr_commission"
    OMBUDSPERSON = "ombudsperson"
    MINISTRY = "ministry"
    OTHER = "other"


def check_country(code: str) -> str:
    """An ISO 3166-1 alpha-2 code, upper-cased, or ValueError."""
    code = code.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def check_jurisdiction(country: str, jurisdiction: str) -> str:
    """The country itself or one of its ISO 3166-2 subdivisions, or ValueError."""
    jurisdiction = jurisdiction.strip().upper()
    if jurisdiction == country:
        return jurisdiction
    subdivision = pycountry.subdivisions.get(code=jurisdiction)  # type: ignore[no-untyped-call]
    if subdivision is None:
        raise ValueError(f"{jurisdiction!r} is not an ISO 3166-2 subdivision code")
    if subdivision.country_code != country:
        raise ValueError(f"{jurisdiction} is not a subdivision of {country}")
    return jurisdiction


def codes_within(code: str) -> frozenset[str]:
    """A place's code and those of every subdivision inside it: an Italian region holds its
    metropolitan cities and provinces, whose codes do not start with the region's."""
    code = code.upper()
    if len(code) == 2:
        inside = pycountry.subdivisions.get(country_code=code) or []  # type: ignore[no-untyped-call]
        return frozenset({code, *(s.code for s in inside)})
    children: dict[str, list[str]] = {}
    for subdivision in pycountry.subdivisions.get(country_code=code[:2]) or []:  # type: ignore[no-untyped-call]
        if subdivision.parent_code:
            children.setdefault(subdivision.parent_code, []).append(subdivision.code)
    found, pending = {code}, [code]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    return frozenset(found)


def check_roles(roles: Iterable[Role], institution_id: UUID | None) -> list[Role]:
    """Roles a user or key may hold: at least one; admin alone and for no institution, every
    other role for an institution.

    Admin is a platform role (it manages every institution and every account), so it is never
    bound to one institution: an institution's staff could otherwise act on the others.
    """
    unique = sorted(set(roles))
    if not unique:
        raise ValueError("at least one role is needed")
    if institution_id is not None and Role.ADMIN in unique:
        raise ValueError(
            "admin is a platform role and acts for no institution: leave institution_id out"
        )
    if institution_id is None and any(role != Role.ADMIN for role in unique):
        raise ValueError("every role except admin acts for an institution: give institution_id")
    return unique
