"""Publishing an alert (checked before it goes out), reading, editing and cancelling it."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from localrights_gateway.web import places
from localrights_gateway.web.account import require_signed_in
from localrights_gateway.web.answers import FieldError
from localrights_gateway.web.backoffice import pickers
from localrights_gateway.web.backoffice.problems import field_errors
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.i18n import N_
from localrights_gateway.web.pagination import Pagination, page_number
from localrights_gateway.web.publisher import alert_form
from localrights_gateway.web.publisher.common import PUBLISHERS, form_choices, naming
from localrights_gateway.web.publisher.deliveries import delivery_report
from localrights_gateway.web.rendering import Page, PageDep, PageRoute, form_data
from localrights_gateway.web.residents import items_of

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 10
NOTICES = {
    "published": N_("The alert is published. Its deliveries are listed below as they go out."),
    "updated": N_("The alert is changed. Its subscribers are told again."),
    "cancelled": N_("The alert is cancelled. Its subscribers are told."),
    "replayed": N_("The failed deliveries are being sent again."),
    "calendar": N_("The calendar's alerts are published."),
}


def notice(page: Page) -> str | None:
    key = page.request.query_params.get("done", "")
    return page.gettext(NOTICES[key]) if key in NOTICES else None


@router.get("")
async def start(page: PageDep) -> Response:
    """The publisher's start page: the latest alerts and how their deliveries went."""
    me = await require_signed_in(page, *PUBLISHERS)
    query = page.request.query_params
    country = query.get("country", "").upper()
    kind = query.get("kind", "")
    pagination = Pagination(page_number(query.get("page")), PAGE_SIZE, 0)
    listing = await page.api.get(
        "/alerts",
        country=country if places.place(country) else None,
        kind=kind if kind in pickers.ALERT_KINDS else None,
        include_cancelled="true",
        limit=PAGE_SIZE,
        offset=pagination.offset,
    )
    alerts = items_of(listing)
    pagination = Pagination(pagination.number, PAGE_SIZE, int(listing.get("total", 0)))
    reports = await asyncio.gather(*(delivery_report(page, a["id"], limit=1) for a in alerts))
    return await page.render(
        "publisher/start.html",
        me=me,
        alerts=alerts,
        counts={a["id"]: r.get("counts", {}) for a, r in zip(alerts, reports, strict=True)},
        pagination=pagination,
        page_links=pagination.links(
            page.url, "/publisher", {"country": country or None, "kind": kind or None}
        ),
        country=country,
        kind=kind,
        countries=pickers.country_choices(page.language),
        notice=notice(page),
        **await naming(page),
    )


async def _form(
    page: Page,
    values: alert_form.AlertValues,
    *,
    action: str,
    errors: list[FieldError] | None = None,
    alert: dict[str, Any] | None = None,
) -> Response:
    return await page.render(
        "publisher/alert_form.html",
        status_code=422 if errors else 200,
        values=values,
        action=action,
        alert=alert,
        errors=errors or [],
        **await form_choices(page),
    )


@router.get("/alerts/new")
async def new_alert(page: PageDep) -> Response:
    """The form to write an alert, every field the API takes."""
    await require_signed_in(page, *PUBLISHERS)
    return await _form(page, alert_form.AlertValues(), action="/publisher/alerts/check")


@router.post("/alerts/new")
async def change_alert_before_publishing(page: PageDep) -> Response:
    """Back from the check page to the form, filled with what was written."""
    form = await form_data(page.request)
    await require_signed_in(page, *PUBLISHERS)
    return await _form(page, alert_form.read(form), action="/publisher/alerts/check")


