"""An institution's subscriptions to alerts: made and changed with pickers by name, and a
test delivery for a webhook."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from localrights_gateway.web import lookups
from localrights_gateway.web.account import require_signed_in
from localrights_gateway.web.answers import FieldError
from localrights_gateway.web.backoffice import pickers
from localrights_gateway.web.backoffice.problems import Field, field_errors
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.i18n import Gettext
from localrights_gateway.web.labels import label
from localrights_gateway.web.officers.common import INSTITUTIONS, notice
from localrights_gateway.web.publisher.common import naming
from localrights_gateway.web.rendering import Page, PageDep, PageRoute, first, form_data
from localrights_gateway.web.residents import items_of

router = APIRouter(route_class=PageRoute, include_in_schema=False)

_FIELDS = {
    "name": ("name", "Name"),
    "countries": ("countries", "Countries"),
    "mechanisms": ("mechanisms", "Mechanisms"),
    "kinds": ("kinds", "Kinds of alerts"),
    "themes": ("themes", "Themes"),
    "jurisdictions": ("jurisdictions", "Places"),
    "email": ("email", "E-mail address"),
    "url": ("url", "Web address that receives the alerts"),
    "channel": ("channel", "How to receive them"),
    "mode": ("mode", "When to receive them"),
}


def _fields(gettext: Gettext) -> dict[str, Field]:
    return {name: Field(target, gettext(label)) for name, (target, label) in _FIELDS.items()}


@dataclass
class SubscriptionValues:
    name: str = ""
    countries: list[str] = field(default_factory=list)
    mechanisms: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    jurisdictions: str = ""
    channel: str = "inbox"
    email: str = ""
    url: str = ""
    mode: str = "immediate"


def _read(form: dict[str, list[str]]) -> SubscriptionValues:
    return SubscriptionValues(
        name=first(form, "name"),
        countries=[c for c in form.get("countries", []) if c],
        mechanisms=[m for m in form.get("mechanisms", []) + form.get("mandates", []) if m],
        kinds=[k for k in form.get("kinds", []) if k],
        themes=[t for t in form.get("themes", []) if t],
        jurisdictions=first(form, "jurisdictions"),
        channel=first(form, "channel", "inbox"),
        email=first(form, "email"),
        url=first(form, "url"),
        mode=first(form, "mode", "immediate"),
    )


def _of(subscription: dict[str, Any], language: str) -> SubscriptionValues:
    return SubscriptionValues(
        name=subscription.get("name") or "",
        countries=list(subscription.get("countries") or []),
        mechanisms=list(subscription.get("mechanisms") or []),
        kinds=list(subscription.get("kinds") or []),
        themes=list(subscription.get("themes") or []),
        jurisdictions=pickers.place_names(list(subscription.get("jurisdictions") or []), language),
        channel=subscription.get("channel") or "inbox",
        email=subscription.get("email") or "",
        url=subscription.get("url") or "",
        mode=subscription.get("mode") or "immediate",
    )


def _body(
    values: SubscriptionValues, page: Page, *, creating: bool
) -> tuple[dict[str, Any], list[FieldError]]:
    gettext = page.gettext
    errors: list[FieldError] = []
    if creating and values.channel not in ("inbox", "email", "webhook"):
        errors.append(FieldError("channel", "", gettext("Choose how to receive alerts.")))
    if values.channel == "email" and not values.email:
        errors.append(
            FieldError(
                "email", "", gettext("Enter the e-mail address that should receive the alerts.")
            )
        )
    if values.channel == "webhook" and not values.url:
        errors.append(
            FieldError("url", "", gettext("Enter the web address that should receive the alerts."))
        )
    resolved = pickers.resolve_places(values.jurisdictions, page.language)
    if resolved.unknown:
        errors.append(
            FieldError(
                "jurisdictions",
                "",
                gettext(pickers.UNKNOWN_PLACE) % {"names": ", ".join(resolved.unknown)},
            )
        )
    body: dict[str, Any] = {
        "name": values.name or None,
        "countries": values.countries,
        "mechanisms": values.mechanisms,
        "kinds": values.kinds,
        "themes": values.themes,
        "jurisdictions": resolved.codes,
        "mode": values.mode if values.mode in ("immediate", "daily_digest") else "immediate",
    }
    if creating:
        body["channel"] = values.channel
    if values.channel == "email":
        body["email"] = values.email
    if values.channel == "webhook":
        body["url"] = values.url
    return body, errors


async def _form(
    page: Page,
    values: SubscriptionValues,
    *,
    action: str,
    subscription: dict[str, Any] | None = None,
    errors: list[FieldError] | None = None,
) -> Response:
    mandates = await pickers.mandates(page.api, page.language)
    return await page.render(
        "officer/subscription_form.html",
        status_code=422 if errors else 200,
        values=values,
        action=action,
        subscription=subscription,
        errors=errors or [],
        countries=pickers.country_choices(page.language),
        mechanisms=[
            pickers.Choice(
                code,
                label("mechanism", code, page.gettext) + (f" ({code})" if code != "UPR" else ""),
            )
            for code in pickers.MECHANISMS
        ],
        mandates=mandates,
        kinds=[
            pickers.Choice(k, label("alert_kind", k, page.gettext))
            for k in pickers.NOTIFICATION_KINDS
        ],
        themes=await pickers.theme_choices(page.api, page.language, page.gettext),
        mandate_codes={m.value for m in mandates},
    )


@router.get("/subscriptions")
async def subscriptions(page: PageDep) -> Response:
    """The institution's subscriptions, each with what it follows in words."""
    me = await require_signed_in(page, *INSTITUTIONS)
    items = items_of(await page.api.get("/subscriptions", limit=100))
    goals = await lookups.sdg_goals(page.api, page.language)
    return await page.render(
        "officer/subscriptions.html",
        me=me,
        subscriptions=items,
        notice=notice(page),
        goals=goals,
        **await naming(page),
    )


