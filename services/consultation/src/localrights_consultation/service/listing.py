"""Finding consultations: by place (a region includes its subdivisions), words, topic, SDG."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, String, cast, func, or_, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.places import codes_within
from localrights_consultation.domain.lifecycle import Status
from localrights_consultation.models import Consultation
from localrights_consultation.schemas import ConsultationPage
from localrights_consultation.service.consultations import to_read

# Lower case without accents, the same on both sides of a comparison ("Bogotá" ~ "bogota").
_ACCENTED = "áàâäãåāăąéèêëēėęěíìîïīįóòôöõøōőúùûüūůűųñńçćčÿýžźżšśłđğ"
_PLAIN = "aaaaaaaaaeeeeeeeeiiiiiioooooooouuuuuuuunncccyyzzzssldg"


def _fold(expression: Any) -> Any:
    return func.translate(func.lower(expression), _ACCENTED, _PLAIN)


@dataclass(frozen=True)
class Filters:
    """What a list of consultations is narrowed to; every field given must hold."""

    status: str | None = None
    # ISO codes: a country matches all its consultations, a subdivision its own and those of
    # the subdivisions inside it. With ``municipality`` too, matching either is enough.
    places: Sequence[str] = field(default_factory=tuple)
    municipality: str | None = None
    jurisdiction: str | None = None
    country: str | None = None
    language: str | None = None
    institution_id: UUID | None = None
    words: str | None = None
    topic: str | None = None
    sdg: str | None = None


def _place_condition(filters: Filters) -> ColumnElement[bool] | None:
    alternatives: list[ColumnElement[bool]] = []
    countries = [code for code in filters.places if len(code) == 2]
    if countries:
        alternatives.append(col(Consultation.country).in_(countries))
    subdivisions = {
        inner for code in filters.places if len(code) > 2 for inner in codes_within(code)
    }
    if subdivisions:
        alternatives.append(col(Consultation.jurisdiction).in_(sorted(subdivisions)))
    if filters.municipality:
        alternatives.append(
            _fold(col(Consultation.municipality)) == _fold(filters.municipality.strip())
        )
    return or_(*alternatives) if alternatives else None


def conditions(filters: Filters, *, viewer_institution: UUID | None) -> list[Any]:
    """The WHERE conditions of a listing; drafts only for the institution that owns them."""
    visible = col(Consultation.status) != Status.DRAFT
    if viewer_institution is not None:
        visible = or_(visible, col(Consultation.institution_id) == viewer_institution)
    found: list[Any] = [visible]
    if filters.status:
        found.append(col(Consultation.status) == filters.status)
    if filters.jurisdiction:
        found.append(col(Consultation.jurisdiction) == filters.jurisdiction)
    if filters.country:
        found.append(col(Consultation.country) == filters.country)
    if filters.institution_id:
        found.append(col(Consultation.institution_id) == filters.institution_id)
    if filters.language:
        found.append(func.jsonb_exists(col(Consultation.title), filters.language))
    place = _place_condition(filters)
    if place is not None:
        found.append(place)
    if filters.topic:
        found.append(func.jsonb_exists(col(Consultation.topics), filters.topic))
    if filters.sdg:
        # A goal ("11") matches each of its targets ("11.1", "11.a"); a target only itself.
        found.append(
            text(
                "EXISTS (SELECT 1 FROM jsonb_array_elements_text(consultations.sdg_targets) t "
                "WHERE t = :sdg OR t LIKE :sdg || '.%')"
            ).bindparams(sdg=filters.sdg)
        )
    haystack = _fold(
        func.concat_ws(
            " ",
            cast(col(Consultation.title), String),
            cast(col(Consultation.description), String),
            col(Consultation.municipality),
        )
    )
    for word in (filters.words or "").split()[:10]:
        found.append(func.strpos(haystack, _fold(word)) > 0)
    return found


async def list_consultations(
    *,
    session: AsyncSession,
    viewer_institution: UUID | None,
    filters: Filters,
    limit: int = 20,
    offset: int = 0,
) -> ConsultationPage:
    """Consultations newest first, with the total for pagination."""
    where = conditions(filters, viewer_institution=viewer_institution)
    total = (await session.exec(select(func.count()).select_from(Consultation).where(*where))).one()
    rows = await session.exec(
        select(Consultation)
        .where(*where)
        .order_by(col(Consultation.opens_at).desc(), col(Consultation.id))
        .limit(limit)
        .offset(offset)
    )
    return ConsultationPage(
        items=[to_read(c) for c in rows], total=total, limit=limit, offset=offset
    )


async def recent_in_place(
    *, session: AsyncSession, filters: Filters, limit: int
) -> list[Consultation]:
    """Public consultations of a place, the most recently opened or published first (feeds)."""
    where = conditions(filters, viewer_institution=None)
    latest = func.greatest(col(Consultation.opened_at), col(Consultation.published_at))
    rows = await session.exec(
        select(Consultation)
        .where(*where, col(Consultation.opened_at).is_not(None))
        .order_by(latest.desc(), col(Consultation.id))
        .limit(limit)
    )
    return list(rows)
