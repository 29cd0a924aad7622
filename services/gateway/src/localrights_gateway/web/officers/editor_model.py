"""The consultation editor's form: every question type, texts in several languages side by
side, "About you" questions, read from and written to the API's definition.

The whole draft travels in the form (no JavaScript needed): adding, removing or moving a
question, or changing the languages, sends the form back and it comes back changed. Options
are written one per line, in each language (line 3 in French is line 3 in English).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from localrights_gateway.web import formatting
from localrights_gateway.web.answers import FieldError
from localrights_gateway.web.i18n import Gettext
from localrights_gateway.web.officers.about_you import ABOUT_YOU
from localrights_gateway.web.rendering import first

QUESTION_TYPES = ("single_choice", "multiple_choice", "rating", "free_text", "ranking", "budget")
WITH_OPTIONS = ("single_choice", "multiple_choice", "ranking", "budget")


@dataclass
class QuestionDraft:
    id: str
    type: str
    demographic: bool = False
    required: bool = False
    title: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)  # language -> one option a line
    costs: str = ""  # budget: one cost a line, beside the options
    min_picks: str = ""
    max_picks: str = ""
    min: str = "1"
    max: str = "5"
    min_label: dict[str, str] = field(default_factory=dict)
    max_label: dict[str, str] = field(default_factory=dict)
    max_length: str = "1000"
    total: str = ""
    currency: str = "EUR"


@dataclass
class ConsultationDraft:
    languages: list[str] = field(default_factory=lambda: ["en"])
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    place: str = ""  # a name, as typed
    municipality: str = ""
    opens_at: str = ""  # datetime-local, in the place's time zone
    closes_at: str = ""
    participation_mode: str = "open"
    topics: list[str] = field(default_factory=list)
    sdg_targets: list[str] = field(default_factory=list)
    questions: list[QuestionDraft] = field(default_factory=list)

    def free_id(self) -> str:
        taken = {q.id for q in self.questions}
        return next(f"q{n}" for n in range(1, 1000) if f"q{n}" not in taken)


def _texts(form: dict[str, list[str]], prefix: str, languages: list[str]) -> dict[str, str]:
    return {code: (form.get(f"{prefix}-{code}") or [""])[0].strip() for code in languages}


def read(form: dict[str, list[str]]) -> ConsultationDraft:
    """The draft as the form holds it."""
    languages = [code for code in form.get("languages", []) if code] or ["en"]
    draft = ConsultationDraft(
        languages=list(dict.fromkeys(languages)),
        title=_texts(form, "title", languages),
        description=_texts(form, "description", languages),
        place=first(form, "place"),
        municipality=first(form, "municipality"),
        opens_at=first(form, "opens_at"),
        closes_at=first(form, "closes_at"),
        participation_mode=first(form, "participation_mode", "open"),
        topics=[t for t in form.get("topics", []) if t],
        sdg_targets=[t for t in form.get("sdg_targets", []) if t],
    )
    for n in range(1, int(first(form, "question_count", "0") or 0) + 1):
        prefix = f"q{n}"
        kind = first(form, f"{prefix}-type")
        if kind not in QUESTION_TYPES:
            continue
        draft.questions.append(
            QuestionDraft(
                id=first(form, f"{prefix}-id") or draft.free_id(),
                type=kind,
                demographic=first(form, f"{prefix}-demographic") == "yes",
                required=first(form, f"{prefix}-required") == "yes",
                title=_texts(form, f"{prefix}-title", languages),
                options={
                    code: (form.get(f"{prefix}-options-{code}") or [""])[0] for code in languages
                },
                costs=(form.get(f"{prefix}-costs") or [""])[0],
                min_picks=first(form, f"{prefix}-min_picks"),
                max_picks=first(form, f"{prefix}-max_picks"),
                min=first(form, f"{prefix}-min", "1"),
                max=first(form, f"{prefix}-max", "5"),
                min_label=_texts(form, f"{prefix}-min_label", languages),
                max_label=_texts(form, f"{prefix}-max_label", languages),
                max_length=first(form, f"{prefix}-max_length", "1000"),
                total=first(form, f"{prefix}-total"),
                currency=first(form, f"{prefix}-currency", "EUR").upper(),
            )
        )
    return draft


def apply(draft: ConsultationDraft, action: str) -> ConsultationDraft:
    """Add, remove or move a question (the buttons of the editor)."""
    verb, _, arg = action.partition(":")
    if verb == "add" and arg in QUESTION_TYPES:
        draft.questions.append(QuestionDraft(id=draft.free_id(), type=arg, required=False))
    elif verb == "about" and arg in ABOUT_YOU:
        ready = ABOUT_YOU[arg]
        draft.questions.append(
            QuestionDraft(
                id=draft.free_id(),
                type="single_choice",
                demographic=True,
                title={c: ready["title"].get(c, "") for c in draft.languages},
                options={c: "\n".join(ready["options"].get(c, [])) for c in draft.languages},
            )
        )
    elif verb in ("remove", "up", "down") and arg.isdigit():
        index = int(arg) - 1
        if 0 <= index < len(draft.questions):
            if verb == "remove":
                draft.questions.pop(index)
            else:
                other = index - 1 if verb == "up" else index + 1
                if 0 <= other < len(draft.questions):
                    qs = draft.questions
                    qs[index], qs[other] = qs[other], qs[index]
    return draft


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _option_id(label: str, index: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:30]
    return f"o{index + 1}-{slug}".strip("-") if slug else f"o{index + 1}"


def _whole(raw: str) -> int | None:
    digits = re.sub(r"[\s.,\u202f]", "", raw)
    return int(digits) if digits.isdigit() else None


def _moment(raw: str, place: str | None) -> str:
    """A datetime-local value in the place's time zone, as the API's ISO time."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=formatting.zone_for(place))
    return moment.astimezone(UTC).isoformat()


