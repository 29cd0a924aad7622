"""Events of institutions registered at the gateway (topic ``institution.events``).

Services keep a small projection of institutions from these (for example, to turn an
exercise's invited jurisdictions into the institutions to alert). Institutions are
organisations: no person's name or address travels here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from pydantic import Field

from localrights.events.registry import INSTITUTION_EVENTS, EventPayload, EventType, register


class InstitutionFacts(EventPayload):
    institution_id: UUID
    name: str
    kind: str = Field(
        description="municipality | regional_government | local_hr_commission | "
        "ombudsperson | ministry | other"
    )
    country: str = Field(description="ISO 3166-1 alpha-2")
    jurisdiction: str = Field(description="ISO 3166-1 alpha-2 or ISO 3166-2 code")
    municipality: str | None = None
    active: bool = True
    changed_at: datetime


class InstitutionRegistered(InstitutionFacts):
    """An institution was registered on the platform."""


class InstitutionUpdated(InstitutionFacts):
    """An institution's name, place or status changed."""


_EXAMPLE = {
    "institution_id": UUID("2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e"),
    "name": "Intendencia de Canelones, Human Rights Division",
    "kind": "regional_government",
    "country": "UY",
    "jurisdiction": "UY-CA",
    "changed_at": datetime(2026, 1, 15, 9, 0, tzinfo=UTC),
}

INSTITUTION_REGISTERED = register(
    EventType(
        type="institution.registered",
        topic=INSTITUTION_EVENTS,
        key="institution_id",
        version=1,
        model=InstitutionRegistered,
        producer="gateway",
        description="An institution was registered on the platform.",
        example=InstitutionRegistered(**_EXAMPLE),
    )
)

INSTITUTION_UPDATED = register(
    EventType(
        type="institution.updated",
        topic=INSTITUTION_EVENTS,
        key="institution_id",
        version=1,
        model=InstitutionUpdated,
        producer="gateway",
        description="An institution's name, place or status changed.",
        example=InstitutionUpdated(**{**_EXAMPLE, "active": False}),
    )
)
