"""Officers' exercise pages: the ministry's calls for input, and input per recommendation."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from localrights_gateway.web.account import require_signed_in
from localrights_gateway.web.answers import FieldError
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.officers.common import (
    OFFICERS,
    api_field_errors,
    notice,
    split_list,
)
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

# -- exercises ------------------------------------------------------------------------------


@router.get("/exercises")
async def exercises(page: PageDep) -> Response:
    """Reporting exercises the institution is invited to."""
    me = await require_signed_in(page, *OFFICERS)
    items = items_of(await page.api.get("/exercises", limit=100))
    return await page.render("officer/exercises.html", me=me, exercises=items, notice=notice(page))


async def recommendations_of(page: Page, exercise: dict[str, Any]) -> list[dict[str, Any]]:
    """The recommendations an exercise selected (at most 200 shown on one page)."""
    try:
        return items_of(
            await page.api.get(f"/exercises/{exercise['id']}/recommendations", limit=200)
        )
    except ApiError as exc:
        if exc.status not in (404, 405):
            raise
    found = []
    for rid in list(exercise.get("recommendation_ids") or [])[:200]:
        found.append(await page.api.get(f"/recommendations/{rid}"))
    return found


async def my_inputs(page: Page, exercise_id: UUID) -> dict[str, dict[str, Any]]:
    try:
        inputs = items_of(await page.api.get(f"/exercises/{exercise_id}/inputs", limit=500))
    except ApiError as exc:
        if exc.status not in (403, 404, 405):
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
        notice=notice(page),
    )


def _input_values(existing: dict[str, Any] | None) -> dict[str, Any]:
    existing = existing or {}
    indicator = (existing.get("indicators") or [{}])[0]
    return {
        "status": existing.get("status", "in_progress"),
        "measures_taken": existing.get("measures_taken") or "",
        "good_practice": existing.get("good_practice") or "",
        "challenges": existing.get("challenges") or "",
        "evidence_links": "\n".join(existing.get("evidence_links") or []),
        "consultation_id": existing.get("consultation_id") or "",
        "indicator_name": indicator.get("name") or "",
        "indicator_value": "" if indicator.get("value") is None else str(indicator["value"]),
        "indicator_unit": indicator.get("unit") or "",
        "indicator_period": indicator.get("period") or "",
    }


@router.get("/exercises/{exercise_id}/recommendations/{recommendation_id}")
async def input_form(exercise_id: UUID, recommendation_id: UUID, page: PageDep) -> Response:
    """The input form for one recommendation of an exercise."""
    me = await require_signed_in(page, *OFFICERS)
    exercise = await page.api.get(f"/exercises/{exercise_id}")
    recommendation = await page.api.get(f"/recommendations/{recommendation_id}")
    inputs = await my_inputs(page, exercise_id)
    return await page.render(
        "officer/input_form.html",
        me=me,
        exercise=exercise,
        recommendation=recommendation,
        values=_input_values(inputs.get(str(recommendation_id))),
        statuses=INPUT_STATUSES,
    )


@router.post("/exercises/{exercise_id}/recommendations/{recommendation_id}")
async def submit_input(exercise_id: UUID, recommendation_id: UUID, page: PageDep) -> Response:
    """Send the input through POST /api/v1/exercises/{id}/inputs (a new version each time)."""
    form = await form_data(page.request)
    me = await require_signed_in(page, *OFFICERS)
    values = {key: first(form, key) for key in _input_values(None)}
    values["evidence_links"] = (form.get("evidence_links") or [""])[0]
    errors: list[FieldError] = []
    if values["status"] not in INPUT_STATUSES:
        errors.append(FieldError("status", "", page.gettext("Choose the implementation status.")))
    body: dict[str, Any] = {
        "recommendation_id": str(recommendation_id),
        "status": values["status"],
        "measures_taken": values["measures_taken"] or None,
        "good_practice": values["good_practice"] or None,
        "challenges": values["challenges"] or None,
        "evidence_links": split_list(values["evidence_links"]),
        "consultation_id": values["consultation_id"] or None,
        "indicators": [],
    }
    if values["indicator_name"]:
        raw = values["indicator_value"]
        number: float | str | None
        try:
            number = float(raw) if raw else None
        except ValueError:
            number = raw
        body["indicators"] = [
            {
                "name": values["indicator_name"],
                "value": number,
                "unit": values["indicator_unit"] or None,
                "period": values["indicator_period"] or None,
            }
        ]
    if not errors:
        try:
            await page.api.post(f"/exercises/{exercise_id}/inputs", body)
        except ApiError as exc:
            if exc.status not in (409, 422):
                raise
            errors = api_field_errors(
                exc,
                {
                    f: f
                    for f in (
                        "status",
                        "measures_taken",
                        "good_practice",
                        "challenges",
                        "evidence_links",
                        "consultation_id",
                    )
                }
                | {"indicators": "indicator_name"},
            )
        else:
            return page.redirect(f"/officer/exercises/{exercise_id}?done=input")
    exercise = await page.api.get(f"/exercises/{exercise_id}")
    recommendation = await page.api.get(f"/recommendations/{recommendation_id}")
    return await page.render(
        "officer/input_form.html",
        status_code=422,
        me=me,
        exercise=exercise,
        recommendation=recommendation,
        values=values,
        statuses=INPUT_STATUSES,
        errors=errors,
    )