@router.post("/alerts/check")
async def check_alert(page: PageDep) -> Response:
    """Before anything goes out: the alert as institutions will read it, and who gets it."""
    form = await form_data(page.request)
    await require_signed_in(page, *PUBLISHERS)
    values = alert_form.read(form)
    payload, errors = alert_form.body(values, page.language, page.gettext)
    preview: dict[str, Any] = {}
    if not errors:
        try:
            preview = await page.api.post("/alerts/preview", payload)
        except ApiError as exc:
            if exc.status != 422:
                raise
            errors = field_errors(exc, alert_form.fields(page.gettext), page.gettext)
    if errors:
        return await _form(page, values, action="/publisher/alerts/check", errors=errors)
    return await page.render(
        "publisher/alert_check.html",
        alert=payload,
        hidden=values.hidden(),
        reach=preview.get("reach", {}),
        reminders=preview.get("reminders", []),
        **await naming(page),
    )


@router.post("/alerts")
async def publish_alert(page: PageDep) -> Response:
    """Publish the checked alert (POST /api/v1/alerts)."""
    form = await form_data(page.request)
    await require_signed_in(page, *PUBLISHERS)
    values = alert_form.read(form)
    payload, errors = alert_form.body(values, page.language, page.gettext)
    if not errors:
        try:
            created = await page.api.post("/alerts", payload)
        except ApiError as exc:
            if exc.status != 422:
                raise
            errors = field_errors(exc, alert_form.fields(page.gettext), page.gettext)
        else:
            return page.redirect(f"/publisher/alerts/{created['id']}?done=published")
    return await _form(page, values, action="/publisher/alerts/check", errors=errors)


@router.get("/alerts/{alert_id}")
async def alert_page(alert_id: UUID, page: PageDep) -> Response:
    """One alert: what it says, and each delivery with its status."""
    me = await require_signed_in(page, *PUBLISHERS)
    alert, report = await asyncio.gather(
        page.api.get(f"/alerts/{alert_id}"), delivery_report(page, str(alert_id), limit=200)
    )
    return await page.render(
        "publisher/alert.html",
        me=me,
        alert=alert,
        report=report,
        notice=notice(page),
        **await naming(page),
    )


@router.get("/alerts/{alert_id}/edit")
async def edit_alert_form(alert_id: UUID, page: PageDep) -> Response:
    """The form filled with the alert as it is."""
    await require_signed_in(page, *PUBLISHERS)
    alert = await page.api.get(f"/alerts/{alert_id}")
    return await _form(
        page,
        alert_form.of_alert(alert, page.language),
        action=f"/publisher/alerts/{alert_id}/edit",
        alert=alert,
    )


@router.post("/alerts/{alert_id}/edit")
async def edit_alert(alert_id: UUID, page: PageDep) -> Response:
    """Change the alert (PATCH): its subscribers are told again."""
    form = await form_data(page.request)
    await require_signed_in(page, *PUBLISHERS)
    values = alert_form.read(form)
    payload, errors = alert_form.body(values, page.language, page.gettext)
    if not errors:
        try:
            await page.api.call("PATCH", f"/alerts/{alert_id}", json=payload)
        except ApiError as exc:
            if exc.status != 422:
                raise
            errors = field_errors(exc, alert_form.fields(page.gettext), page.gettext)
        else:
            return page.redirect(f"/publisher/alerts/{alert_id}?done=updated")
    alert = await page.api.get(f"/alerts/{alert_id}")
    return await _form(
        page, values, action=f"/publisher/alerts/{alert_id}/edit", errors=errors, alert=alert
    )


@router.get("/alerts/{alert_id}/cancel")
async def cancel_alert_form(alert_id: UUID, page: PageDep) -> Response:
    """Are you sure? Cancelling tells every subscriber."""
    await require_signed_in(page, *PUBLISHERS)
    alert = await page.api.get(f"/alerts/{alert_id}")
    return await page.render("publisher/alert_cancel.html", alert=alert)


@router.post("/alerts/{alert_id}/cancel")
async def cancel_alert(alert_id: UUID, page: PageDep) -> Response:
    """Withdraw the alert."""
    await form_data(page.request)
    await require_signed_in(page, *PUBLISHERS)
    await page.api.post(f"/alerts/{alert_id}/cancel")
    return page.redirect(f"/publisher/alerts/{alert_id}?done=cancelled")
