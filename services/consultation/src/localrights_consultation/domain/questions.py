"""Questions of a consultation: their shapes, the rules of a definition and of an answer.

Each question type knows two things: what makes its definition sound (``definition_errors``)
and what makes one answer to it valid (``answer_error``). Messages name the question and the
rule broken, because they are shown as they are to the officer or resident who sent them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
# Group names the results use themselves; a demographic option may not take them.
RESERVED_GROUPS = frozenset({"no_answer", "suppressed"})

Text = dict[str, str]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Option(_Frozen):
    id: str = Field(pattern=ID_PATTERN)
    label: Text


class Project(_Frozen):
    id: str = Field(pattern=ID_PATTERN)
    label: Text
    cost: int = Field(gt=0, description="What the project costs; the most one response may give it")


class _Question(_Frozen):
    id: str = Field(pattern=ID_PATTERN)
    title: Text
    description: Text = Field(default_factory=dict)
    required: bool = False
    demographic: bool = Field(
        default=False,
        description="Asked only to break results down (age band, gender...); always skippable",
    )

    @property
    def name(self) -> str:
        return f"question '{self.id}' ({getattr(self, 'type', '?')})"

    def texts(self) -> list[tuple[str, Text]]:
        """Every multilingual text of the question, with where it sits."""
        found = [("title", self.title)]
        if self.description:
            found.append(("description", self.description))
        return found

    def rule_errors(self) -> list[str]:
        return []

    def answer_error(self, value: Any) -> str | None:
        raise NotImplementedError

    def definition_errors(self, languages: Sequence[str]) -> list[str]:
        """Rules of this question's definition that are broken, as messages naming it."""
        errors = [f"{self.name}: {rule}" for rule in self.rule_errors()]
        for where, text in self.texts():
            missing = [lang for lang in languages if not (text.get(lang) or "").strip()]
            if missing:
                errors.append(f"{self.name}: {where} lacks the language(s) {', '.join(missing)}")
        if self.demographic and self.required:
            errors.append(f"{self.name}: a demographic question is always skippable, not required")
        if self.demographic and not isinstance(self, SingleChoice):
            errors.append(f"{self.name}: only a single_choice question can be demographic")
        return errors


def _option_rules(options: Sequence[Option | Project], minimum: int = 2) -> list[str]:
    errors = []
    if len(options) < minimum:
        errors.append(f"needs at least {minimum} options, has {len(options)}")
    ids = [o.id for o in options]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        errors.append(f"option ids must be unique; repeated: {', '.join(duplicates)}")
    return errors


