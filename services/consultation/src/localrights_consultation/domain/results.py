"""A consultation's results: from aggregated answer tallies to figures, with small groups hidden.

The database does the counting (one GROUP BY over every response, see ``repository/results.py``) and
hands over *tallies*: per group, question and item, how many answers and the sum of their
numbers. Everything that decides what may be shown happens here, without HTTP or SQL.

Small-cell suppression. A group (the respondents who gave one answer to the breakdown
question, or who skipped it) with fewer respondents than the threshold is never shown. Hiding
only that group is not enough, because the overall figures are shown too: overall minus the
shown groups would give it back. So suppressed groups are merged into one ``suppressed``
group, and while that merged group holds a single group, or fewer respondents than the
threshold, the next-smallest shown group joins it (complementary suppression). The merged
group then always covers at least two groups and at least ``threshold`` people, and nothing
shown can be subtracted down to one small group. When all respondents together are fewer
than the threshold, no figures are shown at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from localrights_consultation.domain.questions import (
    Budget,
    FreeText,
    MultipleChoice,
    QuestionType,
    Ranking,
    Rating,
    SingleChoice,
)

NO_ANSWER = "no_answer"
SUPPRESSED = "suppressed"
OVERALL = "overall"
EVERYONE = ""  # the breakdown key of the figures for everyone together
RESPONSE_MARKER = ""  # question id of the one tally row every response contributes


@dataclass(frozen=True)
class Tally:
    """What the database counted for one (group, question, item).

    ``item`` is None for the row every answer to the question adds (so its count is the
    number of respondents who answered); otherwise an option, a rating value or a project.
    ``total`` sums the item's numbers: 1 per pick, the position for rankings, the rating, or
    the amount given to a budget project.
    """

    group: str | None
    question_id: str
    item: str | None
    count: int
    total: float


def suppressed_groups(sizes: Mapping[str, int], threshold: int) -> set[str]:
    """The groups to hide: those under ``threshold`` plus complementary ones (module doc)."""
    hidden = {group for group, size in sizes.items() if size < threshold}
    if not hidden:
        return hidden
    shown = sorted((size, group) for group, size in sizes.items() if group not in hidden)
    while shown and (len(hidden) == 1 or sum(sizes[g] for g in hidden) < threshold):
        hidden.add(shown.pop(0)[1])
    return hidden


@dataclass
class _Cell:
    count: int = 0
    total: float = 0.0

    def add(self, count: int, total: float) -> None:
        self.count += count
        self.total += total


@dataclass
class _GroupTally:
    cells: dict[str, dict[str | None, _Cell]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(_Cell))
    )

    def add(self, tally: Tally) -> None:
        self.cells[tally.question_id][tally.item].add(tally.count, tally.total)

    @property
    def responses(self) -> int:
        return self.cells[RESPONSE_MARKER][None].count if RESPONSE_MARKER in self.cells else 0


def _share(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0


def _demographic_options(
    question: SingleChoice, cells: Mapping[str | None, _Cell], respondents: int, threshold: int
) -> list[dict[str, Any]]:
    """A demographic question's own distribution, suppressed like the groups it makes."""
    sizes = {o.id: cells[o.id].count for o in question.options if o.id in cells}
    answered = cells[None].count if None in cells else 0
    if respondents > answered:
        sizes[NO_ANSWER] = respondents - answered
    hidden = suppressed_groups({k: v for k, v in sizes.items() if v}, threshold)
    shown = [
        {"id": o.id, "count": sizes.get(o.id, 0), "share": _share(sizes.get(o.id, 0), respondents)}
        for o in question.options
        if o.id not in hidden
    ]
    if NO_ANSWER in sizes and NO_ANSWER not in hidden:
        shown.append(
            {
                "id": NO_ANSWER,
                "count": sizes[NO_ANSWER],
                "share": _share(sizes[NO_ANSWER], respondents),
            }
        )
    if hidden:
        merged = sum(sizes[g] for g in hidden)
        shown.append({"id": SUPPRESSED, "count": merged, "share": _share(merged, respondents)})
    return shown


