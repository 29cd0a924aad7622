"""Importing recommendations with visible progress: the upload becomes an import job whose
page shows the rows read so far, then ends on its per-row report."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response
from starlette.datastructures import UploadFile

from localrights_gateway.web.account import require_signed_in
from localrights_gateway.web.answers import FieldError
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.ministry.common import MINISTRY
from localrights_gateway.web.rendering import Page, PageDep, PageRoute
from localrights_gateway.web.security import CSRF_FIELD, check_csrf

router = APIRouter(route_class=PageRoute, include_in_schema=False)

SOURCE_FORMATS = ("auto", "uhri_csv", "uhri_json", "upr_info_csv")
MAX_UPLOAD = 64 * 1024 * 1024


async def _form(page: Page, errors: list[FieldError] | None = None, fmt: str = "auto") -> Response:
    return await page.render(
        "ministry/import.html",
        status_code=422 if errors else 200,
        formats=SOURCE_FORMATS,
        source_format=fmt,
        errors=errors or [],
    )


@router.get("/import")
async def import_form(page: PageDep) -> Response:
    """The upload form for a UHRI or UPR Info export."""
    await require_signed_in(page, *MINISTRY)
    return await _form(page)


@router.post("/import")
async def start_import(page: PageDep) -> Response:
    """Hand the file to an import job and go to its progress page."""
    form = await page.request.form(max_part_size=MAX_UPLOAD)
    token = form.get(CSRF_FIELD)
    check_csrf(page.request, token if isinstance(token, str) else None)
    await require_signed_in(page, *MINISTRY)
    upload = form.get("file")
    raw_format = form.get("source_format")
    fmt = raw_format if isinstance(raw_format, str) and raw_format in SOURCE_FORMATS else "auto"
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _form(
            page, [FieldError("file", "", page.gettext("Choose the file to import."))], fmt
        )
    content = await upload.read()
    is_json = upload.filename.lower().endswith(".json") or fmt == "uhri_json"
    try:
        job = await page.api.post(
            "/recommendations/imports",
            params={"format": fmt},
            content=content,
            headers={"Content-Type": "application/json" if is_json else "text/csv"},
        )
    except ApiError as exc:
        if exc.status not in (400, 413, 415, 422):
            raise
        message = (
            page.gettext("The file is too large: split it into several.")
            if exc.status == 413
            else page.gettext("The file could not be read: choose a UHRI or UPR Info export.")
        )
        return await _form(page, [FieldError("file", "", message)], fmt)
    return page.redirect(f"/ministry/imports/{job['id']}")


@router.get("/imports/{job_id}")
async def import_progress(job_id: UUID, page: PageDep) -> Response:
    """Rows read so far while the import runs; its report once done."""
    me = await require_signed_in(page, *MINISTRY)
    job: dict[str, Any] = await page.api.get(f"/recommendations/imports/{job_id}")
    return await page.render("ministry/import_job.html", me=me, job=job)
