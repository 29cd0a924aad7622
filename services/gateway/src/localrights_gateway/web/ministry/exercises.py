"""The ministry's reporting exercises: their list, one built from the chosen recommendations
and from institutions found by name, kind and place, and opening or closing it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from localrights_gateway.web import places
from localrights_gateway.web.account import require_signed_in
from localrights_gateway.web.answers import FieldError
from localrights_gateway.web.backoffice import pickers
from localrights_gateway.web.backoffice.problems import Field, field_errors
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.ministry.common import MINISTRY, NOTICES, ids
from localrights_gateway.web.rendering import Page, PageDep, PageRoute, first, form_data
from localrights_gateway.web.residents import items_of

router = APIRouter(route_class=PageRoute, include_in_schema=False)

REPORT_TYPES = (
    "upr_national_report",
    "upr_midterm_report",
    "treaty_body_report",
    "vnr",
    "vlr",
    "other",
)
_FIELDS = {
    "title": Field("title", "Title"),
    "report_type": Field("report_type", "Report"),
    "deadline": Field("deadline", "Deadline"),
    "recommendation_ids": Field("chosen-recommendations", "Recommendations"),
    "invited_institution_ids": Field("institutions", "Institutions"),
    "country": Field("title", "Country"),
    "mechanism": Field("mechanism", "Mechanism"),
}
_TITLE_ERROR = "Enter a title of at least 3 characters, for example “UPR mid-term report 2027”."


def notice(page: Page) -> str | None:
    key = page.request.query_params.get("done", "")
    return page.gettext(NOTICES[key]) if key in NOTICES else None


@router.get("/exercises")
async def exercises(page: PageDep) -> Response:
    """The ministry's exercises, the open ones first, each with its next step."""
    me = await require_signed_in(page, *MINISTRY)
    items = items_of(await page.api.get("/exercises"))
    order = {"open": 0, "draft": 1, "closed": 2}
    items.sort(key=lambda e: (order.get(str(e.get("status")), 3), str(e.get("deadline"))))
    return await page.render("ministry/exercises.html", me=me, exercises=items, notice=notice(page))


@dataclass
class Builder:
    """The exercise being built, as the page holds it."""

    country: str = ""
    recommendations: list[str] = field(default_factory=list)
    institutions: list[str] = field(default_factory=list)
    title: str = ""
    report_type: str = "upr_midterm_report"
    mechanism: str = ""
    deadline: str = ""
    description: str = ""
    find_name: str = ""
    find_kind: str = ""
    find_place: str = ""


def _builder(form: dict[str, list[str]], me: dict[str, Any]) -> Builder:
    country = first(form, "country") or str((me.get("institution") or {}).get("country") or "")
    default_deadline = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
    return Builder(
        country=country.upper()[:2],
        recommendations=ids(form.get("rec", [])),
        institutions=ids(form.get("inst", [])),
        title=first(form, "title"),
        report_type=first(form, "report_type", "upr_midterm_report"),
        mechanism=first(form, "mechanism"),
        deadline=first(form, "deadline", default_deadline),
        description=first(form, "description"),
        find_name=first(form, "find_name"),
        find_kind=first(form, "find_kind"),
        find_place=first(form, "find_place"),
    )


async def _render(page: Page, built: Builder, errors: list[FieldError] | None = None) -> Response:
    """The builder: the chosen recommendations, institutions found and chosen, the details."""
    chosen_recommendations = await asyncio.gather(
        *(page.api.get(f"/recommendations/{rid}") for rid in built.recommendations[:200])
    )
    place_errors: list[FieldError] = []
    place_code = ""
    if built.find_place:
        resolved = pickers.resolve_places(
            built.find_place, page.language, country=built.country or None
        )
        if resolved.codes:
            place_code = resolved.codes[0]
        else:
            place_errors.append(
                FieldError(
                    "find_place",
                    "",
                    page.gettext(pickers.UNKNOWN_PLACE) % {"names": built.find_place},
                )
            )
    found = await page.api.get(
        "/institutions",
        country=built.country or None,
        q=built.find_name or None,
        kind=built.find_kind if built.find_kind in pickers.INSTITUTION_KINDS else None,
        place=place_code or None,
    )
    named = {str(i["id"]): i for i in found}
    missing = [i for i in built.institutions if i not in named]
    for one in await asyncio.gather(*(page.api.get(f"/institutions/{i}") for i in missing)):
        named[str(one["id"])] = one
    found_ids = [str(i["id"]) for i in found if i.get("kind") != "ministry"]
    listed = [named[i] for i in built.institutions] + [
        named[i] for i in found_ids if i not in built.institutions
    ]
    return await page.render(
        "ministry/exercise_new.html",
        status_code=422 if errors or place_errors else 200,
        built=built,
        recommendations=chosen_recommendations,
        institutions=listed,
        errors=(errors or []) + place_errors,
        report_types=REPORT_TYPES,
        institution_kinds=pickers.INSTITUTION_KINDS,
        mechanism_names=await pickers.mechanism_names(page.api, page.language, page.gettext),
        mechanisms=pickers.MECHANISMS,
        country_name=places.place_name(built.country, page.language) if built.country else "",
    )


