"""Browsing and searching recommendations, choosing some, setting their level of government
in one go, and starting an exercise with the chosen ones.

The choice travels with the page: the checkboxes of the page shown plus hidden fields for
the others, sent with every button (next page, new filters, set the level), so it survives
paging and searching without any script.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Response

from localrights_gateway.web import lookups
from localrights_gateway.web.account import require_signed_in
from localrights_gateway.web.answers import FieldError
from localrights_gateway.web.backoffice import pickers
from localrights_gateway.web.backoffice.problems import Field, field_errors
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.ministry.common import MINISTRY, NOTICES, SearchFilters, ids
from localrights_gateway.web.pagination import Pagination, page_number
from localrights_gateway.web.rendering import Page, PageDep, PageRoute, first, form_data

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 20


async def _facets(page: Page, country: str) -> dict[str, Any]:
    try:
        found: dict[str, Any] = await page.api.get(
            "/recommendations/facets", country=country or None
        )
    except ApiError as exc:
        if exc.status >= 500:
            raise
        return {}
    return found


async def _page(
    page: Page,
    filters: SearchFilters,
    chosen: list[str],
    *,
    number: int,
    errors: list[Any] | None = None,
    status_code: int = 200,
    level: str = "",
    places_text: str = "",
) -> Response:
    me = await require_signed_in(page, *MINISTRY)
    pagination = Pagination(number, PAGE_SIZE, 0)
    listing, facets, goals = await asyncio.gather(
        page.api.get("/recommendations", page=number, page_size=PAGE_SIZE, **filters.api_params()),
        _facets(page, filters.country),
        lookups.sdg_goals(page.api, page.language),
    )
    items = [r for r in listing.get("items", []) if isinstance(r, dict)]
    pagination = Pagination(number, PAGE_SIZE, int(listing.get("total", 0)))
    shown = {str(r["id"]) for r in items}
    key = page.request.query_params.get("done", "")
    return await page.render(
        "ministry/recommendations.html",
        status_code=422 if errors else status_code,
        me=me,
        items=items,
        filters=filters,
        chosen=chosen,
        chosen_elsewhere=[c for c in chosen if c not in shown],
        pagination=pagination,
        facets=facets,
        goals=goals,
        countries=pickers.country_choices(page.language),
        mechanism_names=await pickers.mechanism_names(page.api, page.language, page.gettext),
        errors=errors or [],
        level=level,
        places_text=places_text,
        notice=page.gettext(NOTICES[key]) if key in NOTICES else None,
    )


@router.get("/recommendations")
async def browse(page: PageDep) -> Response:
    """Recommendations by text, country, mechanism, cycle, theme, SDG, response and level."""
    me = await require_signed_in(page, *MINISTRY)
    query = page.request.query_params
    default_country = str((me.get("institution") or {}).get("country") or "")
    filters = SearchFilters.of(
        {k: query.get(k) for k in SearchFilters.__dataclass_fields__}
        if "country" in query
        else {
            **{k: query.get(k) for k in SearchFilters.__dataclass_fields__},
            "country": default_country,
        }
    )
    return await _page(
        page, filters, ids(query.getlist("chosen")), number=page_number(query.get("page"))
    )


async def _all_matching(page: Page, filters: SearchFilters) -> list[str]:
    """The ids of every recommendation the filters find (up to the choice's limit)."""
    found: list[str] = []
    for number in range(1, 4):
        listing = await page.api.get(
            "/recommendations", page=number, page_size=200, **filters.api_params()
        )
        found += [str(r["id"]) for r in listing.get("items", [])]
        if len(found) >= int(listing.get("total", 0)):
            break
    return found


@router.post("/recommendations")
async def act(page: PageDep) -> Response:
    """A button of the list: another page, new filters, choose all, set the level, or start
    an exercise with the chosen recommendations."""
    form = await form_data(page.request)
    await require_signed_in(page, *MINISTRY)
    filters = SearchFilters.of(form)
    chosen = ids(form.get("chosen", []))
    action = first(form, "do", "filter")
    number = page_number(first(form, "go")) if first(form, "go") else 1
    if action == "all":
        chosen = ids(chosen + await _all_matching(page, filters))
    elif action == "clear":
        chosen = []
    elif action == "exercise":
        return page.redirect(
            "/ministry/exercises/new?" + filters.query(rec=chosen, country=filters.country)
        )
    elif action == "owner":
        return await _set_owner(page, form, filters, chosen)
    done = "cleared" if action == "clear" else None
    return page.redirect(
        "/ministry/recommendations?" + filters.query(chosen=chosen, page=number, done=done)
    )


async def _set_owner(
    page: Page, form: dict[str, list[str]], filters: SearchFilters, chosen: list[str]
) -> Response:
    level = first(form, "level")
    places_text = first(form, "places")
    errors = []
    if not chosen:
        errors.append(
            FieldError(
                "chosen-count", "", page.gettext("Choose at least one recommendation in the list.")
            )
        )
    if level not in ("national", "regional", "local", "shared"):
        errors.append(FieldError("level", "", page.gettext("Choose the level of government.")))
    resolved = pickers.resolve_places(places_text, page.language, country=filters.country or None)
    if resolved.unknown:
        errors.append(
            FieldError(
                "places",
                "",
                page.gettext(pickers.UNKNOWN_PLACE) % {"names": ", ".join(resolved.unknown)},
            )
        )
    if not errors:
        try:
            await page.api.call(
                "PATCH",
                "/recommendations",
                json={"ids": chosen, "owner_level": level, "jurisdictions": resolved.codes},
            )
        except ApiError as exc:
            if exc.status != 422:
                raise
            fields = {
                "jurisdictions": Field("places", page.gettext("Places")),
                "owner_level": Field("level", page.gettext("Level of government")),
                "ids": Field("chosen-count", page.gettext("Chosen recommendations")),
            }
            errors = field_errors(exc, fields, page.gettext)
        else:
            return page.redirect(
                "/ministry/recommendations?" + filters.query(chosen=chosen, done="owner")
            )
    return await _page(
        page, filters, chosen, number=1, errors=errors, level=level, places_text=places_text
    )
