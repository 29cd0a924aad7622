"""SQL of responses: the one-statement submission (the ingest hot path) and its guards.

``submit`` runs on a plain asyncpg connection as one autocommit statement; everything else
runs in the caller's session and never commits.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights_consultation.repository.core import execute


async def count_responses(session: AsyncSession, *, consultation_id: UUID) -> int:
    result = await execute(
        session,
        text("SELECT count(*) FROM responses WHERE consultation_id = :cid"),
        {"cid": consultation_id},
    )
    return int(result.scalar_one())


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
