"""Public follow-up pages: a place's, a country's, and a recommendation's timeline in every place.

Residents and civil society see what institutions publish; a signed-in ministry officer sees
everything of its country on the same pages (the API decides). Files are named after what
they hold ("Bologna – follow-up statuses.csv").
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, HTTPException, Response

from localrights_gateway.web import follow_up_view as view
from localrights_gateway.web import lookups, places
from localrights_gateway.web.i18n import N_
from localrights_gateway.web.rendering import Page, PageDep, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)

RECENT = 50
EXPORTS = {
    "statuses": N_("follow-up statuses"),
    "timeline": N_("follow-up timeline"),
    "observations": N_("indicator values"),
}
MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _place_or_404(code: str, language: str) -> places.Place:
    here = places.place(code, language)
    if here is None or here.code != code:
        raise HTTPException(status_code=404)
    return here


def reader_of(page: Page) -> view.Reader:
    return view.Reader(language=page.language, gettext=page.gettext)


@router.get("/places/{code}/follow-up")
async def place_follow_up(code: str, page: PageDep) -> Response:
    """A place's follow-up: statuses by theme, SDG and mechanism, over time, and indicators."""
    here = _place_or_404(code, page.language)
    board = await page.api.get(f"/follow-up/places/{here.code}")
    rows = await page.api.get("/follow-up/export", what="statuses", place=here.code, format="json")
    rows.sort(key=lambda r: (r.get("reported_as_of") or "", r.get("recommendation_id")))
    reader = reader_of(page)
    goals = await lookups.sdg_goals(page.api, page.language)
    _ = page.gettext
    indicator_figures = [
        {
            "series": series,
            "name": reader.name(series["indicator"]["name"]),
            "figure": view.indicator(reader, series, chart_id=f"indicator-{n}"),
            "groups": view.latest_breakdown(reader, series, chart_id=f"indicator-{n}-groups"),
        }
        for n, series in enumerate(board["indicators"])
    ]
    return await page.render(
        "follow_up/place.html",
        here=here,
        lineage=places.lineage(here.code, page.language),
        country=places.place(here.country, page.language),
        board=board,
        statuses=view.statuses(
            reader, board["counts"], chart_id="statuses", title=_("Where the recommendations stand")
        ),
        over_time=view.over_time(reader, board["over_time"], chart_id="over-time"),
        by_theme=view.breakdown(reader, board["by_theme"], heading=_("Theme"), key_label=str),
        by_goal=view.breakdown(
            reader,
            board["by_sdg_goal"],
            heading=_("Sustainable Development Goal"),
            key_label=lambda g: goals.get(g, g),
        ),
        by_mechanism=view.breakdown(
            reader,
            board["by_mechanism"],
            heading=_("UN mechanism"),
            key_label=lambda m: reader.label("mechanism", m),
        ),
        indicators=indicator_figures,
        recent=list(reversed(rows))[:RECENT],
        total=len(rows),
        exports=EXPORTS,
    )


@router.get("/places/{code}/follow-up/download")
async def download(
    code: str,
    page: PageDep,
    what: Literal["statuses", "timeline", "observations"] = "statuses",
    format: Literal["csv", "json"] = "csv",
) -> Response:
    """A place's follow-up as a file named after the place and what it holds."""
    here = _place_or_404(code, page.language)
    answer = await page.api.call(
        "GET", "/follow-up/export", params={"what": what, "place": here.code, "format": format}
    )
    name = f"{here.name} – {page.gettext(EXPORTS[what])}.{format}"
    response = Response(answer.content, media_type=MEDIA[format])
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"follow-up.{format}\"; filename*=UTF-8''{quote(name)}"
    )
    return page.finish(response)


@router.get("/follow-up/recommendations/{recommendation_id}")
async def recommendation_follow_up(recommendation_id: UUID, page: PageDep) -> Response:
    """A recommendation's implementation in every place, across the cycles it was repeated in."""
    found = await page.api.get(f"/follow-up/recommendations/{recommendation_id}")
    reader = reader_of(page)
    indicator_figures = [
        {
            "series": series,
            "name": reader.name(series["indicator"]["name"]),
            "figure": view.indicator(reader, series, chart_id=f"indicator-{n}"),
        }
        for n, series in enumerate(found["indicators"])
    ]
    texts = {str(found["recommendation"]["id"]): found["recommendation"]}
    texts.update({str(r["id"]): r for r in found["earlier"]})
    return await page.render(
        "follow_up/recommendation.html",
        timeline=found,
        recommendation=found["recommendation"],
        texts=texts,
        indicators=indicator_figures,
        country=places.place(found["recommendation"]["country"], page.language),
    )


@router.get("/follow-up/countries/{code}")
async def country_follow_up(code: str, page: PageDep, cycle: str = "") -> Response:
    """A country: its places by status, the share of recommendations each covers, repeats."""
    here = _place_or_404(code, page.language)
    if not here.is_country:
        raise HTTPException(status_code=404)
    chosen = int(cycle) if cycle.isdigit() and 0 < int(cycle) < 100 else None
    params: dict[str, Any] = {"cycle": chosen} if chosen else {}
    board = await page.api.get(f"/follow-up/countries/{here.code}", **params)
    reader = reader_of(page)
    return await page.render(
        "follow_up/country.html",
        here=here,
        board=board,
        cycle=chosen,
        cycles=range(1, 5),
        statuses=view.statuses(
            reader,
            board["counts"],
            chart_id="statuses",
            title=page.gettext("Where the recommendations stand in every place"),
        ),
        coverage=view.coverage(reader, board["places"], chart_id="coverage"),
        places_table=view.places_table(reader, board["places"]),
    )
