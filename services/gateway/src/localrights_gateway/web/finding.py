"""Finding a consultation: search by words, place name, topic and SDG; a page per place."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response

from localrights_gateway.web import labels, lookups, places
from localrights_gateway.web.answers import FieldError
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.pagination import Pagination, page_number
from localrights_gateway.web.rendering import Page, PageDep, PageRoute
from localrights_gateway.web.residents import items_of

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 10
STATUSES = ("open", "published")


def _code(value: str) -> str | None:
    """An ISO 3166 code from the query string when it names a place, else None."""
    value = value.strip().upper()
    return value if value and places.place(value) is not None else None


async def _listing(page: Page, params: dict[str, Any], *, limit: int, offset: int = 0) -> Any:
    return await page.api.get("/consultations", limit=limit, offset=offset, **params)


async def with_institutions(page: Page, *lists: list[dict[str, Any]]) -> dict[str, Any]:
    """The institutions running the consultations of these lists, by id."""
    ids = [c.get("institution_id") for found in lists for c in found]
    return await lookups.institutions_by_id(page.api, ids)


@router.get("/")
async def home(
    page: PageDep,
    q: Annotated[str, Query(max_length=200)] = "",
    place: Annotated[str, Query(max_length=200)] = "",
    code: Annotated[str, Query(max_length=10)] = "",
    topic: Annotated[str, Query(max_length=40)] = "",
    sdg: Annotated[str, Query(max_length=5)] = "",
    status: Annotated[str, Query(max_length=20)] = "open",
    number: Annotated[str, Query(alias="page", max_length=6)] = "",
    # Older links: /?country=UY&jurisdiction=UY-CA
    country: Annotated[str, Query(max_length=10)] = "",
    jurisdiction: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """Consultations to answer (or with results), found by words, place, topic and SDG."""
    status = status if status in STATUSES else "open"
    chosen = _code(code) or _code(jurisdiction) or _code(country)
    place_text = place.strip()
    matches: list[places.Place] = []
    filters: dict[str, Any] = {
        "q": q.strip(),
        "topic": topic if topic in labels.LABELS["topic"] else None,
        "sdg": sdg if sdg.isdigit() and 1 <= int(sdg) <= 17 else None,
    }
    if chosen:
        filters["place"] = [chosen]
        place_text = place_text or places.place_name(chosen, page.language)
    elif place_text:
        matches = places.search_places(place_text, page.language)
        wanted = places.fold(place_text)
        exact = [m for m in matches if places.fold(m.name) == wanted]
        filters["place"] = [m.code for m in exact or matches]
        # A municipality is named as its institution wrote it: matched by name too.
        filters["municipality"] = place_text
    pagination = Pagination(page_number(number), PAGE_SIZE, 0)
    unavailable = False
    found: list[dict[str, Any]] = []
    published: list[dict[str, Any]] = []
    try:
        listing, latest = await asyncio.gather(
            _listing(
                page, {**filters, "status": status}, limit=PAGE_SIZE, offset=pagination.offset
            ),
            _listing(page, {**filters, "status": "published"}, limit=5)
            if status == "open"
            else asyncio.sleep(0, {}),
        )
        found, published = items_of(listing), items_of(latest)
        pagination = Pagination(pagination.number, PAGE_SIZE, int(listing.get("total", 0)))
    except ApiError as exc:
        if exc.status < 500:
            raise
        unavailable = True
    errors = []
    if place_text and not chosen and not matches and not found:
        errors.append(
            FieldError(
                "place",
                "",
                page.gettext(
                    "We found no place called “%(name)s”. Type the name of a country, region "
                    "or city, for example Canelones, Bologna or Italy."
                )
                % {"name": place_text},
            )
        )
    institutions, goals = await asyncio.gather(
        with_institutions(page, found, published), lookups.sdg_goals(page.api, page.language)
    )
    params = {
        "q": filters["q"],
        "place": place_text if not chosen else None,
        "code": chosen,
        "topic": filters["topic"],
        "sdg": filters["sdg"],
        "status": status if status != "open" else None,
        "lang": page.request.query_params.get("lang"),
    }
    return await page.render(
        "home.html",
        status_code=503 if unavailable else 200,
        consultations=found,
        published=published,
        institutions=institutions,
        status=status,
        q=filters["q"],
        place=place_text,
        chosen=places.place(chosen, page.language) if chosen else None,
        matched=[m for m in matches if m.code in filters.get("place", [])],
        others=[m for m in matches if m.code not in filters.get("place", [])],
        topic=filters["topic"] or "",
        sdg=filters["sdg"] or "",
        topics=labels.choices("topic", page.gettext),
        goals=goals,
        pagination=pagination,
        page_links=pagination.links(page.url, "/", params),
        errors=errors,
        unavailable=unavailable,
    )


@router.get("/places/{code}")
async def place_page(code: str, page: PageDep) -> Response:
    """A place: its open consultations, published results, UN alerts and feeds."""
    here = places.place(code, page.language)
    if here is None or here.code != code:
        raise HTTPException(status_code=404)
    listing = {"place": [here.code]}
    open_now, results, alerts = await asyncio.gather(
        _listing(page, {**listing, "status": "open"}, limit=20),
        _listing(page, {**listing, "status": "published"}, limit=10),
        lookups.alerts_about(page.api, here.country),
    )
    found, published = items_of(open_now), items_of(results)
    return await page.render(
        "place.html",
        here=here,
        lineage=places.lineage(here.code, page.language),
        consultations=found,
        open_total=open_now.get("total", len(found)),
        published=published,
        published_total=results.get("total", len(published)),
        institutions=await with_institutions(page, found, published),
        alerts=alerts,
        country=places.place(here.country, page.language),
    )
