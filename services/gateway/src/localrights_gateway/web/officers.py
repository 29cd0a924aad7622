"""Institution officers' pages: subscriptions, inbox, their consultations, exercise input."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from localrights_gateway.web.account import require_signed_in
from localrights_gateway.web.answers import FieldError
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.i18n import N_
from localrights_gateway.web.rendering import Page, PageDep, PageRoute, first, form_data
from localrights_gateway.web.residents import items_of

router = APIRouter(prefix="/officer", route_class=PageRoute, include_in_schema=False)

OFFICERS = ("institution_officer", "ministry_officer")
# Alerts are for local institutions: the notifications service refuses other roles.
INSTITUTIONS = ("institution_officer",)
MECHANISMS = ("UPR", "CEDAW", "CERD", "CRC", "CAT", "CCPR", "CESCR", "CRPD", "CMW", "CED")
KINDS = (
    "upr_review",
    "treaty_body_review",
    "country_visit",
    "call_for_input",
    "deadline",
    "consultation_opened",
    "input_requested",
    "reminder",
)
QUESTION_TYPES = ("single_choice", "multiple_choice", "rating", "free_text", "ranking", "budget")
QUESTION_SLOTS = 3
INPUT_STATUSES = ("not_started", "in_progress", "implemented", "not_applicable")
NOTICES = {
    "created": N_("Saved."),
    "deleted": N_("Deleted."),
    "read": N_("Marked as read."),
    "opened": N_("Opened."),
    "closed": N_("Closed."),
    "published": N_("The results are published."),
    "input": N_("Your input has been saved."),
}


def split_list(raw: str) -> list[str]:
    """Comma-, semicolon- or line-separated values, trimmed, without blanks or repeats."""
    return list(dict.fromkeys(part.strip() for part in re.split(r"[,;\n]", raw) if part.strip()))


def notice(page: Page) -> str | None:
    key = page.request.query_params.get("done", "")
    return page.gettext(NOTICES[key]) if key in NOTICES else None


def api_field_errors(exc: ApiError, known: dict[str, str]) -> list[FieldError]:
    """The API's 422 problems placed at the form field each names (else at the form's top)."""
    found = []
    for problem in exc.errors or [{"location": "", "message": exc.detail}]:
        location = str(problem.get("location") or "")
        message = str(problem.get("message") or exc.detail)
        target = next(
            (field for key, field in known.items() if key and key in location.split(".")),
            "form-top",
        )
        found.append(FieldError(target, "", f"{location}: {message}" if location else message))
    return found


# -- subscriptions --------------------------------------------------------------------------


@router.get("/subscriptions")
async def subscriptions(page: PageDep) -> Response:
    """The institution's subscriptions to alerts."""
    me = await require_signed_in(page, *INSTITUTIONS)
    items = items_of(await page.api.get("/subscriptions", limit=100))
    return await page.render(
        "officer/subscriptions.html", me=me, subscriptions=items, notice=notice(page)
    )


def _subscription_form_context(values: dict[str, Any]) -> dict[str, Any]:
    return {"values": values, "mechanisms": MECHANISMS, "kinds": KINDS}


@router.get("/subscriptions/new")
async def new_subscription(page: PageDep) -> Response:
    """The form to subscribe to alerts."""
    me = await require_signed_in(page, *INSTITUTIONS)
    values = {
        "channel": "inbox",
        "mode": "immediate",
        "countries": "",
        "mechanisms": [],
        "kinds": [],
        "themes": "",
        "jurisdictions": "",
        "name": "",
        "email": "",
        "url": "",
    }
    institution = me.get("institution") or {}
    values["countries"] = institution.get("country", "")
    return await page.render(
        "officer/subscription_form.html", me=me, **_subscription_form_context(values)
    )


