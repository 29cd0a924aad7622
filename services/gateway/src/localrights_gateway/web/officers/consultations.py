"""Officers' consultation pages: their list, a simple creation form, open/close/publish, codes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
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
)
from localrights_gateway.web.rendering import PageDep, PageRoute, first, form_data
from localrights_gateway.web.residents import items_of

router = APIRouter(route_class=PageRoute, include_in_schema=False)

QUESTION_TYPES = ("single_choice", "multiple_choice", "rating", "free_text", "ranking", "budget")
QUESTION_SLOTS = 3

# -- consultations --------------------------------------------------------------------------


@router.get("/consultations")
async def my_consultations(page: PageDep) -> Response:
    """The institution's consultations with the next step of each."""
    me = await require_signed_in(page, *OFFICERS)
    institution = (me.get("institution") or {}).get("id")
    items = items_of(await page.api.get("/consultations", institution_id=institution, limit=100))
    if institution:
        items = [c for c in items if str(c.get("institution_id")) == str(institution)]
    return await page.render(
        "officer/consultations.html", me=me, consultations=items, notice=notice(page)
    )


def _blank_consultation(me: dict[str, Any]) -> dict[str, Any]:
    institution = me.get("institution") or {}
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    return {
        "language": "en",
        "title": "",
        "description": "",
        "country": institution.get("country", ""),
        "jurisdiction": institution.get("jurisdiction", ""),
        "municipality": institution.get("municipality") or "",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
        "participation_mode": "open",
        "questions": [
            {"type": "", "title": "", "options": "", "required": False}
            for _ in range(QUESTION_SLOTS)
        ],
    }


@router.get("/consultations/new")
async def new_consultation(page: PageDep) -> Response:
    """The form to create a simple consultation (up to three questions)."""
    me = await require_signed_in(page, *OFFICERS)
    return await page.render(
        "officer/consultation_form.html",
        me=me,
        values=_blank_consultation(me),
        question_types=QUESTION_TYPES,
    )


def _option_id(label: str, index: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:30]
    return f"{index + 1}-{slug}" if slug else f"option-{index + 1}"


def build_question(
    slot: dict[str, Any], index: int, language: str, _: Any
) -> tuple[dict[str, Any] | None, list[FieldError]]:
    """A question definition from one slot of the form (None when the slot is empty)."""
    kind, title = slot["type"], slot["title"]
    target = f"question-{index}-title"
    if not kind and not title:
        return None, []
    if not title:
        return None, [FieldError(target, "", _("Question %(n)d: enter its text.") % {"n": index})]
    if kind not in QUESTION_TYPES:
        return None, [
            FieldError(
                f"question-{index}-type", "", _("Question %(n)d: choose its type.") % {"n": index}
            )
        ]
    question: dict[str, Any] = {
        "id": f"q{index}",
        "type": kind,
        "title": {language: title},
        "required": bool(slot["required"]),
    }
    lines = [line.strip() for line in slot["options"].splitlines() if line.strip()]
    options_target = f"question-{index}-options"
    if kind in ("single_choice", "multiple_choice", "ranking"):
        if len(lines) < 2:
            return None, [
                FieldError(
                    options_target,
                    "",
                    _("Question %(n)d: write at least two options, one per line.") % {"n": index},
                )
            ]
        question["options"] = [
            {"id": _option_id(line, i), "label": {language: line}} for i, line in enumerate(lines)
        ]
    elif kind == "rating":
        question.update({"min": 1, "max": 5})
    elif kind == "free_text":
        question["max_length"] = 1000
    elif kind == "budget":
        projects = []
        for i, line in enumerate(lines):
            label, _sep, cost = line.rpartition("|")
            digits = re.sub(r"[^0-9]", "", cost)
            if not label.strip() or not digits:
                return None, [
                    FieldError(
                        options_target,
                        "",
                        _("Question %(n)d: write each project as “name | cost”.") % {"n": index},
                    )
                ]
            projects.append(
                {
                    "id": _option_id(label, i),
                    "label": {language: label.strip()},
                    "cost": int(digits),
                }
            )
        total = re.sub(r"[^0-9]", "", slot.get("total_budget", ""))
        if not projects or not total:
            return None, [
                FieldError(
                    options_target,
                    "",
                    _("Question %(n)d: write the projects and the total budget.") % {"n": index},
                )
            ]
        question.update({"projects": projects, "total_budget": int(total)})
    return question, []


