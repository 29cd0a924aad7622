"""An institution's follow-up pages: where its recommendations stand, its indicators and their
values, and whether it publishes all that to everyone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from localrights_gateway.web import follow_up_view as view
from localrights_gateway.web import labels, lookups
from localrights_gateway.web.account import require_signed_in
from localrights_gateway.web.answers import FieldError
from localrights_gateway.web.backoffice.pickers import split_list
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.i18n import N_
from localrights_gateway.web.officers.common import api_field_errors
from localrights_gateway.web.rendering import Page, PageDep, PageRoute, first, form_data
from localrights_gateway.web.residents import items_of

router = APIRouter(route_class=PageRoute, include_in_schema=False)

INSTITUTIONS = ("institution_officer",)
STATUSES = tuple(labels.LABELS["follow_up_status"])
# The groups offered for each breakdown an indicator declares (others can be typed).
GROUPS = {
    "sex": (N_("women"), N_("men")),
    "urban_rural": (N_("urban"), N_("rural")),
    "disability": (N_("with a disability"), N_("without a disability")),
    "age": (N_("under 18"), N_("18 to 64"), N_("65 and over")),
}
DONE = {
    "status": N_("The status has been saved. The ministry will validate it."),
    "published": N_("Your follow-up is now public."),
    "unpublished": N_("Your follow-up is no longer public."),
    "indicator": N_("The indicator has been saved."),
    "value": N_("The value has been saved."),
}


def _done(page: Page) -> str | None:
    key = page.request.query_params.get("done", "")
    return page.gettext(DONE[key]) if key in DONE else None


def _institution(me: dict[str, Any]) -> dict[str, Any]:
    institution = me.get("institution")
    if not institution:
        raise ApiError(403, "Forbidden", "this page is for an institution's officers")
    return dict(institution)


@router.get("/follow-up")
async def follow_up_home(page: PageDep, q: str = "") -> Response:
    """Where the institution's recommendations stand, its indicators, and publication."""
    me = await require_signed_in(page, *INSTITUTIONS)
    institution = _institution(me)
    mine = str(institution["id"])
    publication = await page.api.get("/follow-up/publication")
    statuses = [
        r
        for r in await page.api.get(
            "/follow-up/export", what="statuses", place=institution["jurisdiction"], format="json"
        )
        if r["institution_id"] == mine
    ]
    indicators = [
        i
        for i in await page.api.get("/indicators", country=institution["country"])
        if i["institution_id"] == mine
    ]
    found: list[dict[str, Any]] = []
    if q.strip():
        found = items_of(
            await page.api.get(
                "/recommendations", country=institution["country"], q=q.strip(), page_size=20
            )
        )
    return await page.render(
        "officer/follow_up.html",
        me=me,
        institution=institution,
        published=publication["published"],
        statuses=statuses,
        indicators=indicators,
        q=q,
        found=found,
        notice=_done(page),
    )


@router.post("/follow-up/publication")
async def set_publication(page: PageDep) -> Response:
    form = await form_data(page.request)
    await require_signed_in(page, *INSTITUTIONS)
    published = first(form, "published") == "yes"
    await page.api.call("PUT", "/follow-up/publication", json={"published": published})
    return page.redirect(f"/officer/follow-up?done={'published' if published else 'unpublished'}")


async def _status_page(
    page: Page,
    me: dict[str, Any],
    recommendation_id: UUID,
    *,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
) -> Response:
    institution = _institution(me)
    recommendation = await page.api.get(f"/recommendations/{recommendation_id}")
    timeline = await page.api.get(f"/follow-up/recommendations/{recommendation_id}")
    mine = [p for p in timeline["places"] if p["institution_id"] == str(institution["id"])]
    current = (mine[0]["current"] or {}) if mine else {}
    return await page.render(
        "officer/follow_up_status.html",
        status_code=422 if errors else 200,
        me=me,
        recommendation=recommendation,
        place=mine[0] if mine else None,
        values=values
        or {
            "status": current.get("reported_status") or "in_progress",
            "as_of": datetime.now(UTC).date().isoformat(),
            "measures": "",
            "responsible_body": institution.get("name", ""),
            "evidence_links": "",
        },
        statuses=STATUSES,
        errors=errors or [],
    )