def _option_texts(options: Sequence[Option | Project]) -> list[tuple[str, Text]]:
    return [(f"option '{o.id}' label", o.label) for o in options]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class SingleChoice(_Question):
    type: Literal["single_choice"]
    options: list[Option]

    def texts(self) -> list[tuple[str, Text]]:
        return super().texts() + _option_texts(self.options)

    def rule_errors(self) -> list[str]:
        errors = _option_rules(self.options)
        if self.demographic:
            reserved = sorted({o.id for o in self.options} & RESERVED_GROUPS)
            if reserved:
                errors.append(f"option ids {', '.join(reserved)} are reserved in results")
        return errors

    def answer_error(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return "the answer must be one option id (a string)"
        if value not in {o.id for o in self.options}:
            return f"'{value}' is not one of its options"
        return None


class MultipleChoice(_Question):
    type: Literal["multiple_choice"]
    options: list[Option]
    min_picks: int = Field(default=1, ge=0)
    max_picks: int | None = Field(default=None, ge=1, description="Defaults to every option")

    @property
    def most(self) -> int:
        return self.max_picks if self.max_picks is not None else len(self.options)

    def texts(self) -> list[tuple[str, Text]]:
        return super().texts() + _option_texts(self.options)

    def rule_errors(self) -> list[str]:
        errors = _option_rules(self.options)
        if self.most > len(self.options):
            errors.append(f"max_picks {self.most} exceeds the {len(self.options)} options")
        if self.min_picks > self.most:
            errors.append(f"min_picks {self.min_picks} is greater than max_picks {self.most}")
        return errors

    def answer_error(self, value: Any) -> str | None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "the answer must be a list of option ids"
        unknown = [v for v in value if v not in {o.id for o in self.options}]
        if unknown:
            return f"{', '.join(map(repr, unknown))} not among its options"
        if len(set(value)) != len(value):
            return "an option is picked more than once"
        if len(value) < self.min_picks:
            return f"pick at least {self.min_picks} option(s), got {len(value)}"
        if len(value) > self.most:
            return f"pick at most {self.most} option(s), got {len(value)}"
        return None


class Rating(_Question):
    type: Literal["rating"]
    min: int = 1
    max: int = 5
    min_label: Text = Field(default_factory=dict)
    max_label: Text = Field(default_factory=dict)

    def texts(self) -> list[tuple[str, Text]]:
        found = super().texts()
        found += [(n, t) for n, t in (("min_label", self.min_label), ("max_label", self.max_label))]
        return [(n, t) for n, t in found if t or n == "title"]

    def rule_errors(self) -> list[str]:
        if self.min >= self.max:
            return [f"scale min {self.min} must be below max {self.max}"]
        if self.max - self.min > 100:
            return [f"scale {self.min}..{self.max} has more than 101 points"]
        return []

    def answer_error(self, value: Any) -> str | None:
        if not _is_int(value):
            return "the answer must be a whole number"
        if not self.min <= value <= self.max:
            return f"{value} is outside the scale {self.min}..{self.max}"
        return None


class FreeText(_Question):
    type: Literal["free_text"]
    max_length: int = Field(default=1000, ge=1, le=10_000)

    def answer_error(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return "the answer must be text"
        if not value.strip():
            return "the answer is empty; leave the question out to skip it"
        if len(value) > self.max_length:
            return f"the answer has {len(value)} characters, at most {self.max_length} allowed"
        return None


class Ranking(_Question):
    """Rank some or all options, best first; scored by Borda count in the results."""

    type: Literal["ranking"]
    options: list[Option]

    def texts(self) -> list[tuple[str, Text]]:
        return super().texts() + _option_texts(self.options)

    def rule_errors(self) -> list[str]:
        return _option_rules(self.options)

    def answer_error(self, value: Any) -> str | None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or not value:
            return "the answer must be a non-empty list of option ids, best first"
        unknown = [v for v in value if v not in {o.id for o in self.options}]
        if unknown:
            return f"{', '.join(map(repr, unknown))} not among its options"
        if len(set(value)) != len(value):
            return "an option is ranked more than once"
        return None


class Budget(_Question):
    """Participatory budgeting: split ``total_budget`` across projects, at most each's cost."""

    type: Literal["budget"]
    projects: list[Project]
    total_budget: int = Field(gt=0)
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")

    def texts(self) -> list[tuple[str, Text]]:
        return super().texts() + [(f"project '{p.id}' label", p.label) for p in self.projects]

    def rule_errors(self) -> list[str]:
        errors = _option_rules(self.projects, minimum=1)
        cheapest = min((p.cost for p in self.projects), default=0)
        if self.projects and cheapest > self.total_budget:
            errors.append(f"no project fits in the total budget {self.total_budget}")
        return errors

    def answer_error(self, value: Any) -> str | None:
        if not isinstance(value, dict) or not value:
            return "the answer must be an object of project id -> amount"
        costs = {p.id: p.cost for p in self.projects}
        for project, amount in value.items():
            if project not in costs:
                return f"'{project}' is not one of its projects"
            if not _is_int(amount) or amount < 0:
                return f"the amount for '{project}' must be a whole number of at least 0"
            if amount > costs[project]:
                return f"{amount} for '{project}' exceeds its cost {costs[project]}"
        spent = sum(value.values())
        if spent > self.total_budget:
            return f"the amounts add up to {spent}, more than the total budget {self.total_budget}"
        return None


Question = Annotated[
    SingleChoice | MultipleChoice | Rating | FreeText | Ranking | Budget,
    Field(discriminator="type"),
]
QuestionType = SingleChoice | MultipleChoice | Rating | FreeText | Ranking | Budget


def definition_errors(questions: Sequence[QuestionType], languages: Sequence[str]) -> list[str]:
    """Every rule a consultation's questions break (empty when the definition is sound)."""
    errors: list[str] = []
    bad_languages = [lang for lang in languages if not LANGUAGE_RE.match(lang)]
    if bad_languages:
        errors.append(f"title: {', '.join(bad_languages)} are not language codes (en, fr, pt-BR)")
    if not any(not q.demographic for q in questions):
        errors.append("questions: at least one question that is not demographic is needed")
    ids = [q.id for q in questions]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        errors.append(f"questions: ids must be unique; repeated: {', '.join(repeated)}")
    for question in questions:
        errors.extend(question.definition_errors(languages))
    return errors


def answer_errors(
    questions: Sequence[QuestionType], answers: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """(question id, message) for each rule a response's answers break."""
    by_id = {q.id: q for q in questions}
    errors: list[tuple[str, str]] = []
    for question_id in answers:
        if question_id not in by_id:
            errors.append((question_id, f"question '{question_id}' is not in this consultation"))
    for question in questions:
        value = answers.get(question.id)
        if value is None:
            if question.required:
                errors.append((question.id, f"{question.name}: is required"))
            continue
        message = question.answer_error(value)
        if message:
            errors.append((question.id, f"{question.name}: {message}"))
    if not errors and not any(
        answers.get(q.id) is not None for q in questions if not q.demographic
    ):
        errors.append(("answers", "answers: answer at least one question that is not demographic"))
    return errors