def local_input(value: str | None, place: str | None) -> str:
    """An API time as a datetime-local value in the place's time zone."""
    moment = formatting.parse_moment(value)
    if not isinstance(moment, datetime):
        return ""
    return moment.astimezone(formatting.zone_for(place)).strftime("%Y-%m-%dT%H:%M")


def question_body(
    q: QuestionDraft, n: int, languages: list[str], gettext: Gettext
) -> tuple[dict[str, Any] | None, list[FieldError]]:
    """One question as the API takes it, or the mistakes in plain words (linked to fields)."""
    errors: list[FieldError] = []
    missing = [c for c in languages if not q.title.get(c)]
    if missing:
        errors.append(
            FieldError(
                f"q{n}-title-{missing[0]}",
                "",
                gettext("Question %(n)d: write its text in every language of the consultation.")
                % {"n": n},
            )
        )
    body: dict[str, Any] = {
        "id": q.id,
        "type": q.type,
        "title": {c: q.title.get(c, "") for c in languages},
        "required": q.required and not q.demographic,
        "demographic": q.demographic,
    }
    if q.type in WITH_OPTIONS:
        per_language = {c: _lines(q.options.get(c, "")) for c in languages}
        counts = {len(lines) for lines in per_language.values()}
        least = 1 if q.type == "budget" else 2
        if min(counts, default=0) < least or len(counts) != 1:
            errors.append(
                FieldError(
                    f"q{n}-options-{languages[0]}",
                    "",
                    gettext(
                        "Question %(n)d: write at least two options, one per line, and as "
                        "many lines in every language."
                    )
                    % {"n": n},
                )
            )
            return None, errors
        labels = [{c: per_language[c][i] for c in languages} for i in range(counts.pop())]
        ids = [_option_id(label[languages[0]], i) for i, label in enumerate(labels)]
        if q.type == "budget":
            costs = [_whole(line) for line in _lines(q.costs)]
            total = _whole(q.total)
            if len(costs) != len(labels) or None in costs or total is None:
                errors.append(
                    FieldError(
                        f"q{n}-costs",
                        "",
                        gettext(
                            "Question %(n)d: give each project its cost (one a line) and the "
                            "total budget, as whole numbers."
                        )
                        % {"n": n},
                    )
                )
                return None, errors
            body["projects"] = [
                {"id": i, "label": label, "cost": cost}
                for i, label, cost in zip(ids, labels, costs, strict=True)
            ]
            body.update(total_budget=total, currency=q.currency or "EUR")
        else:
            body["options"] = [
                {"id": i, "label": label} for i, label in zip(ids, labels, strict=True)
            ]
        if q.type == "multiple_choice":
            body["min_picks"] = _whole(q.min_picks) or 1
            if _whole(q.max_picks):
                body["max_picks"] = _whole(q.max_picks)
    elif q.type == "rating":
        low, high = _whole(q.min), _whole(q.max)
        if low is None or high is None or low >= high:
            errors.append(
                FieldError(
                    f"q{n}-min",
                    "",
                    gettext("Question %(n)d: the scale must go from a smaller to a larger number.")
                    % {"n": n},
                )
            )
        body.update(min=low or 1, max=high or 5)
        for name in ("min_label", "max_label"):
            texts = getattr(q, name)
            if all(texts.get(c) for c in languages):
                body[name] = {c: texts[c] for c in languages}
    elif q.type == "free_text":
        body["max_length"] = min(10_000, max(1, _whole(q.max_length) or 1000))
    return (None if errors else body), errors