@router.get("/follow-up/recommendations/{recommendation_id}")
async def status_form(recommendation_id: UUID, page: PageDep) -> Response:
    """Report where one recommendation stands in the institution's place."""
    me = await require_signed_in(page, *INSTITUTIONS)
    return await _status_page(page, me, recommendation_id)


@router.post("/follow-up/recommendations/{recommendation_id}")
async def report_status(recommendation_id: UUID, page: PageDep) -> Response:
    form = await form_data(page.request)
    me = await require_signed_in(page, *INSTITUTIONS)
    values = {k: first(form, k) for k in ("status", "as_of", "measures", "responsible_body")}
    values["evidence_links"] = (form.get("evidence_links") or [""])[0]
    errors: list[FieldError] = []
    _ = page.gettext
    if values["status"] not in STATUSES:
        errors.append(FieldError("status", "", _("Choose where the recommendation stands.")))
    try:
        datetime.strptime(values["as_of"], "%Y-%m-%d")
    except ValueError:
        errors.append(
            FieldError("as_of", "", _("Enter the date as year-month-day, for example 2027-03-15."))
        )
    if not errors:
        body = {
            "recommendation_id": str(recommendation_id),
            "status": values["status"],
            "as_of": values["as_of"],
            "measures": values["measures"] or None,
            "responsible_body": values["responsible_body"] or None,
            "evidence_links": split_list(values["evidence_links"]),
        }
        try:
            await page.api.post("/follow-up/statuses", body)
        except ApiError as exc:
            if exc.status != 422:
                raise
            errors = api_field_errors(
                exc, {k: k for k in ("status", "as_of", "measures", "evidence_links")}
            )
            if any("future" in e.message for e in errors):
                errors = [FieldError("as_of", "", _("The date cannot be in the future."))]
        else:
            return page.redirect("/officer/follow-up?done=status")
    return await _status_page(page, me, recommendation_id, values=values, errors=errors)


INDICATOR_FIELDS = (
    "name",
    "unit",
    "kind",
    "sdg_target",
    "sdg_indicator",
    "baseline_value",
    "baseline_year",
    "target_value",
    "target_year",
    "source",
    "update_every_months",
)


def _indicator_values(form: dict[str, list[str]] | None = None) -> dict[str, Any]:
    form = form or {}
    values: dict[str, Any] = {k: first(form, k) for k in INDICATOR_FIELDS}
    values["kind"] = values["kind"] or "outcome"
    values["update_every_months"] = values["update_every_months"] or "12"
    values["breakdowns"] = form.get("breakdowns", [])
    values["recommendation_ids"] = form.get("recommendation_ids", [])
    return values


async def _indicator_form(
    page: Page, me: dict[str, Any], values: dict[str, Any], errors: list[FieldError]
) -> Response:
    institution = _institution(me)
    statuses = await page.api.get(
        "/follow-up/export", what="statuses", place=institution["jurisdiction"], format="json"
    )
    followed = {
        r["recommendation_id"]: r["recommendation"]
        for r in statuses
        if r["institution_id"] == str(institution["id"])
    }
    return await page.render(
        "officer/indicator_form.html",
        status_code=422 if errors else 200,
        me=me,
        values=values,
        errors=errors,
        kinds=labels.choices("indicator_kind", page.gettext),
        breakdowns=labels.choices("breakdown", page.gettext),
        targets=await lookups.sdg_targets(page.api, page.language),
        followed=followed,
    )


@router.get("/follow-up/indicators/new")
async def new_indicator(page: PageDep) -> Response:
    """Define a local indicator: what is measured, against which baseline and target."""
    me = await require_signed_in(page, *INSTITUTIONS)
    return await _indicator_form(page, me, _indicator_values(), [])


def _number(raw: str) -> float | None:
    return float(raw.replace(",", ".")) if raw else None


