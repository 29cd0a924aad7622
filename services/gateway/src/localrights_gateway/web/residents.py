"""Residents' pages: open consultations for a place, answering one, published results."""

from __future__ import annotations

import gettext
import secrets
import unicodedata
from functools import cache
from typing import Any
from uuid import UUID

import pycountry
from fastapi import APIRouter, Request, Response

from localrights_gateway.web import i18n
from localrights_gateway.web.answers import FieldError, errors_from_api, parse_answers
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.rendering import PageDep, PageRoute, first, form_data, with_retry_after

router = APIRouter(route_class=PageRoute, include_in_schema=False)

DEFAULT_THRESHOLD = 5


def _sort_key(name: str) -> str:
    # "États-Unis" belongs with the E's, not after "Zimbabwe".
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@cache
def country_choices(language: str = i18n.DEFAULT_LANGUAGE) -> list[tuple[str, str]]:
    """(alpha-2, name in ``language``) of every ISO 3166-1 country, by name."""
    names = gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )
    return sorted(
        ((c.alpha_2, names.gettext(c.name)) for c in pycountry.countries),
        key=lambda item: _sort_key(item[1]),
    )


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


def _place(value: str | None, *, subdivision: bool) -> str | None:
    """An ISO code from the query string, or None when it is not shaped like one."""
    if not value:
        return None
    value = value.strip().upper()
    if len(value) == 2 and value.isalpha():
        return value
    if subdivision and len(value) <= 6 and value[:2].isalpha() and value[2:3] == "-":
        return value
    return None


@router.get("/")
async def home(page: PageDep, country: str = "", jurisdiction: str = "") -> Response:
    """Open consultations, filtered by the resident's country and region or municipality."""
    chosen_country = _place(country, subdivision=False)
    chosen_place = _place(jurisdiction, subdivision=True)
    if chosen_place and not chosen_country:
        chosen_country = chosen_place[:2]
    filters = {"country": chosen_country, "jurisdiction": chosen_place}
    unavailable = False
    consultations: list[dict[str, Any]] = []
    published: list[dict[str, Any]] = []
    try:
        consultations = items_of(
            await page.api.get("/consultations", status="open", limit=50, **filters)
        )
        published = items_of(
            await page.api.get("/consultations", status="published", limit=10, **filters)
        )
    except ApiError as exc:
        if exc.status < 500:
            raise
        unavailable = True
    return await page.render(
        "home.html",
        status_code=503 if unavailable else 200,
        countries=country_choices(page.language),
        country=chosen_country or "",
        jurisdiction=chosen_place or "",
        consultations=consultations,
        published=published,
        unavailable=unavailable,
    )


async def _consultation_form(
    page: PageDep,
    consultation: dict[str, Any],
    *,
    errors: list[FieldError] | None = None,
    values: dict[str, Any] | None = None,
    code: str = "",
    idempotency_key: str | None = None,
    status_code: int = 200,
) -> Response:
    clang = content_language(page.request, consultation, page.language)
    questions = questions_of(consultation)
    return await page.render(
        "consultation.html",
        status_code=status_code,
        consultation=consultation,
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
    )


@router.get("/consultations/{consultation_id}")
async def consultation_page(consultation_id: UUID, page: PageDep) -> Response:
    """A consultation to answer, in the language the resident picks."""
    consultation = await page.api.get(f"/consultations/{consultation_id}")
    return await _consultation_form(page, consultation)


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
    )
    code = first(form, "code")
    key = first(form, "idempotency_key")[:200] or secrets.token_urlsafe(16)
    errors = list(parsed.errors)
    if consultation.get("participation_mode") == "code" and not code:
        errors.insert(0, FieldError("code", "", page.gettext("Enter your participation code.")))
    if errors:
        return await _consultation_form(
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
        response = await _consultation_form(
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


@router.get("/consultations/{consultation_id}/results")
async def results_page(consultation_id: UUID, page: PageDep, by: str = "") -> Response:
    """Published results as tables with bars, overall or by a demographic question."""
    consultation = await page.api.get(f"/consultations/{consultation_id}")
    clang = content_language(page.request, consultation, page.language)
    questions = questions_of(consultation)
    demographic = [q for q in questions if q.get("demographic")]
    chosen = by if by in {str(q["id"]) for q in demographic} else ""
    results: dict[str, Any] | None = None
    try:
        results = await page.api.get(f"/consultations/{consultation_id}/results", by=chosen)
    except ApiError as exc:
        if exc.status not in (403, 404, 409):
            raise
    labels: dict[str, dict[str, str]] = {}
    for question in questions:
        items = question.get("options") or question.get("projects") or []
        labels[str(question["id"])] = {
            str(item["id"]): i18n.pick_text(item.get("label"), clang, [i18n.DEFAULT_LANGUAGE])
            for item in items
        }
    return await page.render(
        "results.html",
        consultation=consultation,
        clang=clang,
        results=results,
        option_labels=labels,
        demographic_questions=demographic,
        by=chosen,
    )