def to_api(
    draft: ConsultationDraft, *, jurisdiction: str, gettext: Gettext
) -> tuple[dict[str, Any], list[FieldError]]:
    """The API's definition of the draft, and what the page can already see is missing."""
    errors: list[FieldError] = []
    languages = draft.languages
    if not all(draft.title.get(c) for c in languages):
        missing = next(c for c in languages if not draft.title.get(c))
        errors.append(
            FieldError(
                f"title-{missing}", "", gettext("Write the title in every language you chose.")
            )
        )
    described = [c for c in languages if draft.description.get(c)]
    if described and len(described) != len(languages):
        missing = next(c for c in languages if not draft.description.get(c))
        errors.append(
            FieldError(
                f"description-{missing}",
                "",
                gettext("Write the description in every language, or leave it empty in all."),
            )
        )
    questions = []
    for n, q in enumerate(draft.questions, start=1):
        built, problems = question_body(q, n, languages, gettext)
        errors.extend(problems)
        if built:
            questions.append(built)
    if not any(not q.demographic for q in draft.questions):
        errors.append(
            FieldError(
                "add-question",
                "",
                gettext("Add at least one question that is not an “About you” question."),
            )
        )
    body = {
        "title": {c: draft.title.get(c, "") for c in languages},
        "description": {c: draft.description[c] for c in described}
        if len(described) == len(languages)
        else {},
        "jurisdiction": jurisdiction,
        "municipality": draft.municipality or None,
        "opens_at": _moment(draft.opens_at, jurisdiction),
        "closes_at": _moment(draft.closes_at, jurisdiction),
        "participation_mode": draft.participation_mode
        if draft.participation_mode in ("open", "code")
        else "open",
        "topics": draft.topics,
        "sdg_targets": draft.sdg_targets,
        "questions": questions,
    }
    return body, errors


def of_consultation(consultation: dict[str, Any], place_name: str) -> ConsultationDraft:
    """A saved draft as the editor shows it."""
    languages = list(consultation.get("languages") or consultation.get("title") or ["en"])
    place = consultation.get("jurisdiction")
    draft = ConsultationDraft(
        languages=languages,
        title=dict(consultation.get("title") or {}),
        description=dict(consultation.get("description") or {}),
        place=place_name,
        municipality=consultation.get("municipality") or "",
        opens_at=local_input(consultation.get("opens_at"), place),
        closes_at=local_input(consultation.get("closes_at"), place),
        participation_mode=consultation.get("participation_mode") or "open",
        topics=list(consultation.get("topics") or []),
        sdg_targets=list(consultation.get("sdg_targets") or []),
    )
    for q in consultation.get("questions") or []:
        choices = q.get("options") or q.get("projects") or []
        draft.questions.append(
            QuestionDraft(
                id=str(q["id"]),
                type=str(q["type"]),
                demographic=bool(q.get("demographic")),
                required=bool(q.get("required")),
                title=dict(q.get("title") or {}),
                options={
                    c: "\n".join(str(o["label"].get(c, "")) for o in choices) for c in languages
                },
                costs="\n".join(str(p.get("cost", "")) for p in q.get("projects") or []),
                min_picks=str(q.get("min_picks") or ""),
                max_picks=str(q.get("max_picks") or ""),
                min=str(q.get("min", 1)),
                max=str(q.get("max", 5)),
                min_label=dict(q.get("min_label") or {}),
                max_label=dict(q.get("max_label") or {}),
                max_length=str(q.get("max_length", 1000)),
                total=str(q.get("total_budget") or ""),
                currency=str(q.get("currency") or "EUR"),
            )
        )
    return draft
