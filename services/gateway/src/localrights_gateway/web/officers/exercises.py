"""Officers' exercise pages: the ministry's calls for input, and input per recommendation
with the institution's own consultations and indicators picked from lists."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from localrights_gateway.web.account import require_signed_in
from localrights_gateway.web.answers import FieldError
from localrights_gateway.web.backoffice.pickers import split_list
from localrights_gateway.web.backoffice.problems import Field, field_errors
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.officers.common import OFFICERS, notice
from localrights_gateway.web.rendering import Page, PageDep, PageRoute, first, form_data
from localrights_gateway.web.residents import items_of

router = APIRouter(route_class=PageRoute, include_in_schema=False)

INPUT_STATUSES = (
    "not_started",
    "in_progress",
    "partially_implemented",
    "implemented",
    "not_applicable",
)
INDICATOR_ROWS = 3
TEXTS = ("measures_taken", "good_practice", "challenges")
_FIELDS = {
    "status": Field("status", "Implementation status"),
    "measures_taken": Field("measures_taken", "Measures taken"),
    "good_practice": Field("good_practice", "Good practice"),
    "challenges": Field("challenges", "Challenges"),
    "evidence_links": Field("evidence_links", "Evidence links"),
    "consultation_id": Field("consultation_id", "Consultation"),
    "indicators": Field("indicator-1-name", "Indicators"),
}


@router.get("/exercises")
async def exercises(page: PageDep) -> Response:
    """Reporting exercises the institution is invited to."""
    me = await require_signed_in(page, *OFFICERS)
    items = items_of(await page.api.get("/exercises", limit=100))
    return await page.render("officer/exercises.html", me=me, exercises=items, notice=notice(page))


async def recommendations_of(page: Page, exercise: dict[str, Any]) -> list[dict[str, Any]]:
    """The recommendations an exercise selected, in its order (the first 1,000)."""
    return items_of(await page.api.get(f"/exercises/{exercise['id']}/recommendations", limit=1000))


async def my_inputs(page: Page, exercise_id: UUID) -> dict[str, dict[str, Any]]:
    try:
        inputs = items_of(await page.api.get(f"/exercises/{exercise_id}/inputs"))
    except ApiError as exc:
        if exc.status not in (403, 404):
            raise
        return {}
    return {str(i.get("recommendation_id")): i for i in inputs}


@router.get("/exercises/{exercise_id}")
async def exercise_page(exercise_id: UUID, page: PageDep) -> Response:
    """One exercise: its recommendations and the institution's input on each."""
    me = await require_signed_in(page, *OFFICERS)
    exercise = await page.api.get(f"/exercises/{exercise_id}")
    recommendations = await recommendations_of(page, exercise)
    inputs = await my_inputs(page, exercise_id)
    return await page.render(
        "officer/exercise.html",
        me=me,
        exercise=exercise,
        recommendations=recommendations,
        inputs=inputs,
        answered=sum(1 for r in recommendations if str(r.get("id")) in inputs),
        notice=notice(page),
    )


def _number(raw: str) -> float | str | None:
    text = raw.strip().replace(" ", "").replace("\u202f", "")
    if not text:
        return None
    try:
        return float(text.replace(",", ".")) if re.fullmatch(r"-?\d+([.,]\d+)?", text) else raw
    except ValueError:
        return raw


def _groups(raw: str) -> list[dict[str, Any]]:
    """ "women: 80" lines -> disaggregated values (a value the API refuses is named by it)."""
    found = []
    for line in raw.splitlines():
        group, sep, value = line.partition(":")
        if sep and group.strip():
            found.append({"group": group.strip(), "value": _number(value) or value.strip()})
    return found


def _input_values(existing: dict[str, Any] | None) -> dict[str, Any]:
    existing = existing or {}
    indicators = list(existing.get("indicators") or [])
    rows = []
    for n in range(max(INDICATOR_ROWS, len(indicators))):
        indicator = indicators[n] if n < len(indicators) else {}
        value = indicator.get("value")
        rows.append(
            {
                "name": indicator.get("name") or "",
                "value": ""
                if value is None
                else (f"{value:g}" if isinstance(value, float) else str(value)),
                "unit": indicator.get("unit") or "",
                "period": indicator.get("period") or "",
                "groups": "\n".join(
                    f"{d.get('group')}: {d.get('value')}"
                    for d in indicator.get("disaggregation") or []
                ),
            }
        )
    return {
        "status": existing.get("status", "in_progress"),
        **{key: existing.get(key) or "" for key in TEXTS},
        "evidence_links": "\n".join(existing.get("evidence_links") or []),
        "consultation_id": str(existing.get("consultation_id") or ""),
        "indicators": rows,
    }


