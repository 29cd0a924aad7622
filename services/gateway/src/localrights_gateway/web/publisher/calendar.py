"""A published calendar of UN sessions (CSV or iCalendar) imported as a batch of alerts:
shown first (the API's dry run) with each alert's reach and reminders, published on request."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Response
from starlette.datastructures import UploadFile

from localrights_gateway.web.account import require_signed_in
from localrights_gateway.web.answers import FieldError
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.i18n import N_, Gettext
from localrights_gateway.web.publisher.common import PUBLISHERS, naming
from localrights_gateway.web.rendering import Page, PageDep, PageRoute, first, form_data
from localrights_gateway.web.security import CSRF_FIELD, check_csrf

router = APIRouter(route_class=PageRoute, include_in_schema=False)

MAX_CALENDAR_BYTES = 512 * 1024
_REASONS = {
    "country": N_("No country called “%(value)s”: write its name or its two-letter ISO code."),
    "starts_on": N_("The first day “%(value)s” is not a date: write it as 2027-01-21."),
    "ends_on": N_("The last day “%(value)s” is not a date, or comes before the first day."),
    "deadline": N_("The deadline “%(value)s” is not a date: write it as 2026-10-01."),
    "mechanism": N_("No mechanism: name the UPR, a treaty body such as CERD, or a mandate."),
    "stage": N_("The stage does not fit this kind of session."),
    "kind": N_("The kind of alert is not one the platform knows."),
    "title": N_("The row has no title and none could be written for it."),
}


def reason_in_words(reason: str, gettext: Gettext) -> str:
    """A rejected row's reason, from the API's "field: message", in the page's language."""
    field, _, rest = reason.partition(":")
    quoted = re.search(r"'([^']*)'", rest)
    message = _REASONS.get(field.strip().split(".")[0])
    if message is None:
        return gettext("This row could not be read as a session.")
    return gettext(message) % {"value": quoted.group(1) if quoted else rest.strip()}


async def _upload_form(page: Page, errors: list[FieldError] | None = None) -> Response:
    return await page.render(
        "publisher/calendar.html", status_code=422 if errors else 200, errors=errors or []
    )


@router.get("/calendar")
async def calendar_form(page: PageDep) -> Response:
    """Upload a calendar of UN sessions."""
    await require_signed_in(page, *PUBLISHERS)
    return await _upload_form(page)


async def _dry_run(page: Page, text: str, content_type: str, publish: bool) -> dict[str, Any]:
    answer = await page.api.call(
        "POST",
        "/alerts/import",
        params={"dry_run": "false" if publish else "true"},
        content=text.encode(),
        headers={"Content-Type": content_type},
    )
    result: dict[str, Any] = answer.json()
    return result


def _kind_of(filename: str, text: str) -> str:
    if filename.lower().endswith(".ics") or text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        return "text/calendar"
    return "text/csv"


@router.post("/calendar")
async def calendar_preview(page: PageDep) -> Response:
    """Read the calendar and show the alerts it would publish; nothing is published yet."""
    form = await page.request.form(max_part_size=MAX_CALENDAR_BYTES)
    token = form.get(CSRF_FIELD)
    check_csrf(page.request, token if isinstance(token, str) else None)
    await require_signed_in(page, *PUBLISHERS)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _upload_form(
            page, [FieldError("file", "", page.gettext("Choose the calendar file to import."))]
        )
    raw = await upload.read(MAX_CALENDAR_BYTES + 1)
    if len(raw) > MAX_CALENDAR_BYTES:
        return await _upload_form(
            page,
            [FieldError("file", "", page.gettext("The file is too large for a calendar."))],
        )
    text = raw.decode("utf-8-sig", errors="replace")
    content_type = _kind_of(upload.filename, text)
    try:
        result = await _dry_run(page, text, content_type, publish=False)
    except ApiError as exc:
        if exc.status != 422:
            raise
        return await _upload_form(
            page,
            [
                FieldError(
                    "file",
                    "",
                    page.gettext(
                        "This file is not a calendar the platform can read: a CSV needs a "
                        "header row naming the country (Country or State under review) and "
                        "the dates; an iCalendar file needs events."
                    ),
                )
            ],
        )
    return await page.render(
        "publisher/calendar_check.html",
        result=result,
        text=text,
        content_type=content_type,
        filename=upload.filename,
        reasons={r["line"]: reason_in_words(r["reason"], page.gettext) for r in result["rejected"]},
        **await naming(page),
    )


@router.post("/calendar/publish")
async def calendar_publish(page: PageDep) -> Response:
    """Publish every alert of the checked calendar, together."""
    form = await form_data(page.request)
    await require_signed_in(page, *PUBLISHERS)
    content_type = first(form, "content_type")
    if content_type not in ("text/csv", "text/calendar"):
        content_type = "text/csv"
    text = (form.get("calendar") or [""])[0]
    await _dry_run(page, text, content_type, publish=True)
    return page.redirect("/publisher?done=calendar")
