"""SQL of results: tallies counted by the database, sizes of groups, the raw export, and the
figures kept at publication."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights_consultation.domain.results import Tally
from localrights_consultation.models import PublishedResults
from localrights_consultation.repository.core import execute


def tallies_statement(kinds: Sequence[tuple[str, str]]) -> tuple[Any, dict[str, Any]]:
    """The tally query for questions of these (id, type), and its parameters.

    One GROUP BY per question, written for its type, joined with UNION ALL: PostgreSQL runs
    each as a fast (parallel) aggregate, which beats one scan that reshapes every answer
    per row (measured in bench/consultation_results.py). Rows are (group, question, item):
      every answer            -> (question, NULL): how many answered
      single_choice           -> (question, option) counted
      rating                  -> (question, value) counted, values summed
      multiple_choice/ranking -> (question, option) counted, positions summed (Borda)
      budget                  -> (question, project) counted, amounts summed
      free_text               -> nothing more: texts are only counted
    plus ('', NULL) counting the responses of each group.
    """
    params: dict[str, Any] = {}
    grp = "r.answers ->> CAST(:by AS text)"
    where = "r.consultation_id = :cid"
    # Respondents per group and per question answered: one aggregate, turned into rows.
    answered = ", ".join(
        ["count(*) AS c"]
        + [f"count(*) FILTER (WHERE r.answers ? :q{n}) AS c{n}" for n in range(len(kinds))]
    )
    unpivot = ", ".join(
        ["('', a.c)"] + [f"(CAST(:q{n} AS text), a.c{n})" for n in range(len(kinds))]
    )
    branches = [
        f"SELECT a.grp, v.qid, NULL::text, v.n, 0::numeric FROM (SELECT {grp} AS grp, {answered} "
        f"FROM responses r WHERE {where} GROUP BY 1) a CROSS JOIN LATERAL (VALUES {unpivot}) "
        "v(qid, n)"
    ]
    for n, (question_id, kind) in enumerate(kinds):
        q = f":q{n}"
        params[f"q{n}"] = question_id
        if kind == "single_choice":
            branches.append(
                f"SELECT {grp}, {q}, r.answers ->> {q}, count(*), count(*) FROM responses r "
                f"WHERE {where} AND r.answers ? {q} GROUP BY 1, 3"
            )
        elif kind == "rating":
            branches.append(
                f"SELECT {grp}, {q}, r.answers ->> {q}, count(*), "
                f"sum(CAST(r.answers -> {q} AS numeric)) FROM responses r "
                f"WHERE {where} AND r.answers ? {q} GROUP BY 1, 3"
            )
        elif kind in ("multiple_choice", "ranking"):
            branches.append(
                f"SELECT {grp}, {q}, x.item, count(*), sum(x.ord) FROM responses r, "
                f"jsonb_array_elements_text(r.answers -> {q}) WITH ORDINALITY x(item, ord) "
                f"WHERE {where} AND r.answers ? {q} GROUP BY 1, 3"
            )
        elif kind == "budget":
            branches.append(
                f"SELECT {grp}, {q}, b.key, count(*), sum(CAST(b.value AS numeric)) "
                f"FROM responses r, jsonb_each(r.answers -> {q}) b "
                f"WHERE {where} AND r.answers ? {q} GROUP BY 1, 3"
            )
    statement = text(
        "SELECT grp, qid, item, n, total::float8 AS total FROM ("
        + " UNION ALL ".join(branches)
        + ") t(grp, qid, item, n, total)"
    )
    return statement, params


async def fetch_tallies(
    session: AsyncSession,
    *,
    consultation_id: UUID,
    by: str | None,
    kinds: Sequence[tuple[str, str]],
) -> list[Tally]:
    """The tallies of a consultation's responses, grouped by the answer to ``by`` if given."""
    statement, params = tallies_statement(kinds)
    rows = await execute(session, statement, {**params, "cid": consultation_id, "by": by})
    return [
        Tally(group=row.grp, question_id=row.qid, item=row.item, count=row.n, total=row.total)
        for row in rows
    ]


async def demographic_sizes(
    session: AsyncSession, *, consultation_id: UUID, question_ids: Sequence[str]
) -> dict[str, dict[str | None, int]]:
    """Per demographic question, respondents per answer (None: skipped it)."""
    if not question_ids:
        return {}
    rows = await execute(
        session,
        text(
            "SELECT q.id AS qid, r.answers ->> q.id AS value, count(*) AS n "
            "FROM responses r CROSS JOIN unnest(CAST(:qids AS text[])) q(id) "
            "WHERE r.consultation_id = :cid GROUP BY 1, 2"
        ),
        {"cid": consultation_id, "qids": list(question_ids)},
    )
    sizes: dict[str, dict[str | None, int]] = {q: {} for q in question_ids}
    for row in rows:
        sizes[row.qid][row.value] = row.n
    return sizes


async def stream_responses(session: AsyncSession, *, consultation_id: UUID) -> AsyncIterator[Any]:
    """Every response of a consultation, oldest first, without loading them all at once."""
    connection = await session.connection()
    result = await connection.stream(
        text(
            "SELECT id, answers, language, created_at FROM responses "
            "WHERE consultation_id = :cid ORDER BY created_at, id"
        ).execution_options(yield_per=2000),
        {"cid": consultation_id},
    )
    async for row in result:
        yield row


async def read_only_snapshot(session: AsyncSession) -> None:
    """Make the session's transaction read from one snapshot (first statement only)."""
    await execute(session, text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))


async def kept_results(
    session: AsyncSession, *, consultation_id: UUID, breakdown: str
) -> PublishedResults | None:
    """The figures kept at publication for one breakdown, or None."""
    return await session.get(PublishedResults, (consultation_id, breakdown))


async def all_kept_results(
    session: AsyncSession, *, consultation_id: UUID
) -> list[PublishedResults]:
    """Every breakdown's figures kept at publication."""
    rows = await session.exec(
        select(PublishedResults).where(col(PublishedResults.consultation_id) == consultation_id)
    )
    return list(rows)
