"""SQL of the consultation service that the ORM would write worse: tallies and the ingest path.

Helpers here run statements in the caller's session and never commit; ``submit`` alone
runs on a plain asyncpg connection as one autocommit statement (the ingest hot path).
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from sqlalchemy import CursorResult, Executable, text
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights_consultation.domain.results import Tally


async def execute(
    session: AsyncSession, statement: Executable, params: dict[str, Any] | None = None
) -> CursorResult[Any]:
    """Run a Core statement in the session's transaction (rows, not ORM objects)."""
    connection = await session.connection()
    return await connection.execute(statement, params or {})


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


async def count_responses(session: AsyncSession, *, consultation_id: UUID) -> int:
    result = await execute(
        session,
        text("SELECT count(*) FROM responses WHERE consultation_id = :cid"),
        {"cid": consultation_id},
    )
    return int(result.scalar_one())


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


@dataclass(frozen=True)
class Submission:
    """What the one statement of a submission found: each guard's outcome and the time."""

    key_claimed: bool
    code_ok: bool
    within_quota: bool
    created_at: datetime | None


REFUSED = "LRC01"  # SQLSTATE raised by submission_refused() (migration 0004)


@functools.cache
def _submission_statement(*, with_key: bool, with_code: bool, with_quota: bool) -> str:
    """One INSERT ... WITH statement for a submission: a single round trip on the hot path.

    Every guard is a data-modifying CTE: claim the Idempotency-Key, use the code, count the
    device's response in its quota window. The response row is inserted only if each guard
    passed *and* the consultation is open now (status and window are checked here, so a
    response can never slip in after a close that committed first). When the insert does
    not happen, ``submission_refused()`` raises, which aborts the statement's implicit
    transaction and so undoes the guards that passed; its DETAIL says which did. Concurrent
    submissions with one key, one code or one device queue on that row's lock and then see
    its committed state, so none of the three can be used twice.
    """
    names = ["id", "cid", "answers", "language"]
    if with_key:
        names += ["key", "hash"]
    if with_code:
        names += ["code"]
    if with_quota:
        names += ["client", "cap", "window"]
    p = {name: f"${n}" for n, name in enumerate(names, start=1)}
    ctes: list[str] = []
    guards: list[str] = []
    if with_key:
        ctes.append(
            "k AS (INSERT INTO idempotency_keys (consultation_id, key, body_hash, response_id) "
            f"VALUES ({p['cid']}, {p['key']}, {p['hash']}, {p['id']}) "
            "ON CONFLICT DO NOTHING RETURNING 1)"
        )
        guards.append("EXISTS (SELECT 1 FROM k)")
    if with_code:
        ctes.append(
            "c AS (UPDATE participation_codes SET used_at = now() "
            f"WHERE consultation_id = {p['cid']} AND code_hash = {p['code']} "
            "AND used_at IS NULL RETURNING 1)"
        )
        guards.append("EXISTS (SELECT 1 FROM c)")
    if with_quota:
        window = f"CAST({p['window']} AS integer)"
        ctes.append(
            "q AS (INSERT INTO client_quotas AS cq "
            f"(consultation_id, client_key, window_start, used) VALUES ({p['cid']}, "
            f"{p['client']}, to_timestamp(floor(extract(epoch FROM now()) / {window}) "
            f"* {window}), 1) "
            "ON CONFLICT (consultation_id, client_key, window_start) "
            f"DO UPDATE SET used = cq.used + 1 WHERE cq.used < CAST({p['cap']} AS integer) "
            "RETURNING 1)"
        )
        guards.append("EXISTS (SELECT 1 FROM q)")
    ctes.append(
        "r AS (INSERT INTO responses (id, consultation_id, answers, language) "
        f"SELECT {p['id']}, s.id, CAST({p['answers']} AS jsonb), {p['language']} "
        f"FROM consultations s WHERE s.id = {p['cid']} AND s.status = 'open' "
        "AND s.opens_at <= now() AND now() < s.closes_at"
        + "".join(f" AND {g}" for g in guards)
        + " RETURNING created_at)"
    )
    flags = ", ".join(
        [
            "EXISTS (SELECT 1 FROM k)" if with_key else "true",
            "EXISTS (SELECT 1 FROM c)" if with_code else "true",
            "EXISTS (SELECT 1 FROM q)" if with_quota else "true",
        ]
    )
    # COALESCE evaluates its second argument only when nothing was inserted.
    return (
        f"WITH {', '.join(ctes)} "
        f"SELECT COALESCE((SELECT created_at FROM r), submission_refused({flags}))"
    )