@router.post("/follow-up/indicators/new")
async def create_indicator(page: PageDep) -> Response:
    form = await form_data(page.request)
    me = await require_signed_in(page, *INSTITUTIONS)
    values = _indicator_values(form)
    _ = page.gettext
    errors: list[FieldError] = []
    if not values["name"]:
        errors.append(FieldError("name", "", _("Enter the indicator's name.")))
    if not values["unit"]:
        errors.append(FieldError("unit", "", _("Enter the unit, for example households or %.")))
    numbers: dict[str, Any] = {}
    for key in ("baseline_value", "target_value"):
        try:
            numbers[key] = _number(values[key])
        except ValueError:
            errors.append(FieldError(key, "", _("Enter a number, for example 4800.")))
    for key in ("baseline_year", "target_year", "update_every_months"):
        if values[key] and not values[key].isdigit():
            errors.append(FieldError(key, "", _("Enter a whole number, for example 2030.")))
    if not errors:
        body = {
            "name": {page.language: values["name"]},
            "unit": values["unit"],
            "kind": values["kind"],
            "sdg_target": values["sdg_target"] or None,
            "sdg_indicator": values["sdg_indicator"] or None,
            "breakdowns": values["breakdowns"],
            "baseline_year": int(values["baseline_year"]) if values["baseline_year"] else None,
            "target_year": int(values["target_year"]) if values["target_year"] else None,
            "source": values["source"] or None,
            "update_every_months": int(values["update_every_months"]),
            "recommendation_ids": values["recommendation_ids"],
            **numbers,
        }
        try:
            await page.api.post("/indicators", body)
        except ApiError as exc:
            if exc.status != 422:
                raise
            errors = api_field_errors(exc, {k: k for k in (*values, "name", "kind")})
        else:
            return page.redirect("/officer/follow-up?done=indicator")
    return await _indicator_form(page, me, values, errors)


async def _value_form(
    page: Page,
    me: dict[str, Any],
    indicator_id: UUID,
    values: dict[str, Any],
    errors: list[FieldError],
) -> Response:
    institution = _institution(me)
    indicator = await page.api.get(f"/indicators/{indicator_id}")
    series = [
        s
        for s in await page.api.get(f"/indicators/{indicator_id}/observations")
        if s["jurisdiction"] == institution["jurisdiction"]
    ]
    reader = view.Reader(language=page.language, gettext=page.gettext)
    return await page.render(
        "officer/indicator_value.html",
        status_code=422 if errors else 200,
        me=me,
        indicator=indicator,
        name=reader.name(indicator["name"]),
        figure=view.indicator(reader, series[0], chart_id="series") if series else None,
        groups={d: GROUPS.get(d, ()) for d in indicator["breakdowns"]},
        values=values,
        errors=errors,
        notice=None if errors else _done(page),
    )


@router.get("/follow-up/indicators/{indicator_id}")
async def value_form(indicator_id: UUID, page: PageDep) -> Response:
    """Record a value of the indicator in the institution's place."""
    me = await require_signed_in(page, *INSTITUTIONS)
    values = {"observed_on": "", "period": "", "value": "", "note": ""}
    return await _value_form(page, me, indicator_id, values, [])


@router.post("/follow-up/indicators/{indicator_id}")
async def record_value(indicator_id: UUID, page: PageDep) -> Response:
    form = await form_data(page.request)
    me = await require_signed_in(page, *INSTITUTIONS)
    _ = page.gettext
    values: dict[str, Any] = {k: first(form, k) for k in ("observed_on", "period", "value", "note")}
    errors: list[FieldError] = []
    breakdown = []
    try:
        total = float(values["value"].replace(",", "."))
    except ValueError:
        errors.append(FieldError("value", "", _("Enter the value as a number, for example 4120.")))
        total = 0.0
    try:
        datetime.strptime(values["observed_on"], "%Y-%m-%d")
    except ValueError:
        errors.append(
            FieldError(
                "observed_on", "", _("Enter the date as year-month-day, for example 2026-12-31.")
            )
        )
    for key, raw in form.items():
        if not key.startswith("group:") or not raw[0].strip():
            continue
        _prefix, dimension, group = key.split(":", 2)
        values[key] = raw[0].strip()
        try:
            breakdown.append(
                {"dimension": dimension, "group": group, "value": float(raw[0].replace(",", "."))}
            )
        except ValueError:
            errors.append(FieldError(key, "", _("Enter the value as a number, for example 4120.")))
    if not errors:
        body = {
            "observed_on": values["observed_on"],
            "period": values["period"] or None,
            "value": total,
            "breakdown": breakdown,
            "note": values["note"] or None,
        }
        try:
            await page.api.post(f"/indicators/{indicator_id}/observations", body)
        except ApiError as exc:
            if exc.status != 422:
                raise
            errors = api_field_errors(exc, {"observed_on": "observed_on", "value": "value"})
        else:
            return page.redirect(f"/officer/follow-up/indicators/{indicator_id}?done=value")
    return await _value_form(page, me, indicator_id, values, errors)
