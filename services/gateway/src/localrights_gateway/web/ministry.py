"""Ministry officers' pages: import recommendations, run exercises, coverage and compilation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response
from starlette.datastructures import UploadFile

from localrights_gateway.web.account import require_signed_in
from localrights_gateway.web.answers import FieldError
from localrights_gateway.web.backoffice.pickers import split_list
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.officers import (
    api_field_errors,
    notice,
    recommendations_of,
)
from localrights_gateway.web.rendering import PageDep, PageRoute, first, form_data
from localrights_gateway.web.residents import items_of
from localrights_gateway.web.security import CSRF_FIELD, check_csrf

router = APIRouter(prefix="/ministry", route_class=PageRoute, include_in_schema=False)

MINISTRY = ("ministry_officer",)
SOURCE_FORMATS = ("auto", "uhri_csv", "uhri_json", "upr_info_csv")
REPORT_TYPES = (
    "upr_national_report",
    "upr_midterm_report",
    "treaty_body_report",
    "vnr",
    "vlr",
    "other",
)
COMPILATION_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
}


@router.get("/import")
async def import_form(page: PageDep) -> Response:
    """The upload form for a UHRI or UPR Info export."""
    me = await require_signed_in(page, *MINISTRY)
    return await page.render(
        "ministry/import.html", me=me, formats=SOURCE_FORMATS, report=None, source_format="auto"
    )


@router.post("/import")
async def import_recommendations(page: PageDep) -> Response:
    """Send the file to POST /api/v1/recommendations/import and show its per-row report."""
    form = await page.request.form(max_part_size=64 * 1024 * 1024)
    token = form.get(CSRF_FIELD)
    check_csrf(page.request, token if isinstance(token, str) else None)
    me = await require_signed_in(page, *MINISTRY)
    upload = form.get("file")
    raw_format = form.get("source_format")
    source_format = raw_format if isinstance(raw_format, str) else "auto"
    if source_format not in SOURCE_FORMATS:
        source_format = "auto"
    errors: list[FieldError] = []
    report: dict[str, Any] | None = None
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors.append(FieldError("file", "", page.gettext("Choose the file to import.")))
    else:
        content = await upload.read()
        is_json = upload.filename.lower().endswith(".json") or source_format == "uhri_json"
        try:
            # The import endpoint streams the raw file (CSV or JSON body), not a multipart form.
            report = await page.api.post(
                "/recommendations/import",
                params={"format": source_format},
                content=content,
                headers={"Content-Type": "application/json" if is_json else "text/csv"},
            )
        except ApiError as exc:
            if exc.status not in (400, 413, 415, 422):
                raise
            errors.append(FieldError("file", "", exc.detail))
    return await page.render(
        "ministry/import.html",
        status_code=422 if errors else 200,
        me=me,
        formats=SOURCE_FORMATS,
        report=report,
        errors=errors,
        source_format=source_format,
    )


@router.get("/exercises")
async def exercises(page: PageDep) -> Response:
    """The ministry's reporting exercises and the form to start one."""
    me = await require_signed_in(page, *MINISTRY)
    items = items_of(await page.api.get("/exercises", limit=100))
    institution = me.get("institution") or {}
    values = {
        "report_type": "upr_national_report",
        "title": "",
        "country": institution.get("country", ""),
        "mechanism": "UPR",
        "deadline": (datetime.now(UTC) + timedelta(days=60)).date().isoformat(),
        "filter_q": "",
        "filter_theme": "",
        "invited_jurisdictions": "",
        "invited_institution_ids": "",
    }
    return await page.render(
        "ministry/exercises.html",
        me=me,
        exercises=items,
        values=values,
        report_types=REPORT_TYPES,
        notice=notice(page),
    )


