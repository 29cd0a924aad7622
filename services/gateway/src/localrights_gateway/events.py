"""The events this service emits, each built from what it describes.

A use case changes its rows, then announces the fact with ``uow.emit(events.x(model))``;
which fields an event copies from a model is decided here, once per event.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeVar

from localrights.events.catalog.institutions import (
    InstitutionFacts,
    InstitutionRegistered,
    InstitutionUpdated,
)
from localrights_gateway.models import Institution

_Facts = TypeVar("_Facts", bound=InstitutionFacts)


def _facts(event: type[_Facts], institution: Institution) -> _Facts:
    return event(
        institution_id=institution.id,
        name=institution.name,
        kind=institution.kind,
        country=institution.country,
        jurisdiction=institution.jurisdiction,
        municipality=institution.municipality,
        active=institution.active,
        changed_at=datetime.now(UTC),
    )


def institution_registered(institution: Institution) -> InstitutionRegistered:
    """institution.registered, as the institution was created."""
    return _facts(InstitutionRegistered, institution)


def institution_updated(institution: Institution) -> InstitutionUpdated:
    """institution.updated, as the institution now is (deactivation included)."""
    return _facts(InstitutionUpdated, institution)