def _read_values(form: dict[str, list[str]]) -> dict[str, Any]:
    rows = []
    n = 1
    while f"indicator-{n}-name" in form:
        rows.append(
            {
                key: (form.get(f"indicator-{n}-{key}") or [""])[0].strip()
                for key in ("name", "value", "unit", "period", "groups")
            }
        )
        n += 1
    return {
        "status": first(form, "status"),
        **{key: first(form, key) for key in TEXTS},
        "evidence_links": (form.get("evidence_links") or [""])[0],
        "consultation_id": first(form, "consultation_id"),
        "indicators": rows or _input_values(None)["indicators"],
    }


async def _input_context(page: Page, exercise_id: UUID, recommendation_id: UUID) -> dict[str, Any]:
    """The exercise, the recommendation, and what the pickers offer: the institution's own
    consultations by title, and the indicators it reported before (with their units)."""
    me = await page.me() or {}
    institution = (me.get("institution") or {}).get("id")
    exercise = await page.api.get(f"/exercises/{exercise_id}")
    recommendation = await page.api.get(f"/recommendations/{recommendation_id}")
    consultations = [
        c
        for c in items_of(
            await page.api.get("/consultations", institution_id=institution, limit=100)
        )
        if str(c.get("institution_id")) == str(institution) and c.get("status") != "draft"
    ]
    known: dict[str, str] = {}
    for given in (await my_inputs(page, exercise_id)).values():
        for indicator in given.get("indicators") or []:
            known.setdefault(str(indicator.get("name")), str(indicator.get("unit") or ""))
    return {
        "exercise": exercise,
        "recommendation": recommendation,
        "consultations": consultations,
        "known_indicators": known,
        "statuses": INPUT_STATUSES,
    }


@router.get("/exercises/{exercise_id}/recommendations/{recommendation_id}")
async def input_form(exercise_id: UUID, recommendation_id: UUID, page: PageDep) -> Response:
    """The input form for one recommendation of an exercise."""
    me = await require_signed_in(page, *OFFICERS)
    inputs = await my_inputs(page, exercise_id)
    return await page.render(
        "officer/input_form.html",
        me=me,
        values=_input_values(inputs.get(str(recommendation_id))),
        **await _input_context(page, exercise_id, recommendation_id),
    )


@router.post("/exercises/{exercise_id}/recommendations/{recommendation_id}")
async def submit_input(exercise_id: UUID, recommendation_id: UUID, page: PageDep) -> Response:
    """Send the input (POST /api/v1/exercises/{id}/inputs: a new version each time)."""
    form = await form_data(page.request)
    me = await require_signed_in(page, *OFFICERS)
    values = _read_values(form)
    errors: list[FieldError] = []
    if values["status"] not in INPUT_STATUSES:
        errors.append(FieldError("status", "", page.gettext("Choose the implementation status.")))
    indicators = []
    for n, row in enumerate(values["indicators"], start=1):
        if not row["name"]:
            if row["value"] or row["unit"]:
                errors.append(
                    FieldError(
                        f"indicator-{n}-name",
                        "",
                        page.gettext("Indicator %(n)d: give it a name.") % {"n": n},
                    )
                )
            continue
        indicators.append(
            {
                "name": row["name"],
                "value": _number(row["value"]),
                "unit": row["unit"] or None,
                "period": row["period"] or None,
                "disaggregation": _groups(row["groups"]),
            }
        )
    body: dict[str, Any] = {
        "recommendation_id": str(recommendation_id),
        "status": values["status"],
        **{key: values[key] or None for key in TEXTS},
        "evidence_links": split_list(values["evidence_links"]),
        "consultation_id": values["consultation_id"] or None,
        "indicators": indicators,
    }
    if not errors:
        try:
            await page.api.post(f"/exercises/{exercise_id}/inputs", body)
        except ApiError as exc:
            if exc.status not in (409, 422):
                raise
            if exc.status == 409:
                errors = [
                    FieldError(
                        "form-top",
                        "",
                        page.gettext("This exercise is closed: it takes no more input."),
                    )
                ]
            else:
                fields = {k: Field(f.target, page.gettext(f.label)) for k, f in _FIELDS.items()}
                errors = field_errors(exc, fields, page.gettext)
        else:
            return page.redirect(f"/officer/exercises/{exercise_id}?done=input")
    return await page.render(
        "officer/input_form.html",
        status_code=422,
        me=me,
        values=values,
        errors=errors,
        **await _input_context(page, exercise_id, recommendation_id),
    )