async def submit(
    connection: asyncpg.Connection,
    *,
    response_id: UUID,
    consultation_id: UUID,
    answers_json: str,
    language: str | None,
    key: str | None = None,
    body_hash: bytes | None = None,
    code_hash: bytes | None = None,
    client_key: str | None = None,
    cap: int = 0,
    window_seconds: int = 3600,
) -> Submission:
    """Store one response, or nothing, in one autocommit statement (see above).

    Runs outside any transaction on a plain asyncpg connection: when this returns a
    ``created_at`` the response is committed.
    """
    args: list[Any] = [response_id, consultation_id, answers_json, language]
    with_quota = client_key is not None and cap > 0
    if key is not None:
        args += [key, body_hash]
    if code_hash is not None:
        args.append(code_hash)
    if with_quota:
        args += [client_key, cap, window_seconds]
    statement = _submission_statement(
        with_key=key is not None, with_code=code_hash is not None, with_quota=with_quota
    )
    try:
        created_at = await connection.fetchval(statement, *args)
    except asyncpg.PostgresError as exc:
        if exc.sqlstate != REFUSED:
            raise
        claimed, code_ok, within_quota = (flag == "true" for flag in str(exc.detail).split(","))
        return Submission(
            key_claimed=claimed, code_ok=code_ok, within_quota=within_quota, created_at=None
        )
    return Submission(key_claimed=True, code_ok=True, within_quota=True, created_at=created_at)


async def delete_quotas(session: AsyncSession, *, consultation_id: UUID) -> None:
    """Forget which devices answered: a closed consultation needs no per-device counts."""
    await execute(
        session,
        text("DELETE FROM client_quotas WHERE consultation_id = :cid"),
        {"cid": consultation_id},
    )


async def code_exists(session: AsyncSession, *, consultation_id: UUID, code_hash: bytes) -> bool:
    """Whether this code was ever made for this consultation (used or not)."""
    exists = await execute(
        session,
        text("SELECT 1 FROM participation_codes WHERE consultation_id = :cid AND code_hash = :h"),
        {"cid": consultation_id, "h": code_hash},
    )
    return exists.first() is not None


async def recorded_submission(session: AsyncSession, *, consultation_id: UUID, key: str) -> Any:
    """The earlier submission under this key: its body hash, response id and time."""
    result = await execute(
        session,
        text(
            "SELECT k.body_hash, k.response_id, r.created_at FROM idempotency_keys k "
            "JOIN responses r ON r.id = k.response_id "
            "WHERE k.consultation_id = :cid AND k.key = :key"
        ),
        {"cid": consultation_id, "key": key},
    )
    return result.one()


async def close_due(session: AsyncSession, *, limit: int) -> list[Any]:
    """Close due consultations (see CLOSE_DUE); their id, institution and closing time."""
    return list((await execute(session, CLOSE_DUE, {"limit": limit})).all())


async def consultation_window(session: AsyncSession, *, consultation_id: UUID) -> Any:
    """Status and times of a consultation, or None."""
    result = await execute(
        session,
        text("SELECT status, opens_at, closes_at FROM consultations WHERE id = :id"),
        {"id": consultation_id},
    )
    return result.one_or_none()


async def insert_codes(
    session: AsyncSession, *, consultation_id: UUID, hashes: Sequence[bytes]
) -> None:
    await execute(
        session,
        text(
            "INSERT INTO participation_codes (consultation_id, code_hash) "
            "SELECT :cid, h FROM unnest(CAST(:hashes AS bytea[])) h"
        ),
        {"cid": consultation_id, "hashes": list(hashes)},
    )


# Conditional UPDATE with SKIP LOCKED: with several replicas each due consultation is closed
# by exactly one of them, and its consultation.closed event recorded once.
CLOSE_DUE = text(
    """
    UPDATE consultations SET status = 'closed', closed_at = closes_at
    WHERE id IN (
        SELECT id FROM consultations
        WHERE status = 'open' AND closes_at <= now()
        ORDER BY closes_at LIMIT :limit
        FOR UPDATE SKIP LOCKED
    ) AND status = 'open'
    RETURNING id, institution_id, closed_at
    """
)
