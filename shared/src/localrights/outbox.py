"""Transactional outbox: events are rows written in the state change's own transaction.

``record_event`` adds the row and a ``pg_notify`` that PostgreSQL delivers only on commit,
so a rolled-back change publishes nothing. The ``OutboxRelay`` wakes on that notification
(or every ``poll_interval`` as a safety net), locks a batch with ``FOR UPDATE SKIP LOCKED``
so several replicas share the work without sending a row twice, sends the batch, waits for
the broker's acks and deletes the rows in the same transaction, which commits while the
next batch is selected and sent. If the process dies between send and delete the rows are
sent again: delivery is at least once, and consumers are idempotent by event id.

Ordering: one relay sends a key's events in commit order (a batch goes out only once the
one before it is acknowledged); only a duplicate can come later. With several replicas a
later batch may overtake an earlier one that is still in flight; consumers that care
compare the aggregate's revision rather than trusting arrival order.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import Any

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from sqlalchemy import BigInteger, Column, DateTime, Identity, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.db import pooled_connection, run_sql
from localrights.events import Envelope, EventPayload, get_event_type, new_event
from localrights.observability import current_request_id

NOTIFY_CHANNEL = "localrights_outbox"
CLOUDEVENTS_CONTENT_TYPE = b"application/cloudevents+json; charset=utf-8"

log = structlog.get_logger(__name__)


class OutboxMessage(SQLModel, table=True):
    """An event committed with its state change and not yet acknowledged by the broker."""

    __tablename__ = "outbox"

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    event_id: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    topic: str = Field(sa_column=Column(Text, nullable=False))
    key: str = Field(sa_column=Column(Text, nullable=False))
    envelope: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    created_at: datetime | None = Field(
        default=None,
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


_INSERT_AND_NOTIFY = text(
    "WITH row AS (INSERT INTO outbox (event_id, topic, key, envelope) "
    "VALUES (:event_id, :topic, :key, CAST(:envelope AS jsonb)) RETURNING 1) "
    f"SELECT pg_notify('{NOTIFY_CHANNEL}', '') FROM row"
)


async def record_event(session: AsyncSession, payload: EventPayload, *, source: str) -> Envelope:
    """Add an event to the outbox inside the caller's transaction; the caller commits."""
    envelope = new_event(payload, source=source, request_id=current_request_id())
    # One round trip: the row and the wake-up call, which PostgreSQL delivers to listeners
    # only when (and if) the transaction commits.
    await run_sql(
        session,
        _INSERT_AND_NOTIFY,
        {
            "event_id": envelope.id,
            "topic": get_event_type(envelope.type).topic,
            "key": envelope.subject or envelope.id,
            "envelope": envelope.model_dump_json(exclude_none=True),
        },
    )
    return envelope


class OutboxRelay:
    """Publishes committed outbox rows to Kafka, in batches, forever, without dying."""

    def __init__(
        self,
        *,
        dsn: str,
        producer: AIOKafkaProducer,
        topic_prefix: str = "",
        batch_size: int = 500,
        poll_interval: float = 1.0,
    ) -> None:
        self._dsn = dsn
        self._producer = producer
        self._topic_prefix = topic_prefix
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._wakeup = asyncio.Event()
        self._stopping = asyncio.Event()
        self._pool: asyncpg.Pool | None = None
        self._deleting: asyncio.Task[None] | None = None  # the last batch's DELETE and COMMIT
        self.published = 0

    async def run(self) -> None:
        """Relay until ``stop()``; reconnects after database or broker failures."""
        backoff = 0.2
        while not self._stopping.is_set():
            listener: asyncpg.Connection | None = None
            try:
                self._pool = await asyncpg.create_pool(self._dsn, min_size=1, max_size=2)
                listener = await asyncpg.connect(self._dsn)
                await listener.add_listener(NOTIFY_CHANNEL, self._on_notify)
                backoff = 0.2
                await self._relay_until_stopped(listener)
            except Exception as exc:  # the relay must outlive any outage
                if self._stopping.is_set():
                    break
                log.warning("outbox_relay_retrying", error=repr(exc), in_seconds=backoff)
                await self._sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                # The last batch's DELETE, if still committing, before its pool closes.
                with contextlib.suppress(Exception):
                    await self._settle()
                if listener is not None:
                    with contextlib.suppress(Exception):
                        await listener.close()
                if self._pool is not None:
                    with contextlib.suppress(Exception):
                        await self._pool.close()
                    self._pool = None

    def stop(self) -> None:
        self._stopping.set()
        self._wakeup.set()

    def _on_notify(self, *_args: object) -> None:
        self._wakeup.set()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    async def _relay_until_stopped(self, listener: asyncpg.Connection) -> None:
        while not self._stopping.is_set():
            self._wakeup.clear()
            sent = await self.publish_batch()
            if sent == self._batch_size:
                continue  # more waiting: do not sleep
            if listener.is_closed():
                raise ConnectionError("LISTEN connection closed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll_interval):
                    await self._wakeup.wait()

    async def publish_batch(self) -> int:
        """Send one batch of unsent rows; return once the broker has acknowledged them all.

        The batch's DELETE and COMMIT follow in a task of their own while the relay selects
        and sends the next batch, so they add nothing to the next events' wait. Until that
        commit the rows stay locked (FOR UPDATE), so no batch of this relay or another takes
        them again; at most one batch is left committing. If its DELETE fails, the rows are
        sent again later, possibly after newer events of the same key: a duplicate, which
        consumers drop by event id.
        """
        assert self._pool is not None
        batch = contextlib.AsyncExitStack()  # the connection and transaction, until COMMIT
        conn = await batch.enter_async_context(pooled_connection(self._pool))
        try:
            await batch.enter_async_context(conn.transaction())
            rows = await conn.fetch(
                "SELECT id, topic, key, envelope::text AS envelope FROM outbox "
                "ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
                self._batch_size,
            )
            deliveries = [
                await self._producer.send(
                    self._topic_prefix + row["topic"],
                    value=row["envelope"].encode(),
                    key=row["key"].encode(),
                    headers=[("content-type", CLOUDEVENTS_CONTENT_TYPE)],
                )
                for row in rows
            ]
            await asyncio.gather(*deliveries)
        except BaseException as exc:
            await batch.__aexit__(type(exc), exc, exc.__traceback__)  # ROLLBACK, release
            raise
        if not rows:
            await batch.aclose()
            return 0
        previous = self._deleting
        self._deleting = asyncio.create_task(self._delete(batch, conn, [r["id"] for r in rows]))
        if previous is not None:
            await previous
        return len(rows)

    async def _delete(
        self, batch: contextlib.AsyncExitStack, conn: asyncpg.Connection, ids: list[int]
    ) -> None:
        """Delete a sent batch's rows and commit, which ends its transaction."""
        async with batch:
            await conn.execute("DELETE FROM outbox WHERE id = ANY($1::bigint[])", ids)
        self.published += len(ids)

    async def _settle(self) -> None:
        """Wait for the last batch's DELETE and COMMIT; raise if they failed."""
        deleting, self._deleting = self._deleting, None
        if deleting is not None:
            await deleting
