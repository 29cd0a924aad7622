"""SQL of the consultation service that the ORM would write worse: tallies and the ingest path.

Helpers here run statements in the caller's session and never commit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import CursorResult, Executable, text
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights_consultation.domain.results import Tally


async def execute(
    session: AsyncSession, statement: Executable, params: dict[str, Any] | None = None
) -> CursorResult[Any]:
    """Run a Core statement in the session's transaction (rows, not ORM objects)."""
    connection = await session.connection()
    return await connection.execute(statement, params or {})


# One scan over a consultation's responses counts everything the results need. Each answer
# becomes tally rows by its JSON shape (the definition guarantees the shape per type):
#   every answer        -> (question, NULL, 0): how many answered
#   string (choice)     -> (question, option, 1); free-text answers are only counted
#   array (multi/rank)  -> (question, option, position): picks, and Borda from positions
#   number (rating)     -> (question, value, value)
#   object (budget)     -> (question, project, amount)
# plus one ('', NULL) row per response, so each group's respondent count comes along.
TALLIES = text(
    """
    SELECT r.answers ->> CAST(:by AS text) AS grp, a.key AS qid, f.item AS item,
           count(*) AS n, coalesce(sum(f.num), 0)::float8 AS total
    FROM responses r
    CROSS JOIN LATERAL (
        SELECT e.key, e.value FROM jsonb_each(r.answers) e
        UNION ALL SELECT '', 'null'::jsonb
    ) a
    CROSS JOIN LATERAL (
        SELECT NULL::text AS item, 0::numeric AS num
        UNION ALL
        SELECT a.value #>> '{}', 1
        WHERE jsonb_typeof(a.value) = 'string' AND a.key <> ALL(CAST(:free AS text[]))
        UNION ALL
        SELECT x.item, x.ord
        FROM jsonb_array_elements_text(
            CASE WHEN jsonb_typeof(a.value) = 'array' THEN a.value ELSE '[]'::jsonb END
        ) WITH ORDINALITY x(item, ord)
        UNION ALL
        SELECT a.value #>> '{}', CAST(a.value AS numeric)
        WHERE jsonb_typeof(a.value) = 'number'
        UNION ALL
        SELECT b.key, CAST(b.value AS numeric)
        FROM jsonb_each(
            CASE WHEN jsonb_typeof(a.value) = 'object' THEN a.value ELSE '{}'::jsonb END
        ) b
    ) f
    WHERE r.consultation_id = :cid
    GROUP BY 1, 2, 3
    """
)


async def fetch_tallies(
    session: AsyncSession, *, consultation_id: UUID, by: str | None, free_text: Sequence[str]
) -> list[Tally]:
    """The tallies of a consultation's responses, grouped by the answer to ``by`` if given."""
    rows = await execute(
        session, TALLIES, {"cid": consultation_id, "by": by, "free": list(free_text)}
    )
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


# The window and status are checked in the INSERT itself, so a response can never slip in
# after a close that committed first, whatever this process believed a moment ago.
INSERT_RESPONSE = text(
    """
    INSERT INTO responses (id, consultation_id, answers, language, client_key)
    SELECT :id, c.id, CAST(:answers AS jsonb), :language, :client_key
    FROM consultations c
    WHERE c.id = :cid AND c.status = 'open' AND c.opens_at <= now() AND now() < c.closes_at
    RETURNING created_at
    """
)


async def insert_response(
    session: AsyncSession,
    *,
    response_id: UUID,
    consultation_id: UUID,
    answers_json: str,
    language: str | None,
    client_key: str | None,
) -> datetime | None:
    """Insert a response if the consultation takes it now; its time, or None if refused."""
    result = await execute(
        session,
        INSERT_RESPONSE,
        {
            "id": response_id,
            "cid": consultation_id,
            "answers": answers_json,
            "language": language,
            "client_key": client_key,
        },
    )
    created: datetime | None = result.scalar_one_or_none()
    return created


async def claim_idempotency_key(
    session: AsyncSession, *, consultation_id: UUID, key: str, body_hash: bytes, response_id: UUID
) -> bool:
    """Record the key for this submission; False if it was already recorded (committed)."""
    result = await execute(
        session,
        text(
            "INSERT INTO idempotency_keys (consultation_id, key, body_hash, response_id) "
            "VALUES (:cid, :key, :hash, :rid) ON CONFLICT DO NOTHING RETURNING 1"
        ),
        {"cid": consultation_id, "key": key, "hash": body_hash, "rid": response_id},
    )
    return result.first() is not None


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


async def use_code(session: AsyncSession, *, consultation_id: UUID, code_hash: bytes) -> str:
    """Mark a code used: 'ok', 'used' (already used) or 'unknown'."""
    result = await execute(
        session,
        text(
            "UPDATE participation_codes SET used_at = now() "
            "WHERE consultation_id = :cid AND code_hash = :h AND used_at IS NULL RETURNING 1"
        ),
        {"cid": consultation_id, "h": code_hash},
    )
    if result.first() is not None:
        return "ok"
    exists = await execute(
        session,
        text("SELECT 1 FROM participation_codes WHERE consultation_id = :cid AND code_hash = :h"),
        {"cid": consultation_id, "h": code_hash},
    )
    return "used" if exists.first() is not None else "unknown"


async def recent_responses_of_client(
    session: AsyncSession, *, consultation_id: UUID, client_key: str, window_seconds: int
) -> int:
    """How many responses this client sent to this consultation within the window.

    Takes a transaction-scoped lock on (consultation, client) first, so two submissions of
    one client cannot both slip under the cap; other clients are not held up.
    """
    await execute(
        session,
        text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
        {"k": f"{consultation_id}:{client_key}"},
    )
    result = await execute(
        session,
        text(
            "SELECT count(*) FROM responses WHERE consultation_id = :cid AND client_key = :ck "
            "AND created_at > now() - make_interval(secs => :w)"
        ),
        {"cid": consultation_id, "ck": client_key, "w": window_seconds},
    )
    return int(result.scalar_one())


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