@router.post("/subscriptions")
async def create_subscription(page: PageDep) -> Response:
    """Create a subscription through POST /api/v1/subscriptions."""
    form = await form_data(page.request)
    me = await require_signed_in(page, *INSTITUTIONS)
    values: dict[str, Any] = {
        "name": first(form, "name"),
        "countries": first(form, "countries"),
        "mechanisms": form.get("mechanisms", []),
        "kinds": form.get("kinds", []),
        "themes": first(form, "themes"),
        "jurisdictions": first(form, "jurisdictions"),
        "channel": first(form, "channel", "inbox"),
        "email": first(form, "email"),
        "url": first(form, "url"),
        "mode": first(form, "mode", "immediate"),
    }
    errors: list[FieldError] = []
    if values["channel"] not in ("inbox", "email", "webhook"):
        errors.append(FieldError("channel", "", page.gettext("Choose how to receive alerts.")))
    if values["channel"] == "email" and not values["email"]:
        errors.append(
            FieldError(
                "email",
                "",
                page.gettext("Enter the e-mail address that should receive the alerts."),
            )
        )
    if values["channel"] == "webhook" and not values["url"]:
        errors.append(
            FieldError(
                "url", "", page.gettext("Enter the web address that should receive the alerts.")
            )
        )
    body: dict[str, Any] = {
        "name": values["name"] or None,
        "countries": [c.upper() for c in split_list(values["countries"])],
        "mechanisms": [m for m in values["mechanisms"] if m],
        "kinds": [k for k in values["kinds"] if k],
        "themes": split_list(values["themes"]),
        "jurisdictions": [j.upper() for j in split_list(values["jurisdictions"])],
        "channel": values["channel"],
        "mode": values["mode"] if values["mode"] in ("immediate", "daily_digest") else "immediate",
    }
    if values["channel"] == "email":
        body["email"] = values["email"]
    if values["channel"] == "webhook":
        body["url"] = values["url"]
    if not errors:
        try:
            created = await page.api.post("/subscriptions", body)
        except ApiError as exc:
            if exc.status != 422:
                raise
            errors = api_field_errors(
                exc,
                {
                    f: f
                    for f in (
                        "countries",
                        "mechanisms",
                        "kinds",
                        "themes",
                        "jurisdictions",
                        "email",
                        "url",
                        "name",
                        "mode",
                        "channel",
                    )
                },
            )
        else:
            if isinstance(created, dict) and created.get("secret"):
                # Shown once, never put in a URL: render it now instead of redirecting.
                return await page.render(
                    "officer/subscription_secret.html", me=me, subscription=created
                )
            return page.redirect("/officer/subscriptions?done=created")
    return await page.render(
        "officer/subscription_form.html",
        status_code=422,
        me=me,
        errors=errors,
        **_subscription_form_context(values),
    )


@router.post("/subscriptions/{subscription_id}/delete")
async def delete_subscription(subscription_id: UUID, page: PageDep) -> Response:
    """Delete one of the institution's subscriptions."""
    await form_data(page.request)
    await require_signed_in(page, *INSTITUTIONS)
    await page.api.delete(f"/subscriptions/{subscription_id}")
    return page.redirect("/officer/subscriptions?done=deleted")


# -- inbox ----------------------------------------------------------------------------------


@router.get("/inbox")
async def inbox(page: PageDep) -> Response:
    """Alerts and notices delivered to the institution's in-app inbox."""
    me = await require_signed_in(page, *INSTITUTIONS)
    items = items_of(await page.api.get("/inbox", limit=100))
    unread = sum(1 for item in items if not item.get("read_at"))
    return await page.render(
        "officer/inbox.html", me=me, items=items, unread=unread, notice=notice(page)
    )


@router.post("/inbox/{item_id}/read")
async def mark_read(item_id: UUID, page: PageDep) -> Response:
    """Mark one inbox item as read."""
    await form_data(page.request)
    await require_signed_in(page, *INSTITUTIONS)
    await page.api.post(f"/inbox/{item_id}/read")
    return page.redirect("/officer/inbox?done=read")


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
    await page.api.post(f"/consultations/{consultation_id}/{action}")
    return page.redirect(f"/officer/consultations?done={done[action]}")


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
