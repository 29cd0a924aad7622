"""The institution officer's start page: what needs doing today."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Response

from localrights_gateway.web.account import require_signed_in
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.officers.common import INSTITUTIONS
from localrights_gateway.web.rendering import Page, PageDep, PageRoute
from localrights_gateway.web.residents import items_of

router = APIRouter(route_class=PageRoute, include_in_schema=False)


async def _progress(page: Page, exercise: dict[str, Any]) -> dict[str, Any]:
    """An open exercise with how many of its recommendations the institution answered."""
    try:
        inputs = items_of(await page.api.get(f"/exercises/{exercise['id']}/inputs"))
    except ApiError as exc:
        if exc.status >= 500:
            raise
        inputs = []
    answered = len({str(i.get("recommendation_id")) for i in inputs})
    return {**exercise, "answered": answered}


@router.get("")
async def start(page: PageDep) -> Response:
    """Unread alerts, open exercises and their deadlines, consultations in progress."""
    me = await require_signed_in(page, *INSTITUTIONS)
    institution = me.get("institution") or {}
    inbox, exercises, consultations, subscriptions = await asyncio.gather(
        page.api.get("/inbox", unread="true", limit=5),
        page.api.get("/exercises", status="open"),
        page.api.get("/consultations", institution_id=institution.get("id"), limit=100),
        page.api.get("/subscriptions", limit=1),
    )
    open_exercises = await asyncio.gather(*(_progress(page, e) for e in items_of(exercises)))
    own = [
        c
        for c in items_of(consultations)
        if str(c.get("institution_id")) == str(institution.get("id"))
    ]
    return await page.render(
        "officer/start.html",
        me=me,
        institution=institution,
        unread=int(inbox.get("unread", 0)),
        unread_items=items_of(inbox),
        exercises=sorted(open_exercises, key=lambda e: str(e.get("deadline"))),
        drafts=[c for c in own if c.get("status") == "draft"],
        running=[c for c in own if c.get("status") == "open"],
        to_publish=[c for c in own if c.get("status") == "closed"],
        subscriptions=int(subscriptions.get("total", 0)),
    )
