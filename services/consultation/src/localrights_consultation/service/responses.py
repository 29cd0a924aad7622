"""A resident's submission: the hot path, a handful of statements in one transaction."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights_consultation.domain import codes as code_rules
from localrights_consultation.domain.lifecycle import Status, window_error
from localrights_consultation.domain.questions import QuestionType, answer_errors
from localrights_consultation.exceptions import (
    CodeInvalid,
    CodeRequired,
    CodeUsed,
    ConsultationNotFound,
    IdempotencyKeyReused,
    InvalidResponse,
    NotTakingResponses,
    TooManyResponses,
)
from localrights_consultation.ingest import IngestPool
from localrights_consultation.repository import consultations as stored_consultations
from localrights_consultation.repository import responses as repository
from localrights_consultation.schemas import ResponseCreate, ResponseRead
from localrights_consultation.service.consultations import get_consultation_or_raise, questions_of


@dataclass(frozen=True)
class Definition:
    """What a submission is checked against; never changes once the consultation exists."""

    id: UUID
    participation_mode: str
    languages: frozenset[str]
    questions: tuple[QuestionType, ...]


class DefinitionCache:
    """Definitions by consultation id, so a submission need not load and parse one each time.

    Only definitions of consultations past their draft are kept: a draft's can still be
    edited (and takes no response anyway), later ones are fixed. The status and the window,
    which do change, are checked by the INSERT itself.
    """

    def __init__(self, size: int = 2048) -> None:
        self._size = size
        self._items: OrderedDict[UUID, Definition] = OrderedDict()

    async def get(
        self, sessions: async_sessionmaker[AsyncSession], consultation_id: UUID
    ) -> Definition:
        """The definition, from the cache or loaded in a session of its own (or 404)."""
        found = self._items.get(consultation_id)
        if found is not None:
            self._items.move_to_end(consultation_id)
            return found
        async with sessions() as session:
            consultation = await get_consultation_or_raise(session=session, id=consultation_id)
        definition = Definition(
            id=consultation.id,
            participation_mode=consultation.participation_mode,
            languages=frozenset(consultation.title),
            questions=tuple(questions_of(consultation)),
        )
        if consultation.status == Status.DRAFT:
            return definition
        self._items[consultation_id] = definition
        if len(self._items) > self._size:
            self._items.popitem(last=False)
        return definition


def body_hash(data: ResponseCreate) -> bytes:
    """A digest of the submission as sent (key order does not matter)."""
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).digest()


async def _refusal(session: AsyncSession, consultation_id: UUID) -> NotTakingResponses | None:
    row = await stored_consultations.consultation_window(session, consultation_id=consultation_id)
    if row is None:
        raise ConsultationNotFound()
    message = window_error(
        status=row.status, opens_at=row.opens_at, closes_at=row.closes_at, now=datetime.now(UTC)
    )
    return NotTakingResponses(message) if message else None


async def submit_response(
    *,
    sessions: async_sessionmaker[AsyncSession],
    ingest: IngestPool,
    definitions: DefinitionCache,
    consultation_id: UUID,
    data: ResponseCreate,
    idempotency_key: str | None,
    client_key: str | None,
    per_client_limit: int,
    per_client_window: int,
) -> tuple[ResponseRead, bool]:
    """Store one response if every rule holds; (the response, whether it is a replay).

    The one use case outside the unit of work (README, "How the pieces fit"): everything that
    can refuse a valid body (key reused, window, code, device cap) is checked by one
    autocommit statement on an ingest connection, so the response is committed when it
    returns, and no event is emitted per response. An ORM session is opened only to load a
    definition not yet cached, or to explain a refusal (only a refusal costs more queries,
    to say which rule refused it). A retried submission with its Idempotency-Key gets its
    first result back even if its code is now used or the consultation has closed since.
    """
    definition = await definitions.get(sessions, consultation_id)
    problems = answer_errors(definition.questions, data.answers)
    if data.language is not None and data.language not in definition.languages:
        problems.append(("language", f"language: {data.language!r} is not offered here"))
    if problems:
        raise InvalidResponse(problems)
    response_id = uuid4()
    digest = body_hash(data) if idempotency_key is not None else None
    code_hash = None
    if definition.participation_mode == "code":
        if not data.code:
            raise CodeRequired()
        code_hash = code_rules.code_hash(consultation_id, data.code)
    async with ingest.connection() as connection:
        outcome = await repository.submit(
            connection,
            response_id=response_id,
            consultation_id=consultation_id,
            answers_json=json.dumps(
                {q: v for q, v in data.answers.items() if v is not None}, separators=(",", ":")
            ),
            language=data.language,
            key=idempotency_key,
            body_hash=digest,
            code_hash=code_hash,
            # Code mode needs no device cap: each code answers once.
            client_key=client_key if code_hash is None else None,
            cap=per_client_limit,
            window_seconds=per_client_window,
        )
    if outcome.created_at is not None:
        read = ResponseRead(
            id=response_id, consultation_id=consultation_id, submitted_at=outcome.created_at
        )
        return read, False
    # Refused, every guard undone with the statement: say why, in the order a retry
    # should see it.
    async with sessions() as session:
        return await _explain_refusal(
            session,
            outcome,
            consultation_id=consultation_id,
            idempotency_key=idempotency_key,
            digest=digest,
            code_hash=code_hash,
            per_client_limit=per_client_limit,
            per_client_window=per_client_window,
        )


async def _explain_refusal(
    session: AsyncSession,
    outcome: repository.Submission,
    *,
    consultation_id: UUID,
    idempotency_key: str | None,
    digest: bytes | None,
    code_hash: bytes | None,
    per_client_limit: int,
    per_client_window: int,
) -> tuple[ResponseRead, bool]:
    """The earlier result of a replayed key, or the error naming the rule that refused."""
    if idempotency_key is not None and not outcome.key_claimed:
        earlier = await repository.recorded_submission(
            session, consultation_id=consultation_id, key=idempotency_key
        )
        if bytes(earlier.body_hash) != digest:
            raise IdempotencyKeyReused()
        read = ResponseRead(
            id=earlier.response_id, consultation_id=consultation_id, submitted_at=earlier.created_at
        )
        return read, True
    refusal = await _refusal(session, consultation_id)
    if refusal is not None:
        raise refusal
    if code_hash is not None and not outcome.code_ok:
        exists = await stored_consultations.code_exists(
            session, consultation_id=consultation_id, code_hash=code_hash
        )
        raise CodeUsed() if exists else CodeInvalid()
    if not outcome.within_quota:
        raise TooManyResponses(per_client_limit, per_client_window)
    raise NotTakingResponses("this consultation is not taking responses")
