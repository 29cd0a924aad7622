"""Officers' alert pages: subscriptions to UN review alerts, and the in-app inbox."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from localrights_gateway.web.account import require_signed_in
from localrights_gateway.web.answers import FieldError
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.officers.common import (
    INSTITUTIONS,
    api_field_errors,
    notice,
    split_list,
)
from localrights_gateway.web.rendering import PageDep, PageRoute, first, form_data
from localrights_gateway.web.residents import items_of

router = APIRouter(route_class=PageRoute, include_in_schema=False)

MECHANISMS = ("UPR", "CEDAW", "CERD", "CRC", "CAT", "CCPR", "CESCR", "CRPD", "CMW", "CED")
KINDS = (
    "upr_review",
    "treaty_body_review",
    "country_visit",
    "call_for_input",
    "deadline",
    "consultation_opened",
    "input_requested",
    "reminder",
    "status_changed",
    "status_returned",
    "indicator_observed",
)

# -- subscriptions --------------------------------------------------------------------------


@router.get("/subscriptions")
async def subscriptions(page: PageDep) -> Response:
    """The institution's subscriptions to alerts."""
    me = await require_signed_in(page, *INSTITUTIONS)
    items = items_of(await page.api.get("/subscriptions", limit=100))
    return await page.render(
        "officer/subscriptions.html", me=me, subscriptions=items, notice=notice(page)
    )


def _subscription_form_context(values: dict[str, Any]) -> dict[str, Any]:
    return {"values": values, "mechanisms": MECHANISMS, "kinds": KINDS}


@router.get("/subscriptions/new")
async def new_subscription(page: PageDep) -> Response:
    """The form to subscribe to alerts."""
    me = await require_signed_in(page, *INSTITUTIONS)
    values = {
        "channel": "inbox",
        "mode": "immediate",
        "countries": "",
        "mechanisms": [],
        "kinds": [],
        "themes": "",
        "jurisdictions": "",
        "name": "",
        "email": "",
        "url": "",
    }
    institution = me.get("institution") or {}
    values["countries"] = institution.get("country", "")
    return await page.render(
        "officer/subscription_form.html", me=me, **_subscription_form_context(values)
    )


@router.post("/subscriptions")
async def create_subscription(page: PageDep) -> Response:
    """Create a subscription through POST /api/v1/subscriptions."""
    form = await form_data(page.request)
    me = await require_signed_in(page, *INSTITUTIONS)
    values: dict[str, Any] = {
        "name": first(form, "name"),
        "countries": first(form, "countries"),
        "mechanisms": form.get("mechanisms", []),
        "kinds": form.get("kinds", []),
        "themes": first(form, "themes"),
        "jurisdictions": first(form, "jurisdictions"),
        "channel": first(form, "channel", "inbox"),
        "email": first(form, "email"),
        "url": first(form, "url"),
        "mode": first(form, "mode", "immediate"),
    }
    errors: list[FieldError] = []
    if values["channel"] not in ("inbox", "email", "webhook"):
        errors.append(FieldError("channel", "", page.gettext("Choose how to receive alerts.")))
    if values["channel"] == "email" and not values["email"]:
        errors.append(
            FieldError(
                "email",
                "",
                page.gettext("Enter the e-mail address that should receive the alerts."),
            )
        )
    if values["channel"] == "webhook" and not values["url"]:
        errors.append(
            FieldError(
                "url", "", page.gettext("Enter the web address that should receive the alerts.")
            )
        )
    body: dict[str, Any] = {
        "name": values["name"] or None,
        "countries": [c.upper() for c in split_list(values["countries"])],
        "mechanisms": [m for m in values["mechanisms"] if m],
        "kinds": [k for k in values["kinds"] if k],
        "themes": split_list(values["themes"]),
        "jurisdictions": [j.upper() for j in split_list(values["jurisdictions"])],
        "channel": values["channel"],
        "mode": values["mode"] if values["mode"] in ("immediate", "daily_digest") else "immediate",
    }
    if values["channel"] == "email":
        body["email"] = values["email"]
    if values["channel"] == "webhook":
        body["url"] = values["url"]
    if not errors:
        try:
            created = await page.api.post("/subscriptions", body)
        except ApiError as exc:
            if exc.status != 422:
                raise
            errors = api_field_errors(
                exc,
                {
                    f: f
                    for f in (
                        "countries",
                        "mechanisms",
                        "kinds",
                        "themes",
                        "jurisdictions",
                        "email",
                        "url",
                        "name",
                        "mode",
                        "channel",
                    )
                },
            )
        else:
            if isinstance(created, dict) and created.get("secret"):
                # Shown once, never put in a URL: render it now instead of redirecting.
                return await page.render(
                    "officer/subscription_secret.html", me=me, subscription=created
                )
            return page.redirect("/officer/subscriptions?done=created")
    return await page.render(
        "officer/subscription_form.html",
        status_code=422,
        me=me,
        errors=errors,
        **_subscription_form_context(values),
    )


@router.post("/subscriptions/{subscription_id}/delete")
async def delete_subscription(subscription_id: UUID, page: PageDep) -> Response:
    """Delete one of the institution's subscriptions."""
    await form_data(page.request)
    await require_signed_in(page, *INSTITUTIONS)
    await page.api.delete(f"/subscriptions/{subscription_id}")
    return page.redirect("/officer/subscriptions?done=deleted")


# -- inbox ----------------------------------------------------------------------------------


@router.get("/inbox")
async def inbox(page: PageDep) -> Response:
    """Alerts and notices delivered to the institution's in-app inbox."""
    me = await require_signed_in(page, *INSTITUTIONS)
    items = items_of(await page.api.get("/inbox", limit=100))
    unread = sum(1 for item in items if not item.get("read_at"))
    return await page.render(
        "officer/inbox.html", me=me, items=items, unread=unread, notice=notice(page)
    )


@router.post("/inbox/{item_id}/read")
async def mark_read(item_id: UUID, page: PageDep) -> Response:
    """Mark one inbox item as read."""
    await form_data(page.request)
    await require_signed_in(page, *INSTITUTIONS)
    await page.api.post(f"/inbox/{item_id}/read")
    return page.redirect("/officer/inbox?done=read")