@router.get("/exercises/new")
async def new_exercise(page: PageDep) -> Response:
    """Start from the recommendations chosen in the list (?rec=...)."""
    me = await require_signed_in(page, *MINISTRY)
    query = page.request.query_params
    form = {key: query.getlist(key) for key in query}
    return await _render(page, _builder(form, me))


@router.post("/exercises/new")
async def build_exercise(page: PageDep) -> Response:
    """Find institutions (the page comes back with them), or create the exercise."""
    form = await form_data(page.request)
    me = await require_signed_in(page, *MINISTRY)
    built = _builder(form, me)
    if first(form, "do") != "create":
        return await _render(page, built)
    errors = []
    if not built.recommendations:
        errors.append(
            FieldError(
                "chosen-recommendations",
                "",
                page.gettext("Choose at least one recommendation in the list of recommendations."),
            )
        )
    if not built.institutions:
        errors.append(
            FieldError(
                "institutions", "", page.gettext("Choose at least one institution to invite.")
            )
        )
    if len(built.title) < 3:
        errors.append(FieldError("title", "", page.gettext(_TITLE_ERROR)))
    if errors:
        return await _render(page, built, errors)
    body = {
        "report_type": built.report_type,
        "country": built.country,
        "mechanism": built.mechanism or None,
        "title": built.title,
        "description": built.description or None,
        "deadline": built.deadline,
        "recommendation_ids": built.recommendations,
        "invited_institution_ids": built.institutions,
    }
    try:
        created = await page.api.post("/exercises", body)
    except ApiError as exc:
        if exc.status != 422:
            raise
        fields = {k: Field(f.target, page.gettext(f.label)) for k, f in _FIELDS.items()}
        return await _render(
            page,
            built,
            field_errors(exc, fields, page.gettext, overrides={"title": _TITLE_ERROR}),
        )
    return page.redirect(f"/ministry/exercises/{created['id']}?done=created")


@router.get("/exercises/{exercise_id}")
async def exercise_page(exercise_id: UUID, page: PageDep) -> Response:
    """An exercise: what it asks, of whom, by when; its next step."""
    me = await require_signed_in(page, *MINISTRY)
    exercise, recommendations = await asyncio.gather(
        page.api.get(f"/exercises/{exercise_id}"),
        page.api.get(f"/exercises/{exercise_id}/recommendations", limit=1000),
    )
    invited = await asyncio.gather(
        *(page.api.get(f"/institutions/{i}") for i in exercise.get("invited_institution_ids", []))
    )
    return await page.render(
        "ministry/exercise.html",
        me=me,
        exercise=exercise,
        recommendations=recommendations,
        invited=invited,
        mechanism_names=await pickers.mechanism_names(page.api, page.language, page.gettext),
        notice=notice(page),
    )


@router.post("/exercises/{exercise_id}/{action}")
async def exercise_action(exercise_id: UUID, action: str, page: PageDep) -> Response:
    """Open an exercise (which alerts the invited institutions) or close it."""
    await form_data(page.request)
    await require_signed_in(page, *MINISTRY)
    if action not in ("open", "close"):
        raise ApiError(404, "Not found", page.gettext("There is no such action."))
    await page.api.post(f"/exercises/{exercise_id}/{action}")
    done = "opened" if action == "open" else "closed"
    return page.redirect(f"/ministry/exercises/{exercise_id}?done={done}")
