"""Results and exports: the database tallies, ``domain.results`` decides what may be shown."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights import csvsafe
from localrights.errors import InvalidInput
from localrights_consultation.domain.exports import flat_answer
from localrights_consultation.domain.questions import QuestionType, SingleChoice
from localrights_consultation.domain.results import (
    NO_ANSWER,
    SUPPRESSED,
    build_results,
    suppressed_groups,
)
from localrights_consultation.models import Consultation
from localrights_consultation.repository import results as repository
from localrights_consultation.schemas import ResultsRead
from localrights_consultation.service.consultations import questions_of


def breakdown_question(questions: Sequence[QuestionType], by: str) -> SingleChoice:
    """The demographic question results may be broken down by, or 422."""
    for question in questions:
        if question.id == by and question.demographic and isinstance(question, SingleChoice):
            return question
    demographic = ", ".join(q.id for q in questions if q.demographic) or "none"
    raise InvalidInput(
        f"by: '{by}' is not a demographic question of this consultation (these are: {demographic})"
    )


async def compute_results(
    *, session: AsyncSession, consultation: Consultation, threshold: int, by: str | None = None
) -> ResultsRead:
    """Figures overall and per group of ``by``, small groups suppressed."""
    questions = questions_of(consultation)
    by_question = breakdown_question(questions, by) if by is not None else None
    tallies = await repository.fetch_tallies(
        session,
        consultation_id=consultation.id,
        by=by,
        kinds=[(q.id, q.type) for q in questions],
    )
    figures = build_results(
        questions=questions, tallies=tallies, threshold=threshold, by=by_question
    )
    return ResultsRead(consultation_id=consultation.id, status=consultation.status, **figures)


RESULT_COLUMNS = [
    "group",
    "group_responses",
    "question_id",
    "type",
    "item",
    "count",
    "share",
    "mean",
    "score",
    "total",
]


def result_rows(results: ResultsRead) -> Iterable[dict[str, Any]]:
    """The results as flat rows, one per figure (the CSV export's lines)."""
    for group in [results.overall, *results.groups]:
        base = {"group": group["group"], "group_responses": group["responses"]}
        if group["suppressed"]:
            yield base
            continue
        for q in group["questions"]:
            head = {**base, "question_id": q["question_id"], "type": q["type"]}
            yield {**head, "item": "", "count": q["responses"], "mean": q.get("mean")}
            for option in q.get("options", []):
                yield {
                    **head,
                    "item": option["id"],
                    "count": option.get("count", option.get("ranked_by")),
                    "share": option.get("share"),
                    "score": option.get("score"),
                    "mean": option.get("mean_position"),
                }
            for point in q.get("distribution", []):
                yield {
                    **head,
                    "item": point["value"],
                    "count": point["count"],
                    "share": point["share"],
                }
            for project in q.get("projects", []):
                yield {
                    **head,
                    "item": project["id"],
                    "count": project["supporters"],
                    "share": project["share"],
                    "mean": project["mean"],
                    "total": project["total"],
                }


def csv_line(values: Sequence[Any]) -> str:
    buffer = io.StringIO()
    csvsafe.writer(buffer).writerow(values)
    return buffer.getvalue()


def export_results(results: ResultsRead, fmt: str) -> str:
    """Results as CSV (spreadsheet-safe) or JSON; the same suppression as the API."""
    if fmt == "json":
        return results.model_dump_json(indent=2)
    lines = [csv_line(RESULT_COLUMNS)]
    lines += [csv_line([row.get(c) for c in RESULT_COLUMNS]) for row in result_rows(results)]
    return "".join(lines)


async def export_responses(
    *,
    sessions: async_sessionmaker[AsyncSession],
    consultation: Consultation,
    threshold: int,
    fmt: str,
) -> AsyncIterator[str]:
    """Every response, pseudonymous, streamed as CSV or a JSON array.

    No client key, no code, no exact time (the day only). A demographic answer is replaced
    by ``suppressed`` when its group is suppressed in the results, so a raw export cannot
    show a small group the results hide. Sizes and rows come from one snapshot.
    """
    questions = questions_of(consultation)
    demographic = [q.id for q in questions if q.demographic]
    columns = ["response_id", "submitted_on", "language", *[q.id for q in questions]]
    async with sessions() as session:
        await repository.read_only_snapshot(session)
        sizes = await repository.demographic_sizes(
            session, consultation_id=consultation.id, question_ids=demographic
        )
        hidden = {
            qid: suppressed_groups(
                {(v if v is not None else NO_ANSWER): n for v, n in groups.items()}, threshold
            )
            for qid, groups in sizes.items()
        }
        if fmt == "csv":
            yield csv_line(columns)
        else:
            yield "["
        first = True
        async for row in repository.stream_responses(session, consultation_id=consultation.id):
            answers: dict[str, Any] = dict(row.answers)
            for qid in demographic:
                value = answers.get(qid)
                if (value if value is not None else NO_ANSWER) in hidden[qid]:
                    answers[qid] = SUPPRESSED
            record = {
                "response_id": str(row.id),
                "submitted_on": row.created_at.date().isoformat(),
                "language": row.language,
            }
            if fmt == "csv":
                cells = [record[c] for c in columns[:3]]
                cells += [flat_answer(answers.get(q.id)) for q in questions]
                yield csv_line(cells)
            else:
                record["answers"] = answers
                yield ("" if first else ",") + "\n" + json.dumps(record, ensure_ascii=False)
            first = False
        if fmt != "csv":
            yield "\n]\n"
