"""The institution's inbox, read as mail: a list with filters, each item on its own page with
the alert's text, dates, deadline, how to take part, and the way on to what it is about."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from localrights_gateway.web import places
from localrights_gateway.web.account import require_signed_in
from localrights_gateway.web.backoffice import pickers
from localrights_gateway.web.officers.common import INSTITUTIONS, notice
from localrights_gateway.web.pagination import Pagination, page_number
from localrights_gateway.web.publisher.common import naming
from localrights_gateway.web.rendering import PageDep, PageRoute, form_data
from localrights_gateway.web.residents import items_of

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 20


def onward(item: dict[str, Any]) -> dict[str, str] | None:
    """Where an item leads: the exercise it invites to, the consultation it announces."""
    facts = item.get("facts") or {}
    if facts.get("exercise_id"):
        return {"href": f"/officer/exercises/{facts['exercise_id']}", "kind": "exercise"}
    if facts.get("consultation_id"):
        return {"href": f"/consultations/{facts['consultation_id']}", "kind": "consultation"}
    return None


@router.get("/inbox")
async def inbox(page: PageDep) -> Response:
    """Alerts, invitations and reminders, newest first, by kind, country and unread."""
    me = await require_signed_in(page, *INSTITUTIONS)
    query = page.request.query_params
    kind = query.get("kind", "")
    kind = kind if kind in pickers.NOTIFICATION_KINDS else ""
    country = query.get("country", "").upper()
    country = country if len(country) == 2 and places.place(country) else ""
    unread_only = query.get("unread") == "yes"
    pagination = Pagination(page_number(query.get("page")), PAGE_SIZE, 0)
    listing = await page.api.get(
        "/inbox",
        kind=kind or None,
        country=country or None,
        unread="true" if unread_only else None,
        limit=PAGE_SIZE,
        offset=pagination.offset,
    )
    pagination = Pagination(pagination.number, PAGE_SIZE, int(listing.get("total", 0)))
    filters = {
        "kind": kind or None,
        "country": country or None,
        "unread": "yes" if unread_only else None,
    }
    return await page.render(
        "officer/inbox.html",
        me=me,
        items=items_of(listing),
        unread=int(listing.get("unread", 0)),
        kind=kind,
        country=country,
        unread_only=unread_only,
        kinds=pickers.NOTIFICATION_KINDS,
        countries=pickers.country_choices(page.language),
        pagination=pagination,
        page_links=pagination.links(page.url, "/officer/inbox", filters),
        filtered=any(filters.values()),
        notice=notice(page),
        **await naming(page),
    )


@router.get("/inbox/{item_id}")
async def inbox_item(item_id: UUID, page: PageDep) -> Response:
    """One item, opened as a letter is: it counts as read from now on."""
    me = await require_signed_in(page, *INSTITUTIONS)
    item = await page.api.get(f"/inbox/{item_id}")
    if not item.get("read_at"):
        item = await page.api.post(f"/inbox/{item_id}/read")
    return await page.render(
        "officer/inbox_item.html",
        me=me,
        item=item,
        facts=item.get("facts") or {},
        onward=onward(item),
        notice=notice(page),
        **await naming(page),
    )


@router.post("/inbox/{item_id}/read")
async def mark_read(item_id: UUID, page: PageDep) -> Response:
    """Mark one item as read, from the list."""
    await form_data(page.request)
    await require_signed_in(page, *INSTITUTIONS)
    await page.api.post(f"/inbox/{item_id}/read")
    return page.redirect("/officer/inbox?done=read")


@router.post("/inbox/{item_id}/unread")
async def mark_unread(item_id: UUID, page: PageDep) -> Response:
    """Keep an item for later: back among the unread ones."""
    await form_data(page.request)
    await require_signed_in(page, *INSTITUTIONS)
    await page.api.post(f"/inbox/{item_id}/unread")
    return page.redirect("/officer/inbox?done=unread")