@router.get("/subscriptions/new")
async def new_subscription(page: PageDep) -> Response:
    """The form to subscribe to alerts (the institution's country chosen to start with)."""
    me = await require_signed_in(page, *INSTITUTIONS)
    country = (me.get("institution") or {}).get("country")
    values = SubscriptionValues(countries=[country] if country else [])
    return await _form(page, values, action="/officer/subscriptions")


@router.post("/subscriptions")
async def create_subscription(page: PageDep) -> Response:
    """Create a subscription (POST /api/v1/subscriptions)."""
    form = await form_data(page.request)
    me = await require_signed_in(page, *INSTITUTIONS)
    values = _read(form)
    body, errors = _body(values, page, creating=True)
    if not errors:
        try:
            created = await page.api.post("/subscriptions", body)
        except ApiError as exc:
            if exc.status != 422:
                raise
            errors = field_errors(exc, _fields(page.gettext), page.gettext)
        else:
            if isinstance(created, dict) and created.get("secret"):
                # Shown once, never put in a URL: render it now instead of redirecting.
                return await page.render(
                    "officer/subscription_secret.html", me=me, subscription=created
                )
            return page.redirect("/officer/subscriptions?done=created")
    return await _form(page, values, action="/officer/subscriptions", errors=errors)


@router.get("/subscriptions/{subscription_id}")
async def edit_subscription_form(subscription_id: UUID, page: PageDep) -> Response:
    """The subscription's form, filled in."""
    await require_signed_in(page, *INSTITUTIONS)
    subscription = await page.api.get(f"/subscriptions/{subscription_id}")
    return await _form(
        page,
        _of(subscription, page.language),
        action=f"/officer/subscriptions/{subscription_id}",
        subscription=subscription,
    )


@router.post("/subscriptions/{subscription_id}")
async def edit_subscription(subscription_id: UUID, page: PageDep) -> Response:
    """Change the subscription's filters, address or rhythm (PATCH)."""
    form = await form_data(page.request)
    await require_signed_in(page, *INSTITUTIONS)
    subscription = await page.api.get(f"/subscriptions/{subscription_id}")
    values = _read(form)
    values.channel = subscription.get("channel") or "inbox"  # fixed once created
    body, errors = _body(values, page, creating=False)
    if not errors:
        try:
            await page.api.call("PATCH", f"/subscriptions/{subscription_id}", json=body)
        except ApiError as exc:
            if exc.status != 422:
                raise
            errors = field_errors(exc, _fields(page.gettext), page.gettext)
        else:
            return page.redirect("/officer/subscriptions?done=updated")
    return await _form(
        page,
        values,
        action=f"/officer/subscriptions/{subscription_id}",
        subscription=subscription,
        errors=errors,
    )


@router.post("/subscriptions/{subscription_id}/test")
async def test_subscription(subscription_id: UUID, page: PageDep) -> Response:
    """Send a test event to the webhook now and say how it went, in words."""
    await form_data(page.request)
    me = await require_signed_in(page, *INSTITUTIONS)
    subscription = await page.api.get(f"/subscriptions/{subscription_id}")
    try:
        result = await page.api.post(f"/subscriptions/{subscription_id}/test")
    except ApiError as exc:
        if exc.status != 422:
            raise
        result = {"delivered": False, "status_code": None, "error": "refused", "duration_ms": 0}
    return await page.render(
        "officer/subscription_test.html", me=me, subscription=subscription, result=result
    )


@router.post("/subscriptions/{subscription_id}/delete")
async def delete_subscription(subscription_id: UUID, page: PageDep) -> Response:
    """Delete one of the institution's subscriptions."""
    await form_data(page.request)
    await require_signed_in(page, *INSTITUTIONS)
    await page.api.delete(f"/subscriptions/{subscription_id}")
    return page.redirect("/officer/subscriptions?done=deleted")
