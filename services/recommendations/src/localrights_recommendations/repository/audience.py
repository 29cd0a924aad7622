"""Who sees which institution's follow-up, as a SQL condition.

An institution's timeline and indicators are public once it publishes them; before that,
only the institution itself, its country's ministries and administrators see them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, false, or_, true
from sqlalchemy.orm import Mapped
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from localrights.auth import Principal, Role
from localrights.places import codes_within
from localrights_recommendations.follow_up_models import FollowUpPublication


@dataclass(frozen=True)
class Audience:
    """What a caller may see beyond what institutions publish."""

    everything: bool = False
    country: str | None = None  # a ministry sees every institution of its country
    institution_id: UUID | None = None  # an institution sees its own

    @classmethod
    def of(cls, principal: Principal) -> Audience:
        if principal.is_admin:
            return cls(everything=True)
        ministry = principal.has_role(Role.MINISTRY_OFFICER)
        return cls(
            country=principal.country if ministry else None,
            institution_id=principal.institution_id,
        )

    @property
    def public_only(self) -> bool:
        """True when the caller sees only what institutions publish."""
        return not self.everything and self.country is None

    def sees_country(self, country: str) -> bool:
        return self.everything or self.country == country


def published_institutions() -> SelectOfScalar[UUID]:
    """Institution ids that publish their follow-up (a subquery to test against)."""
    return select(col(FollowUpPublication.institution_id)).where(col(FollowUpPublication.published))


def visible(
    audience: Audience,
    institution_id: Mapped[UUID] | ColumnElement[UUID],
    country: Mapped[str] | ColumnElement[str],
) -> ColumnElement[bool]:
    """The rows of institutions the audience may see."""
    if audience.everything:
        return true()
    conditions: list[ColumnElement[bool]] = [institution_id.in_(published_institutions())]
    if audience.country is not None:
        conditions.append(country == audience.country)
    if audience.institution_id is not None:
        conditions.append(institution_id == audience.institution_id)
    return or_(false(), *conditions)


def in_place(model: Any, *, country: str | None, place: str | None) -> list[ColumnElement[bool]]:
    """Rows of a place and its subdivisions, else of a country, else all (a model with
    ``jurisdiction`` and ``country`` columns)."""
    where: list[ColumnElement[bool]] = []
    if place is not None:
        where.append(col(model.jurisdiction).in_(sorted(codes_within(place))))
    elif country is not None:
        where.append(col(model.country) == country)
    return where