@router.post("/exercises")
async def create_exercise(page: PageDep) -> Response:
    """Create a draft exercise through POST /api/v1/exercises."""
    form = await form_data(page.request)
    me = await require_signed_in(page, *MINISTRY)
    values = {
        key: first(form, key)
        for key in (
            "report_type",
            "title",
            "country",
            "mechanism",
            "deadline",
            "filter_q",
            "filter_theme",
            "invited_jurisdictions",
            "invited_institution_ids",
        )
    }
    country = values["country"].upper()
    selection: dict[str, Any] = {"country": country}
    if values["filter_q"]:
        selection["q"] = values["filter_q"]
    if values["filter_theme"]:
        selection["theme"] = values["filter_theme"]
    if values["mechanism"]:
        selection["mechanism"] = values["mechanism"]
    body = {
        "report_type": values["report_type"],
        "title": values["title"],
        "country": country,
        "mechanism": values["mechanism"] or None,
        "deadline": values["deadline"],
        "filter": selection,
        "invited_jurisdictions": [j.upper() for j in split_list(values["invited_jurisdictions"])],
        "invited_institution_ids": split_list(values["invited_institution_ids"]),
    }
    try:
        await page.api.post("/exercises", body)
    except ApiError as exc:
        if exc.status != 422:
            raise
        errors = api_field_errors(
            exc,
            {
                f: f
                for f in (
                    "report_type",
                    "title",
                    "country",
                    "mechanism",
                    "deadline",
                    "invited_jurisdictions",
                    "invited_institution_ids",
                )
            },
        )
        items = items_of(await page.api.get("/exercises", limit=100))
        return await page.render(
            "ministry/exercises.html",
            status_code=422,
            me=me,
            exercises=items,
            values=values,
            report_types=REPORT_TYPES,
            errors=errors,
        )
    return page.redirect("/ministry/exercises?done=created")


@router.post("/exercises/{exercise_id}/{action}")
async def exercise_action(exercise_id: UUID, action: str, page: PageDep) -> Response:
    """Open an exercise (which alerts the invited institutions) or close it."""
    await form_data(page.request)
    await require_signed_in(page, *MINISTRY)
    if action not in ("open", "close"):
        raise ApiError(404, "Not found", page.gettext("There is no such action."))
    await page.api.post(f"/exercises/{exercise_id}/{action}")
    return page.redirect(f"/ministry/exercises?done={'opened' if action == 'open' else 'closed'}")


@router.get("/exercises/{exercise_id}/coverage")
async def coverage(exercise_id: UUID, page: PageDep) -> Response:
    """Who was invited, who answered which recommendations, what is missing."""
    me = await require_signed_in(page, *MINISTRY)
    exercise = await page.api.get(f"/exercises/{exercise_id}")
    report = await page.api.get(f"/exercises/{exercise_id}/coverage")
    # Coverage names recommendations by id: the officer reads them by their text.
    texts = {
        str(r.get("id")): str(r.get("text") or "") for r in await recommendations_of(page, exercise)
    }
    return await page.render(
        "ministry/coverage.html", me=me, exercise=exercise, coverage=report, texts=texts
    )


@router.get("/exercises/{exercise_id}/compilation")
async def compilation(exercise_id: UUID, page: PageDep, format: str = "html") -> Response:
    """The compiled annex as the API renders it (HTML to read and print, or a download)."""
    await require_signed_in(page, *MINISTRY)
    fmt = format if format in COMPILATION_FORMATS or format == "html" else "html"
    answer = await page.api.call(
        "GET", f"/exercises/{exercise_id}/compilation", params={"format": fmt}
    )
    if fmt == "html":
        response = Response(answer.content, media_type="text/html; charset=utf-8")
        # The service's HTML, shown as a document of its own: no script may run in it.
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
        )
    else:
        response = Response(answer.content, media_type=COMPILATION_FORMATS[fmt])
        response.headers["Content-Disposition"] = (
            f'attachment; filename="compilation-{exercise_id}.{fmt}"'
        )
    return page.finish(response)
