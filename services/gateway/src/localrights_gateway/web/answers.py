"""From a consultation form's fields to the answers the API takes, with the same rules.

Field names: ``q-<question>`` for one value (single choice, rating, free text) or several
(multiple choice); ``q-<question>-<item>`` for one number per option (ranking position) or
per project (budget amount). The API is the judge of a response; these checks only let a
resident without JavaScript see every mistake at once, next to the question, in their
language, before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Gettext = Callable[[str], str]


@dataclass
class FieldError:
    """One mistake: the id of the input to link to, and the message naming the question."""

    target: str
    question_id: str
    message: str


@dataclass
class ParsedAnswers:
    answers: dict[str, Any] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)
    # What the resident typed, to put back into the form when it is shown again.
    values: dict[str, Any] = field(default_factory=dict)


def field_id(question_id: str) -> str:
    return f"q-{question_id}"


def _int(raw: str) -> int | None:
    try:
        return int(raw.strip())
    except ValueError:
        return None


def parse_answers(
    questions: Sequence[Mapping[str, Any]],
    form: Mapping[str, list[str]],
    *,
    title_of: Callable[[Mapping[str, Any]], str],
    _: Gettext,
    number_text: Callable[[int], str] = str,
) -> ParsedAnswers:
    """Answers for the API and the mistakes found, each naming its question; amounts are
    written with ``number_text`` (13,000,000 in English, as the running total shows them)."""
    parsed = ParsedAnswers()
    for question in questions:
        qid = str(question["id"])
        name = field_id(qid)
        title = title_of(question)
        kind = question.get("type")

        def fail(message: str, target: str = name, *, _title: str = title, _qid: str = qid) -> None:
            parsed.errors.append(FieldError(target, _qid, f"{_title}: {message}"))

        value: Any = None
        if kind in ("single_choice", "rating"):
            raw = (form.get(name) or [""])[0].strip()
            parsed.values[qid] = raw
            if raw:
                if kind == "rating":
                    value = _int(raw)
                    low, high = int(question.get("min", 1)), int(question.get("max", 5))
                    if value is None or not low <= value <= high:
                        fail(_("choose a point of the scale"))
                        continue
                else:
                    if raw not in {str(o["id"]) for o in question.get("options", [])}:
                        fail(_("choose one of the options"))
                        continue
                    value = raw
        elif kind == "multiple_choice":
            picked = [v for v in form.get(name, []) if v]
            parsed.values[qid] = picked
            if picked:
                options = [str(o["id"]) for o in question.get("options", [])]
                most = question.get("max_picks") or len(options)
                least = int(question.get("min_picks") or 0)
                if any(p not in options for p in picked):
                    fail(_("choose among the options shown"))
                    continue
                if len(picked) < least:
                    fail(_("choose at least %(n)d options") % {"n": least})
                    continue
                if len(picked) > int(most):
                    fail(_("choose at most %(n)d options") % {"n": int(most)})
                    continue
                value = picked
        elif kind == "free_text":
            raw = (form.get(name) or [""])[0]
            parsed.values[qid] = raw
            limit = int(question.get("max_length") or 1000)
            # Browsers send line breaks as CRLF; count them as the resident saw them.
            text = raw.replace("\r\n", "\n").strip()
            if text:
                if len(text) > limit:
                    fail(
                        _("the answer is %(got)d characters long; at most %(n)d are allowed")
                        % {"got": len(text), "n": limit}
                    )
                    continue
                value = text
        elif kind == "ranking":
            positions: dict[str, int] = {}
            typed: dict[str, str] = {}
            bad = False
            for index, option in enumerate(question.get("options", [])):
                target = name if index == 0 else f"{name}-{option['id']}"
                raw = (form.get(f"{name}-{option['id']}") or [""])[0].strip()
                typed[str(option["id"])] = raw
                if raw:
                    number = _int(raw)
                    if number is None or not 1 <= number <= len(question["options"]):
                        fail(
                            _("each position must be a number from 1 to %(n)d")
                            % {"n": len(question["options"])},
                            target,
                        )
                        bad = True
                        break
                    positions[str(option["id"])] = number
            parsed.values[qid] = typed
            if bad:
                continue
            if positions:
                if len(set(positions.values())) != len(positions):
                    fail(_("give each position to one option only"))
                    continue
                value = [o for o, _p in sorted(positions.items(), key=lambda item: item[1])]
        elif kind == "budget":
            amounts: dict[str, int] = {}
            typed = {}
            bad = False
            for index, project in enumerate(question.get("projects", [])):
                pid = str(project["id"])
                target = name if index == 0 else f"{name}-{pid}"
                raw = (form.get(f"{name}-{pid}") or [""])[0].strip().replace(" ", "")
                typed[pid] = raw
                if raw:
                    number = _int(raw)
                    cost = int(project["cost"])
                    if number is None or number < 0:
                        fail(_("amounts must be whole numbers of at least 0"), target)
                        bad = True
                        break
                    if number > cost:
                        fail(
                            _("%(amount)s is more than the project costs (%(cost)s)")
                            % {"amount": number_text(number), "cost": number_text(cost)},
                            target,
                        )
                        bad = True
                        break
                    if number:
                        amounts[pid] = number
            parsed.values[qid] = typed
            if bad:
                continue
            total = int(question.get("total_budget") or 0)
            spent = sum(amounts.values())
            if spent > total:
                fail(
                    _("the amounts add up to %(spent)s, more than the budget of %(total)s")
                    % {"spent": number_text(spent), "total": number_text(total)}
                )
                continue
            value = amounts or None
        if value is None:
            if question.get("required") and not question.get("demographic"):
                fail(_("this question needs an answer"))
            continue
        parsed.answers[qid] = value
    if not parsed.errors and not any(
        qid in parsed.answers
        for qid in (str(q["id"]) for q in questions if not q.get("demographic"))
    ):
        first_question = next((q for q in questions if not q.get("demographic")), None)
        if first_question is not None:
            parsed.errors.append(
                FieldError(
                    field_id(str(first_question["id"])),
                    str(first_question["id"]),
                    _("Answer at least one question before sending."),
                )
            )
    return parsed


def errors_from_api(
    questions: Sequence[Mapping[str, Any]], problems: list[dict[str, Any]], detail: str
) -> list[FieldError]:
    """The API's 422 problems, each placed at the question it names (when it names one)."""
    ids = [str(q["id"]) for q in questions]
    found: list[FieldError] = []
    for problem in problems or [{"location": "", "message": detail}]:
        location = str(problem.get("location") or problem.get("question_id") or "")
        message = str(problem.get("message") or detail)
        target_qid = next(
            (qid for qid in ids if location.split(".")[-1] == qid or f"'{qid}'" in message),
            None,
        )
        target = field_id(target_qid) if target_qid else "answers"
        found.append(FieldError(target, target_qid or "", message))
    return found
