"""Atom feeds residents follow without an account: a place's consultations, or one's steps.

Served by this service because it owns the facts they are made of (when a consultation
opened, closed, was published), like the alerts' feeds are served by notifications; the
gateway passes /api/v1/consultations/... here as it does every public read.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Response, status

from localrights.db import SessionDep
from localrights.errors import problem_responses
from localrights_consultation import feeds, service
from localrights_consultation.api.consultations import filters_of
from localrights_consultation.deps import SettingsDep, ValidConsultation

router = APIRouter(prefix="/consultations", tags=["feeds"])

FEED_SIZE = 50
ATOM = "application/atom+xml; charset=utf-8"
Language = Annotated[Literal["en", "fr", "es"], Query(description="Language of the entries")]


@router.get(
    "/feed.atom",
    status_code=status.HTTP_200_OK,
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}}, **problem_responses(422)},
)
async def place_feed(
    session: SessionDep,
    settings: SettingsDep,
    place: Annotated[
        list[str], Query(max_length=50, description="ISO 3166 codes, as in the listing")
    ] = [],  # noqa: B006 (FastAPI copies the default; a list query needs one)
    municipality: Annotated[str | None, Query(max_length=200)] = None,
    topic: Annotated[str | None, Query(max_length=40)] = None,
    lang: Language = "en",
) -> Response:
    """Atom: new consultations and published results of a place (no account needed)."""
    filters = filters_of(place=place, municipality=municipality, topic=topic)
    found = await service.recent_in_place(session=session, filters=filters, limit=FEED_SIZE)
    query = urlencode(
        [("place", code) for code in place]
        + [
            (name, value)
            for name, value in (("municipality", municipality), ("topic", topic))
            if value
        ]
        + [("lang", lang)]
    )
    pages = settings.public_url.rstrip("/")
    body = feeds.atom_feed(
        found,
        feed_url=f"{pages}/api/v1/consultations/feed.atom?{query}",
        pages_url=pages,
        title=feeds.place_feed_title(place, filters.municipality, lang),
        language=lang,
    )
    return Response(body, media_type=ATOM)


@router.get(
    "/{consultation_id}/feed.atom",
    status_code=status.HTTP_200_OK,
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}}, **problem_responses(404, 422)},
)
async def consultation_feed(
    consultation: ValidConsultation, settings: SettingsDep, lang: Language = "en"
) -> Response:
    """Atom: one consultation's steps, opened, closed and results published (no account)."""
    pages = settings.public_url.rstrip("/")
    body = feeds.atom_feed(
        [consultation] if consultation.opened_at else [],
        feed_url=f"{pages}/api/v1/consultations/{consultation.id}/feed.atom?lang={lang}",
        pages_url=pages,
        title="Localrights – " + feeds.pick(consultation.title, lang),
        language=lang,
        with_closed=True,
    )
    return Response(body, media_type=ATOM)
