"""SQL of consultations: finding them (by place, a region including its subdivisions, words,
topic, SDG), closing the due ones, their participation codes."""

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
from localrights_consultation.repository.core import execute


async def get_consultation(session: AsyncSession, *, consultation_id: UUID) -> Consultation | None:
    return await session.get(Consultation, consultation_id)


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


async def find_consultations(
    session: AsyncSession,
    *,
    filters: Filters,
    viewer_institution: UUID | None,
    limit: int,
    offset: int,
) -> tuple[list[Consultation], int]:
    """One page of the consultations that match, newest first, and how many match in all."""
    where = conditions(filters, viewer_institution=viewer_institution)
    total = (await session.exec(select(func.count()).select_from(Consultation).where(*where))).one()
    rows = await session.exec(
        select(Consultation)
        .where(*where)
        .order_by(col(Consultation.opens_at).desc(), col(Consultation.id))
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


async def recent_in_place(
    session: AsyncSession, *, filters: Filters, limit: int
) -> list[Consultation]:
    """Public consultations of a place, the most recently opened or published first."""
    where = conditions(filters, viewer_institution=None)
    latest = func.greatest(col(Consultation.opened_at), col(Consultation.published_at))
    rows = await session.exec(
        select(Consultation)
        .where(*where, col(Consultation.opened_at).is_not(None))
        .order_by(latest.desc(), col(Consultation.id))
        .limit(limit)
    )
    return list(rows)


async def close_due(session: AsyncSession, *, limit: int) -> list[Any]:
    """Close due consultations (see CLOSE_DUE); their id, institution and closing time."""
    return list((await execute(session, CLOSE_DUE, {"limit": limit})).all())


async def consultation_window(session: AsyncSession, *, consultation_id: UUID) -> Any:
    """Status and times of a consultation, or None."""
    result = await execute(
        session,
        text("SELECT status, opens_at, closes_at FROM consultations WHERE id = :id"),
        {"id": consultation_id},
    )
    return result.one_or_none()


async def code_exists(session: AsyncSession, *, consultation_id: UUID, code_hash: bytes) -> bool:
    """Whether this code was ever made for this consultation (used or not)."""
    exists = await execute(
        session,
        text("SELECT 1 FROM participation_codes WHERE consultation_id = :cid AND code_hash = :h"),
        {"cid": consultation_id, "h": code_hash},
    )
    return exists.first() is not None


async def insert_codes(
    session: AsyncSession, *, consultation_id: UUID, hashes: Sequence[bytes]
) -> None:
    await execute(
        session,
        text(
            "INSERT INTO participation_codes (consultation_id, code_hash) "
            "SELECT :cid, h FROM unnest(CAST(:hashes AS bytea[])) h"
        ),
        {"cid": consultation_id, "hashes": list(hashes)},
    )


# Conditional UPDATE with SKIP LOCKED: with several replicas each due consultation is closed
# by exactly one of them, and its consultation.closed event recorded once.
CLOSE_DUE = text(
    """
    UPDATE consultations SET status = 'closed', closed_at = closes_at
    WHERE id IN (
        SELECT id FROM consultations
        WHERE status = 'open' AND closes_at <= now()
        ORDER BY closes_at LIMIT :limit
        FOR UPDATE SKIP LOCKED
    ) AND status = 'open'
    RETURNING id, institution_id, closed_at
    """
)
