"""Residents' pages: a consultation to answer, the answers checked and sent, the thanks.

What helps find a consultation is in ``finding``; its results are in ``results_page``.
"""

from __future__ import annotations

import secrets
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response

from localrights_gateway.web import formatting, i18n, lookups
from localrights_gateway.web.answers import FieldError, errors_from_api, parse_answers
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.rendering import (
    Page,
    PageDep,
    PageRoute,
    first,
    form_data,
    with_retry_after,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)

DEFAULT_THRESHOLD = 5


def items_of(data: Any) -> list[dict[str, Any]]:
    """The items of a paginated answer ({"items": [...]}) or of a plain list."""
    if isinstance(data, dict):
        data = data.get("items", [])
    return [item for item in data or [] if isinstance(item, dict)]


def questions_of(consultation: dict[str, Any]) -> list[dict[str, Any]]:
    questions = consultation.get("questions")
    if questions is None:
        questions = (consultation.get("definition") or {}).get("questions", [])
    return [q for q in questions or [] if isinstance(q, dict) and "id" in q]


def content_languages(consultation: dict[str, Any]) -> list[str]:
    declared = consultation.get("languages")
    if isinstance(declared, list) and declared:
        return [str(code) for code in declared]
    return list((consultation.get("title") or {}).keys()) or [i18n.DEFAULT_LANGUAGE]


def content_language(request: Request, consultation: dict[str, Any], interface: str) -> str:
    """The consultation's language the resident reads: their pick, the interface's, or the first."""
    languages = content_languages(consultation)
    wanted = request.query_params.get("lang")
    for code in (wanted, interface):
        if code and code in languages:
            return code
    return languages[0]


async def about(
    page: Page, consultation: dict[str, Any]
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Who runs the consultation, and the SDG targets it names, in the reader's language."""
    institutions = await lookups.institutions_by_id(page.api, [consultation.get("institution_id")])
    # The taxonomy is read once per language, then kept: no call on later pages.
    targets = await lookups.sdg_targets(page.api, page.language)
    named = {code: targets.get(code, "") for code in consultation.get("sdg_targets") or []}
    return institutions.get(str(consultation.get("institution_id"))), named


async def consultation_form(
    page: PageDep,
    consultation: dict[str, Any],
    *,
    errors: list[FieldError] | None = None,
    values: dict[str, Any] | None = None,
    code: str = "",
    idempotency_key: str | None = None,
    status_code: int = 200,
    preview_url: str | None = None,
) -> Response:
    """The consultation's page; with ``preview_url``, its owner's preview (nothing is sent)."""
    clang = content_language(page.request, consultation, page.language)
    questions = questions_of(consultation)
    institution, targets = await about(page, consultation)
    return await page.render(
        "consultation.html",
        status_code=status_code,
        consultation=consultation,
        institution=institution,
        sdg_targets=targets,
        clang=clang,
        content_languages=content_languages(consultation),
        questions=questions,
        main_questions=[q for q in questions if not q.get("demographic")],
        demographic_questions=[q for q in questions if q.get("demographic")],
        threshold=consultation.get("suppression_threshold") or DEFAULT_THRESHOLD,
        errors=errors or [],
        values=values or {},
        code=code,
        # One key per form shown: a double click or a resent form counts once.
        idempotency_key=idempotency_key or secrets.token_urlsafe(16),
        preview_url=preview_url,
    )


@router.get("/consultations/{consultation_id}")
async def consultation_page(consultation_id: UUID, page: PageDep) -> Response:
    """A consultation to answer, in the language the resident picks."""
    consultation = await page.api.get(f"/consultations/{consultation_id}")
    return await consultation_form(page, consultation)


@router.post("/consultations/{consultation_id}")
async def answer_consultation(consultation_id: UUID, page: PageDep) -> Response:
    """Check the answers, send them to the API, and show the confirmation (or the mistakes)."""
    form = await form_data(page.request)
    consultation = await page.api.get(f"/consultations/{consultation_id}")
    clang = content_language(page.request, consultation, page.language)
    questions = questions_of(consultation)
    parsed = parse_answers(
        questions,
        form,
        title_of=lambda q: i18n.pick_text(q.get("title"), clang, [i18n.DEFAULT_LANGUAGE]),
        _=page.gettext,
        number_text=lambda n: formatting.format_number(n, page.language),
    )
    code = first(form, "code")
    key = first(form, "idempotency_key")[:200] or secrets.token_urlsafe(16)
    errors = list(parsed.errors)
    if consultation.get("participation_mode") == "code" and not code:
        errors.insert(0, FieldError("code", "", page.gettext("Enter your participation code.")))
    if errors:
        return await consultation_form(
            page,
            consultation,
            errors=errors,
            values=parsed.values,
            code=code,
            idempotency_key=key,
            status_code=422,
        )
    body: dict[str, Any] = {"answers": parsed.answers, "language": clang}
    if code:
        body["code"] = code
    try:
        created = await page.api.post(
            f"/consultations/{consultation_id}/responses",
            body,
            headers={"Idempotency-Key": key},
        )
    except ApiError as exc:
        if exc.status not in (400, 403, 409, 422, 429):
            raise
        if exc.status == 429:
            problems = [
                FieldError(
                    "answers",
                    "",
                    page.gettext(
                        "Too many answers were sent from this connection. Please wait a minute and "
                        "send the form again."
                    ),
                )
            ]
        elif exc.status in (403, 409) and code:
            problems = [
                FieldError(
                    "code",
                    "",
                    page.gettext("This participation code is not valid or has already been used."),
                )
            ]
        elif exc.status == 409:
            problems = [FieldError("answers", "", exc.detail)]
        else:
            problems = errors_from_api(questions, exc.errors, exc.detail)
        response = await consultation_form(
            page,
            consultation,
            errors=problems,
            values=parsed.values,
            code=code,
            # A refused answer may be corrected and sent again: that is a new submission.
            idempotency_key=None,
            status_code=exc.status,
        )
        return with_retry_after(response, exc)
    reference = str(created.get("id", "")) if isinstance(created, dict) else ""
    return page.redirect(
        page.url(f"/consultations/{consultation_id}/thanks", lang=clang, ref=reference[:8])
    )


@router.get("/consultations/{consultation_id}/thanks")
async def thanks(consultation_id: UUID, page: PageDep, ref: str = "") -> Response:
    """The confirmation that the answers were received."""
    consultation = await page.api.get(f"/consultations/{consultation_id}")
    clang = content_language(page.request, consultation, page.language)
    reference = ref if ref.isalnum() else ""
    return await page.render(
        "thanks.html", consultation=consultation, clang=clang, reference=reference[:8]
    )
