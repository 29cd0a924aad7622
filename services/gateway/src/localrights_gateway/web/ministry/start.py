"""The ministry officer's start page: exercises to follow, drafts to open, what to import."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Response

from localrights_gateway.web.account import require_signed_in
from localrights_gateway.web.ministry.common import MINISTRY
from localrights_gateway.web.rendering import Page, PageDep, PageRoute
from localrights_gateway.web.residents import items_of

router = APIRouter(route_class=PageRoute, include_in_schema=False)


async def _figures(page: Page, exercise: dict[str, Any]) -> dict[str, Any]:
    report = await page.api.get(f"/exercises/{exercise['id']}/coverage")
    waiting = sum(1 for i in report.get("institutions", []) if not i.get("answered"))
    return {**exercise, "figures": report.get("figures", {}), "waiting": waiting}


@router.get("")
async def start(page: PageDep) -> Response:
    """Open exercises with who answered and their deadlines, drafts, recommendations."""
    me = await require_signed_in(page, *MINISTRY)
    country = (me.get("institution") or {}).get("country")
    exercises, listing = await asyncio.gather(
        page.api.get("/exercises"),
        page.api.get("/recommendations", country=country, page_size=1),
    )
    items = items_of(exercises)
    open_ones = await asyncio.gather(
        *(_figures(page, e) for e in items if e.get("status") == "open")
    )
    return await page.render(
        "ministry/start.html",
        me=me,
        open_exercises=sorted(open_ones, key=lambda e: str(e.get("deadline"))),
        drafts=[e for e in items if e.get("status") == "draft"],
        recommendation_total=int(listing.get("total", 0)),
        country=country,
    )
