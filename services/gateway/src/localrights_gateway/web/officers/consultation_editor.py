"""Writing a consultation: the editor (every question type, several languages side by side,
"About you" questions, topics and SDG targets), saving it as a draft and editing that draft,
and a preview of the draft as residents will see it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from localrights_gateway.web import formatting, i18n, labels, lookups, places
from localrights_gateway.web.account import require_signed_in
from localrights_gateway.web.answers import FieldError
from localrights_gateway.web.backoffice import pickers
from localrights_gateway.web.backoffice.problems import Field, field_errors
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.officers import editor_model as model
from localrights_gateway.web.officers.about_you import ABOUT_YOU
from localrights_gateway.web.officers.common import OFFICERS, notice
from localrights_gateway.web.rendering import Page, PageDep, PageRoute, first, form_data
from localrights_gateway.web.residents import consultation_form

router = APIRouter(route_class=PageRoute, include_in_schema=False)

CONTENT_LANGUAGES = ("en", "fr", "es", "it", "pt", "de", "ar", "ca", "gn", "qu")
_FIELDS = {
    "title": Field("title-en", "Title"),
    "description": Field("description-en", "Description"),
    "jurisdiction": Field("place", "Place"),
    "municipality": Field("municipality", "Municipality"),
    "opens_at": Field("opens_at", "Opens"),
    "closes_at": Field("closes_at", "Closes"),
    "topics": Field("topics", "Topics"),
    "sdg_targets": Field("sdg_targets", "SDG targets"),
    "questions": Field("add-question", "Questions"),
}


def _institution(me: dict[str, Any]) -> dict[str, Any]:
    return dict(me.get("institution") or {})


def _blank(me: dict[str, Any], language: str) -> model.ConsultationDraft:
    institution = _institution(me)
    place = institution.get("jurisdiction")
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    draft = model.ConsultationDraft(
        languages=[language],
        place=places.place_name(place, language) if place else "",
        municipality=institution.get("municipality") or "",
        opens_at=model.local_input(now.isoformat(), place),
        closes_at=model.local_input((now + timedelta(days=30)).isoformat(), place),
    )
    return model.apply(draft, "add:single_choice")


def _jurisdiction(
    draft: model.ConsultationDraft, me: dict[str, Any], page: Page
) -> tuple[str, list[FieldError]]:
    """The place's code from its name, within the institution's country."""
    institution = _institution(me)
    default = str(institution.get("jurisdiction") or institution.get("country") or "")
    if not draft.place:
        return default, []
    resolved = pickers.resolve_places(draft.place, page.language, country=default[:2] or None)
    if resolved.unknown or not resolved.codes:
        return default, [
            FieldError("place", "", page.gettext(pickers.UNKNOWN_PLACE) % {"names": draft.place})
        ]
    return resolved.codes[0], []


async def _editor(
    page: Page,
    draft: model.ConsultationDraft,
    *,
    action: str,
    consultation: dict[str, Any] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Response:
    targets = await lookups.sdg_targets(page.api, page.language)
    me = await page.me() or {}
    place = _institution(me).get("jurisdiction")
    return await page.render(
        "officer/consultation_editor.html",
        status_code=422 if errors else status_code,
        draft=draft,
        action=action,
        consultation=consultation,
        errors=errors or [],
        question_types=model.QUESTION_TYPES,
        about_you={key: value["title"] for key, value in ABOUT_YOU.items()},
        content_languages=[(c, i18n.language_name(c)) for c in CONTENT_LANGUAGES],
        topics=[pickers.Choice(v, t) for v, t in labels.choices("topic", page.gettext)],
        sdg_choices=[
            pickers.Choice(code, f"{code} {text}")
            for code, text in sorted(targets.items(), key=lambda i: _target_order(i[0]))
        ],
        zone=formatting.zone_name(formatting.zone_for(place), page.language),
        notice=notice(page),
    )


def _target_order(code: str) -> tuple[int, int, str]:
    goal, _, target = code.partition(".")
    return int(goal), int(target) if target.isdigit() else 100, target


@router.get("/consultations/new")
async def new_consultation(page: PageDep) -> Response:
    """The editor, with one question to start from."""
    me = await require_signed_in(page, *OFFICERS)
    return await _editor(page, _blank(me, page.language), action="/officer/consultations/new")


async def _save(
    page: Page,
    form: dict[str, list[str]],
    *,
    consultation: dict[str, Any] | None,
    action: str,
) -> Response:
    me = await require_signed_in(page, *OFFICERS)
    draft = model.read(form)
    button = first(form, "action", "save")
    if button not in ("save", "save_preview"):
        return await _editor(
            page, model.apply(draft, button), action=action, consultation=consultation
        )
    jurisdiction, errors = _jurisdiction(draft, me, page)
    body, problems = model.to_api(draft, jurisdiction=jurisdiction, gettext=page.gettext)
    errors += problems
    if not errors:
        try:
            if consultation is None:
                saved = await page.api.post("/consultations", body)
            else:
                saved = (
                    await page.api.call("PATCH", f"/consultations/{consultation['id']}", json=body)
                ).json()
        except ApiError as exc:
            if exc.status not in (409, 422):
                raise
            fields = {k: Field(f.target, page.gettext(f.label)) for k, f in _FIELDS.items()}
            errors = field_errors(exc, fields, page.gettext)
        else:
            if button == "save_preview":
                return page.redirect(f"/officer/consultations/{saved['id']}/preview")
            return page.redirect(f"/officer/consultations/{saved['id']}/edit?done=draft")
    return await _editor(page, draft, action=action, consultation=consultation, errors=errors)


@router.post("/consultations/new")
async def create_or_change_new(page: PageDep) -> Response:
    """A button of the editor: add or move a question, or save the draft."""
    form = await form_data(page.request)
    return await _save(page, form, consultation=None, action="/officer/consultations/new")


@router.get("/consultations/{consultation_id}/edit")
async def edit_consultation(consultation_id: UUID, page: PageDep) -> Response:
    """The editor filled with a saved draft (an opened consultation can no longer change)."""
    await require_signed_in(page, *OFFICERS)
    consultation = await page.api.get(f"/consultations/{consultation_id}")
    if consultation.get("status") != "draft":
        return await page.render("officer/consultation_locked.html", consultation=consultation)
    draft = model.of_consultation(
        consultation, places.place_name(consultation.get("jurisdiction"), page.language)
    )
    return await _editor(
        page,
        draft,
        action=f"/officer/consultations/{consultation_id}/edit",
        consultation=consultation,
    )


@router.post("/consultations/{consultation_id}/edit")
async def save_draft(consultation_id: UUID, page: PageDep) -> Response:
    """A button of the editor on a saved draft: change it, or save it (PATCH)."""
    form = await form_data(page.request)
    consultation = await page.api.get(f"/consultations/{consultation_id}")
    return await _save(
        page,
        form,
        consultation=consultation,
        action=f"/officer/consultations/{consultation_id}/edit",
    )


@router.get("/consultations/{consultation_id}/preview")
async def preview(consultation_id: UUID, page: PageDep) -> Response:
    """The draft exactly as residents will see it, in each of its languages; nothing is sent."""
    await require_signed_in(page, *OFFICERS)
    consultation = await page.api.get(f"/consultations/{consultation_id}")
    return await consultation_form(
        page, consultation, preview_url=f"/officer/consultations/{consultation_id}/preview"
    )