def summarise_question(
    question: QuestionType,
    cells: Mapping[str | None, _Cell],
    *,
    respondents: int,
    threshold: int,
) -> dict[str, Any]:
    """The figures of one question from its tallies (counts, shares, means, scores, totals).

    ``respondents`` is the size of the group the figures are for. A demographic question
    counts everyone in it (skipping is an answer: ``no_answer``) and hides its small options
    exactly as a breakdown by it would hide small groups.
    """
    answered = cells[None].count if None in cells else 0
    result: dict[str, Any] = {
        "question_id": question.id,
        "type": question.type,
        "title": question.title,
        "responses": answered,
    }

    def cell(item: str) -> _Cell:
        return cells.get(item) or _Cell()

    if isinstance(question, SingleChoice) and question.demographic:
        result["responses"] = respondents
        result["options"] = _demographic_options(question, cells, respondents, threshold)
    elif isinstance(question, SingleChoice | MultipleChoice):
        result["options"] = [
            {"id": o.id, "count": cell(o.id).count, "share": _share(cell(o.id).count, answered)}
            for o in question.options
        ]
    elif isinstance(question, Rating):
        values = range(question.min, question.max + 1)
        given = sum(cell(str(v)).count for v in values)
        result["mean"] = (
            round(sum(cell(str(v)).total for v in values) / given, 4) if given else None
        )
        result["distribution"] = [
            {"value": v, "count": cell(str(v)).count, "share": _share(cell(str(v)).count, given)}
            for v in values
        ]
    elif isinstance(question, Ranking):
        points = len(question.options) + 1
        ranked = []
        for option in question.options:
            c = cell(option.id)
            ranked.append(
                {
                    "id": option.id,
                    "ranked_by": c.count,
                    # Borda count: first of n gets n points, last gets 1, unranked 0.
                    "score": int(round(c.count * points - c.total)),
                    "mean_position": round(c.total / c.count, 4) if c.count else None,
                }
            )
        result["options"] = ranked
    elif isinstance(question, Budget):
        allocated = sum(cell(p.id).total for p in question.projects)
        result["total_budget"] = question.total_budget
        result["currency"] = question.currency
        result["total_allocated"] = int(allocated)
        result["projects"] = [
            {
                "id": p.id,
                "cost": p.cost,
                "total": int(cell(p.id).total),
                "supporters": cell(p.id).count,
                "mean": round(cell(p.id).total / answered, 2) if answered else None,
                "share": _share(cell(p.id).total, allocated),
            }
            for p in question.projects
        ]
    elif isinstance(question, FreeText):
        pass  # only how many answered; the texts themselves are in the owner's export
    return result


def _group_result(
    name: str,
    label: dict[str, str] | None,
    tally: _GroupTally,
    questions: Sequence[QuestionType],
    threshold: int,
) -> dict[str, Any]:
    responses = tally.responses
    hidden = responses < threshold
    return {
        "group": name,
        "label": label,
        "responses": responses,
        "suppressed": hidden,
        "questions": []
        if hidden
        else [
            summarise_question(q, tally.cells[q.id], respondents=responses, threshold=threshold)
            for q in questions
        ],
    }


def build_results(
    *,
    questions: Sequence[QuestionType],
    tallies: Iterable[Tally],
    threshold: int,
    by: SingleChoice | None = None,
) -> dict[str, Any]:
    """Overall and per-group figures with small groups suppressed (see the module doc).

    Without ``by``, every tally belongs to the one overall group. The breakdown question
    itself is left out of the per-question figures: its counts are the group sizes.
    """
    overall = _GroupTally()
    by_group: dict[str, _GroupTally] = defaultdict(_GroupTally)
    for tally in tallies:
        overall.add(tally)
        if by is not None:
            by_group[tally.group if tally.group is not None else NO_ANSWER].add(tally)
    shown_questions = [q for q in questions if by is None or q.id != by.id]
    result: dict[str, Any] = {
        "suppression_threshold": threshold,
        "response_count": overall.responses,
        "by": by.id if by is not None else None,
        "overall": _group_result(OVERALL, None, overall, shown_questions, threshold),
        "groups": [],
    }
    if by is None:
        return result
    sizes = {name: tally.responses for name, tally in by_group.items() if tally.responses}
    hidden = suppressed_groups(sizes, threshold)
    merged = _GroupTally()
    for name in hidden:
        for question_id, items in by_group[name].cells.items():
            for item, c in items.items():
                merged.cells[question_id][item].add(c.count, c.total)
    labels = {o.id: o.label for o in by.options}
    order = [o.id for o in by.options] + [NO_ANSWER]
    order += sorted(set(sizes) - set(order))
    groups = [
        _group_result(name, labels.get(name), by_group[name], shown_questions, threshold)
        for name in order
        if name in sizes and name not in hidden
    ]
    if hidden:
        groups.append(_group_result(SUPPRESSED, None, merged, shown_questions, threshold))
    result["groups"] = groups
    return result
