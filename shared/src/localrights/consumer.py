"""The consumer loop every service uses to react to other services' events.

For each message: parse the envelope and its payload (a message that does not parse goes
straight to ``<topic>.dlq``); skip types this consumer has no handler for; then, in one
transaction, claim the event id in ``processed_events`` and run the handler. A duplicate
finds its id already claimed and does nothing. A handler that keeps failing is retried
``max_attempts`` times with backoff, then dead-lettered with its error, and the loop goes
on with the next message; a database that cannot be reached is waited for instead (it is
no fault of the event's). Offsets are committed only after the messages before them are
committed to the database or dead-lettered, so a crash means redelivery, never loss.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from prometheus_client import Counter
from sqlalchemy import Column, DateTime, Text, func, literal_column
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.db import database_unavailable
from localrights.events import Envelope, EventPayload, dlq_topic, parse_payload
from localrights.kafka import KafkaConnection, create_consumer
from localrights.observability import set_request_id

log = structlog.get_logger(__name__)

# How long a consumer stopped while still joining its group may take to close.
JOINING_CLOSE_GRACE_SECONDS = 0.1

EVENTS_CONSUMED = Counter(
    "localrights_events_consumed_total", "Events consumed", ["consumer", "type", "outcome"]
)

Handler = Callable[[AsyncSession, Envelope, Any], Awaitable[None]]
"""``async def handler(session, envelope, payload)``: writes in ``session``; never commits."""


class ProcessedEvent(SQLModel, table=True):
    """Event ids a consumer has applied: the idempotency record."""

    __tablename__ = "processed_events"

    consumer: str = Field(sa_column=Column(Text, primary_key=True))
    event_id: str = Field(sa_column=Column(Text, primary_key=True))
    processed_at: datetime | None = Field(
        default=None,
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


async def _close_while_joining(consumer: AIOKafkaConsumer) -> None:
    """Close a consumer whose start was cut short, without waiting for its join.

    aiokafka's stop() first lets the join under way finish, and the broker holds a join for
    its rebalance delay (about 5 s on the embedded broker): a process stopped right after it
    started would wait that long for a group it never joined, so has nothing to leave or
    commit. Cutting stop() short skips the fetcher's and the client's close, so close those
    too (aiokafka has no public call for them).
    """
    stopping = asyncio.ensure_future(consumer.stop())
    await asyncio.wait({stopping}, timeout=JOINING_CLOSE_GRACE_SECONDS)
    if stopping.done():
        with contextlib.suppress(Exception):
            stopping.result()
        return
    stopping.cancel()
    await asyncio.wait({stopping})
    # What stop() does after the coordinator: the fetcher's task, then the connections.
    if consumer._fetcher is not None:
        with contextlib.suppress(Exception):
            await consumer._fetcher.close()
    with contextlib.suppress(Exception):
        await consumer._client.close()


class EventConsumer:
    """An aiokafka consumer-group member applying events through handlers, idempotently."""

    def __init__(
        self,
        *,
        name: str,
        kafka: KafkaConnection,
        topics: Sequence[str],
        handlers: Mapping[str, Handler],
        sessions: async_sessionmaker[AsyncSession],
        dlq_producer: AIOKafkaProducer,
        topic_prefix: str = "",
        max_attempts: int = 3,
        retry_backoff: float = 0.2,
        max_batch: int = 200,
        session_timeout_ms: int = 10_000,
    ) -> None:
        self.name = name
        self._kafka = kafka
        self._session_timeout_ms = session_timeout_ms
        self._topics = [topic_prefix + t for t in topics]
        # Namespaced like the topics: deployments (or tests) sharing a broker must not share
        # a group, or every start of one rebalances the others' consumers.
        self.group_id = topic_prefix + name
        self._handlers = dict(handlers)
        self._sessions = sessions
        self._dlq = dlq_producer
        self._max_attempts = max_attempts
        self._retry_backoff = retry_backoff
        self._max_batch = max_batch
        self._consumer: AIOKafkaConsumer | None = None
        self._stopping = asyncio.Event()
        self.applied = 0
        self.dead_lettered = 0

    async def run(self) -> None:
        """Consume until ``stop()``; survives broker and database outages."""
        while not self._stopping.is_set():
            try:
                self._consumer = create_consumer(
                    self._kafka,
                    *self._topics,
                    group_id=self.group_id,
                    client_id=self.name,
                    enable_auto_commit=False,
                    auto_offset_reset="earliest",
                    # Kafka's default 500 ms wait adds that much latency on a quiet topic.
                    fetch_max_wait_ms=100,
                    session_timeout_ms=self._session_timeout_ms,
                    heartbeat_interval_ms=max(100, self._session_timeout_ms // 3),
                )
                if not await self._started(self._consumer):
                    await _close_while_joining(self._consumer)
                    self._consumer = None
                    break
                await self._consume(self._consumer)
            except Exception as exc:  # the loop must outlive any outage
                if self._stopping.is_set():
                    break
                log.warning("consumer_restarting", consumer=self.name, error=repr(exc))
                await asyncio.sleep(1.0)
            finally:
                if self._consumer is not None:
                    with contextlib.suppress(Exception):
                        await self._consumer.stop()
                    self._consumer = None

    def stop(self) -> None:
        self._stopping.set()

    async def _started(self, consumer: AIOKafkaConsumer) -> bool:
        """Start the consumer unless stop() comes first; whether it started.

        start() returns only once the group is joined, which takes seconds (the broker's
        rebalance delay); a process stopping meanwhile must not wait for that.
        """
        starting = asyncio.ensure_future(consumer.start())
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if not starting.done():
                starting.cancel()
                # wait() neither raises the start's cancellation nor swallows our own.
                await asyncio.wait({starting})
        if starting.cancelled():
            return False
        starting.result()  # a failed start raises here, into run()'s retry loop
        return True

    async def _consume(self, consumer: AIOKafkaConsumer) -> None:
        while not self._stopping.is_set():
            batches = await consumer.getmany(timeout_ms=500, max_records=self._max_batch)
            for partition, records in batches.items():
                for record in records:
                    await self.process(record)
                await consumer.commit({partition: records[-1].offset + 1})

    async def process(self, record: ConsumerRecord[bytes, bytes]) -> None:
        """Apply one message, or dead-letter it; returns when it is durably one or the other."""
        try:
            envelope = Envelope.model_validate_json(record.value or b"")
        except Exception as exc:
            await self._dead_letter(record, f"unreadable envelope: {exc}", attempts=0)
            return
        handler = self._handlers.get(envelope.type)
        if handler is None:
            EVENTS_CONSUMED.labels(self.name, envelope.type, "ignored").inc()
            return
        set_request_id(envelope.requestid)
        try:
            payload = parse_payload(envelope)
        except Exception as exc:
            await self._dead_letter(record, f"invalid {envelope.type} payload: {exc}", attempts=0)
            return
        last_error = ""
        attempt = 0
        outage_backoff = self._retry_backoff
        while attempt < self._max_attempts:
            try:
                await self.apply(envelope, payload, handler)
                return
            except Exception as exc:
                if database_unavailable(exc):
                    # Not this event's fault: every event would fail alike. Wait for the
                    # database rather than dead-letter good events; on shutdown, leave the
                    # offset uncommitted so the event is redelivered.
                    if self._stopping.is_set():
                        raise
                    log.warning(
                        "event_handler_waiting_for_database",
                        consumer=self.name,
                        event_id=envelope.id,
                        error=repr(exc),
                    )
                    await asyncio.sleep(outage_backoff)
                    outage_backoff = min(outage_backoff * 2, 5.0)
                    continue
                attempt += 1
                last_error = f"{type(exc).__name__}: {exc}"
                log.warning(
                    "event_handler_failed",
                    consumer=self.name,
                    type=envelope.type,
                    event_id=envelope.id,
                    attempt=attempt,
                    error=last_error,
                )
                if attempt < self._max_attempts:
                    delay = self._retry_backoff * 2 ** (attempt - 1)
                    await asyncio.sleep(delay * (0.5 + random.random()))
        await self._dead_letter(record, last_error, attempts=self._max_attempts)

    async def apply(self, envelope: Envelope, payload: EventPayload, handler: Handler) -> bool:
        """Run the handler once per event id, in one transaction; False for a duplicate."""
        async with self._sessions() as session:
            claimed = await session.exec(
                insert(ProcessedEvent)
                .values(consumer=self.name, event_id=envelope.id)
                .on_conflict_do_nothing()
                .returning(literal_column("event_id"))
            )
            if claimed.first() is None:
                EVENTS_CONSUMED.labels(self.name, envelope.type, "duplicate").inc()
                return False
            await handler(session, envelope, payload)
            await session.commit()
        self.applied += 1
        EVENTS_CONSUMED.labels(self.name, envelope.type, "applied").inc()
        return True

    async def _dead_letter(
        self, record: ConsumerRecord[bytes, bytes], error: str, *, attempts: int
    ) -> None:
        headers = list(record.headers or ()) + [
            ("dlq-error", error[:2000].encode()),
            ("dlq-consumer", self.name.encode()),
            ("dlq-topic", record.topic.encode()),
            ("dlq-partition", str(record.partition).encode()),
            ("dlq-offset", str(record.offset).encode()),
            ("dlq-attempts", str(attempts).encode()),
        ]
        backoff = 0.5
        while True:  # a dead letter must not be lost either: retry until the broker has it
            try:
                await self._dlq.send_and_wait(
                    dlq_topic(record.topic), value=record.value, key=record.key, headers=headers
                )
                break
            except Exception as exc:
                log.error("dead_letter_failed", consumer=self.name, error=repr(exc))
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
        self.dead_lettered += 1
        log.warning(
            "event_dead_lettered",
            consumer=self.name,
            topic=record.topic,
            offset=record.offset,
            error=error,
        )
        EVENTS_CONSUMED.labels(self.name, "?", "dead_lettered").inc()
