"""Following an exercise: who answered which recommendations, reminders to those who have
not, and the compiled annex to read, print and download, named after the exercise."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from localrights_gateway.web import places
from localrights_gateway.web.account import require_signed_in
from localrights_gateway.web.backoffice import pickers
from localrights_gateway.web.labels import label
from localrights_gateway.web.ministry.common import MINISTRY
from localrights_gateway.web.ministry.exercises import notice
from localrights_gateway.web.rendering import Page, PageDep, PageRoute, environment, form_data

router = APIRouter(route_class=PageRoute, include_in_schema=False)

DOWNLOADS = {
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
}
_SHORT_REPORT = {
    "upr_national_report": "UPR national report",
    "upr_midterm_report": "UPR mid-term",
    "treaty_body_report": "{mechanism} periodic report",
    "vnr": "VNR",
    "vlr": "VLR",
}


@router.get("/exercises/{exercise_id}/coverage")
async def coverage(exercise_id: UUID, page: PageDep) -> Response:
    """Who was invited, who answered what, what is missing; reminders from here."""
    me = await require_signed_in(page, *MINISTRY)
    exercise, report, recommendations = await asyncio.gather(
        page.api.get(f"/exercises/{exercise_id}"),
        page.api.get(f"/exercises/{exercise_id}/coverage"),
        page.api.get(f"/exercises/{exercise_id}/recommendations", limit=1000),
    )
    by_id = {str(r["id"]): r for r in recommendations}
    waiting = [i for i in report.get("institutions", []) if i.get("missing_recommendation_ids")]
    return await page.render(
        "ministry/coverage.html",
        me=me,
        exercise=exercise,
        coverage=report,
        recommendations=by_id,
        waiting=waiting,
        mechanism_names=await pickers.mechanism_names(page.api, page.language, page.gettext),
        notice=notice(page),
    )


@router.post("/exercises/{exercise_id}/remind")
async def remind(exercise_id: UUID, page: PageDep) -> Response:
    """Remind every invited institution that has not answered every recommendation."""
    await form_data(page.request)
    await require_signed_in(page, *MINISTRY)
    sent = await page.api.post(f"/exercises/{exercise_id}/reminders")
    done = "reminded" if sent.get("reminded") else "nobody"
    return page.redirect(f"/ministry/exercises/{exercise_id}/coverage?done={done}")


def annex_filename(exercise: dict[str, Any], extension: str, language: str) -> str:
    """ "Italy UPR mid-term 2027 – annex.html": the country, the report and its year."""
    short = _SHORT_REPORT.get(str(exercise.get("report_type")))
    what = (
        short.format(mechanism=exercise.get("mechanism") or "Treaty-body")
        if short
        else str(exercise.get("title") or "Report")
    )
    year = str(exercise.get("deadline") or "")[:4]
    country = places.place_name(str(exercise.get("country") or ""), language)
    stem = " ".join(part for part in (country, what, year) if part)
    safe = "".join(c for c in stem if c.isalnum() or c in " -.,()'")
    return f"{safe.strip() or 'annex'} \u2013 annex.{extension}"


def _disposition(filename: str) -> str:
    from urllib.parse import quote

    fallback = filename.encode("ascii", "replace").decode().replace("?", "-").replace('"', "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


async def _annex(page: Page, exercise_id: UUID) -> dict[str, Any]:
    answer = await page.api.call(
        "GET", f"/exercises/{exercise_id}/compilation", params={"format": "json"}
    )
    annex: dict[str, Any] = json.loads(answer.content)
    return annex


def _context(page: Page, annex: dict[str, Any], exercise_id: UUID) -> dict[str, Any]:
    exercise = annex["exercise"]
    return {
        "annex": annex,
        "exercise_id": exercise_id,
        "downloads": {fmt: annex_filename(exercise, fmt, page.language) for fmt in DOWNLOADS},
        "status_name": lambda value: label("input_status", value, page.gettext),
    }


@router.get("/exercises/{exercise_id}/annex")
async def annex_page(exercise_id: UUID, page: PageDep) -> Response:
    """The annex in the page's language, with names and dates, and every format to download."""
    me = await require_signed_in(page, *MINISTRY)
    annex = await _annex(page, exercise_id)
    names = await pickers.mechanism_names(page.api, page.language, page.gettext)
    return await page.render(
        "ministry/annex.html", me=me, mechanism_names=names, **_context(page, annex, exercise_id)
    )


@router.get("/exercises/{exercise_id}/annex/download")
async def annex_download(exercise_id: UUID, page: PageDep, format: str = "html") -> Response:
    """The annex as a file named after the exercise: HTML in the page's language (to print or
    send), or the platform's CSV, Markdown and JSON."""
    await require_signed_in(page, *MINISTRY)
    fmt = format if format in DOWNLOADS else "html"
    if fmt == "html":
        annex = await _annex(page, exercise_id)
        names = await pickers.mechanism_names(page.api, page.language, page.gettext)
        values = {
            **_context(page, annex, exercise_id),
            "lang": page.language,
            "mechanism_names": names,
        }
        body = (
            environment(page.language).get_template("ministry/annex_document.html").render(values)
        )
        content: bytes = body.encode()
        exercise = annex["exercise"]
    else:
        answer, exercise = await asyncio.gather(
            page.api.call("GET", f"/exercises/{exercise_id}/compilation", params={"format": fmt}),
            page.api.get(f"/exercises/{exercise_id}"),
        )
        content = answer.content
    response = Response(content, media_type=DOWNLOADS[fmt])
    response.headers["Content-Disposition"] = _disposition(
        annex_filename(exercise, fmt, page.language)
    )
    # A document of its own, never run as a page: no script, no form, no frame.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
    )
    return page.finish(response)