def _aware(raw: str) -> str:
    """A datetime-local value as an ISO timestamp in UTC."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


@router.post("/consultations")
async def create_consultation(page: PageDep) -> Response:
    """Create a draft consultation through POST /api/v1/consultations."""
    form = await form_data(page.request)
    me = await require_signed_in(page, *OFFICERS)
    language = first(form, "language", "en")
    values: dict[str, Any] = {
        key: first(form, key)
        for key in (
            "title",
            "description",
            "country",
            "jurisdiction",
            "municipality",
            "opens_at",
            "closes_at",
            "participation_mode",
        )
    }
    values["language"] = language
    values["questions"] = [
        {
            "type": first(form, f"question-{i}-type"),
            "title": first(form, f"question-{i}-title"),
            "options": (form.get(f"question-{i}-options") or [""])[0],
            "total_budget": first(form, f"question-{i}-total"),
            "required": first(form, f"question-{i}-required") == "yes",
        }
        for i in range(1, QUESTION_SLOTS + 1)
    ]
    errors: list[FieldError] = []
    if not values["title"]:
        errors.append(FieldError("title", "", page.gettext("Enter the consultation's title.")))
    questions = []
    for index, slot in enumerate(values["questions"], start=1):
        question, problems = build_question(slot, index, language, page.gettext)
        errors.extend(problems)
        if question is not None:
            questions.append(question)
    if not questions and not errors:
        errors.append(
            FieldError("question-1-title", "", page.gettext("Write at least one question."))
        )
    if not errors:
        body = {
            "title": {language: values["title"]},
            "description": {language: values["description"]} if values["description"] else {},
            "country": values["country"].upper(),
            "jurisdiction": values["jurisdiction"].upper(),
            "municipality": values["municipality"] or None,
            "opens_at": _aware(values["opens_at"]),
            "closes_at": _aware(values["closes_at"]),
            "participation_mode": values["participation_mode"] or "open",
            "questions": questions,
        }
        try:
            await page.api.post("/consultations", body)
        except ApiError as exc:
            if exc.status != 422:
                raise
            errors = api_field_errors(
                exc,
                {
                    f: f
                    for f in (
                        "title",
                        "description",
                        "country",
                        "jurisdiction",
                        "municipality",
                        "opens_at",
                        "closes_at",
                    )
                },
            )
        else:
            return page.redirect("/officer/consultations?done=created")
    return await page.render(
        "officer/consultation_form.html",
        status_code=422,
        me=me,
        values=values,
        errors=errors,
        question_types=QUESTION_TYPES,
    )


@router.post("/consultations/{consultation_id}/{action}")
async def consultation_action(consultation_id: UUID, action: str, page: PageDep) -> Response:
    """Open, close or publish a consultation; or issue participation codes."""
    form = await form_data(page.request)
    me = await require_signed_in(page, *OFFICERS)
    if action == "codes":
        count = first(form, "count", "10")
        number = int(count) if count.isdigit() else 0
        if not 1 <= number <= 1000:
            raise ApiError(400, "Bad request", page.gettext("Ask for 1 to 1000 codes."))
        created = await page.api.post(f"/consultations/{consultation_id}/codes", {"count": number})
        codes = created.get("codes", []) if isinstance(created, dict) else created or []
        return await page.render(
            "officer/codes.html", me=me, codes=codes, consultation_id=consultation_id
        )
    done = {"open": "opened", "close": "closed", "publish": "published"}
    if action not in done:
        raise ApiError(404, "Not found", page.gettext("There is no such action."))
    body = None
    if action == "publish":
        # What the institution will do with the results, per language of the consultation.
        written = {
            name.removeprefix("next-"): first(form, name)
            for name in form
            if name.startswith("next-") and first(form, name)
        }
        body = {"what_happens_next": written} if written else None
    await page.api.post(f"/consultations/{consultation_id}/{action}", body)
    return page.redirect(f"/officer/consultations?done={done[action]}")
