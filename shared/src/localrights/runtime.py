"""What one service process runs besides HTTP: engine, producer, outbox relay, consumers.

Every service builds the same ``ServiceRuntime`` in its lifespan, so start-up and graceful
shutdown read the same everywhere: stop taking events, let in-flight handlers finish, flush
the relay, close the producer, dispose of the engine.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

import structlog
from aiokafka import AIOKafkaProducer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.consumer import EventConsumer, Handler
from localrights.db import asyncpg_dsn, create_engine, session_factory, verify_database_tls
from localrights.events import get_event_type
from localrights.kafka import (
    KafkaConnection,
    create_producer,
    ensure_topics,
    kafka_connection,
    missing_topics,
    platform_topics,
    topic_configs,
    verify_kafka_access,
)
from localrights.outbox import OutboxRelay
from localrights.settings import ServiceSettings
from localrights.uow import UnitOfWork, event_source

log = structlog.get_logger(__name__)

BackgroundTask = Callable[["ServiceRuntime"], Awaitable[None]]


@dataclass(frozen=True)
class ConsumerSpec:
    """One consumer group of a service: its handlers by event type, and so the topics it reads."""

    name: str
    handlers: Mapping[str, Handler]
    max_attempts: int = 3

    @property
    def topics(self) -> list[str]:
        """The topics carrying the handled event types, as the registry places them."""
        return list(dict.fromkeys(get_event_type(name).topic for name in self.handlers))


@dataclass
class ServiceRuntime:
    settings: ServiceSettings
    consumers: Sequence[ConsumerSpec] = ()
    background: Sequence[BackgroundTask] = ()
    kafka: KafkaConnection = field(init=False)
    engine: AsyncEngine = field(init=False)
    sessions: async_sessionmaker[AsyncSession] = field(init=False)
    producer: AIOKafkaProducer = field(init=False)
    relay: OutboxRelay = field(init=False)
    event_consumers: list[EventConsumer] = field(init=False, default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(init=False, default_factory=list)
    stopping: asyncio.Event = field(init=False, default_factory=asyncio.Event)

    @property
    def topic_prefix(self) -> str:
        return self.settings.kafka_topic_prefix

    def unit_of_work(self, session: AsyncSession) -> UnitOfWork:
        """A unit of work on ``session`` with this service's event source, for what runs
        outside a request (background loops, event handlers)."""
        return UnitOfWork(session, source=event_source(self.settings.service_name))

    async def __aenter__(self) -> Self:
        s = self.settings
        # Certificates and credentials that the servers refuse stop the start here, named;
        # servers that are merely away are waited for.
        self.kafka = kafka_connection(s)
        if s.kafka_security_protocol != "PLAINTEXT":
            await verify_kafka_access(self.kafka)
        await verify_database_tls(s)
        self.engine = create_engine(s.database_url)
        self.sessions = session_factory(self.engine)
        self.producer = create_producer(
            self.kafka, enable_idempotence=s.kafka_enable_idempotence, client_id=s.service_name
        )
        await self._start_producer()
        await self._ensure_topics()
        self.relay = OutboxRelay(
            dsn=asyncpg_dsn(s.database_url), producer=self.producer, topic_prefix=self.topic_prefix
        )
        self._spawn(self.relay.run(), "outbox-relay")
        for spec in self.consumers:
            consumer = EventConsumer(
                name=spec.name,
                kafka=self.kafka,
                topics=spec.topics,
                handlers=spec.handlers,
                sessions=self.sessions,
                dlq_producer=self.producer,
                topic_prefix=self.topic_prefix,
                max_attempts=spec.max_attempts,
                session_timeout_ms=self.settings.kafka_session_timeout_ms,
            )
            self.event_consumers.append(consumer)
            self._spawn(consumer.run(), f"consumer-{spec.name}")
        for task in self.background:
            self._spawn(task(self), getattr(task, "__name__", "background"))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stopping.set()
        for consumer in self.event_consumers:
            consumer.stop()
        self.relay.stop()
        _done, pending = await asyncio.wait(self._tasks, timeout=10) if self._tasks else ((), ())
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(BaseException):
                await task
        with contextlib.suppress(Exception):
            await self.producer.stop()
        await self.engine.dispose()

    def _spawn(self, coro: Awaitable[None], name: str) -> None:
        async def guarded() -> None:
            try:
                await coro
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background_task_crashed", task=name)

        self._tasks.append(asyncio.create_task(guarded(), name=name))

    async def _start_producer(self) -> None:
        for attempt in range(30):
            try:
                await self.producer.start()
                return
            except Exception as exc:
                log.warning("broker_unreachable", attempt=attempt, error=repr(exc))
                await asyncio.sleep(1.0)
        await self.producer.start()

    async def _ensure_topics(self) -> None:
        s = self.settings
        topics = platform_topics(self.topic_prefix)
        if s.kafka_auto_create_topics:
            await ensure_topics(
                self.kafka,
                topics,
                partitions=s.kafka_topic_partitions,
                replication_factor=s.kafka_topic_replication_factor,
                configs=topic_configs(s),
            )
            return
        # The operator makes them (python -m localrights.topics ensure). Until then the relay
        # retries its sends and the consumers wait for their partitions: say why.
        missing = await missing_topics(self.kafka, topics)
        if missing:
            log.error(
                "topics_missing",
                topics=missing,
                hint="KAFKA_AUTO_CREATE_TOPICS=false: run python -m localrights.topics ensure",
            )

    async def check_database(self) -> None:
        async with self.engine.connect() as conn:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=2)

    async def check_broker(self) -> None:
        await asyncio.wait_for(self.producer.client.fetch_all_metadata(), timeout=2)
