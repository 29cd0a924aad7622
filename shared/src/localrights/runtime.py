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
from localrights.db import asyncpg_dsn, create_engine, session_factory
from localrights.kafka import create_producer, ensure_topics, platform_topics
from localrights.outbox import OutboxRelay
from localrights.settings import ServiceSettings

log = structlog.get_logger(__name__)

BackgroundTask = Callable[["ServiceRuntime"], Awaitable[None]]


@dataclass(frozen=True)
class ConsumerSpec:
    """One consumer group of a service: the topics it reads and its handlers by event type."""

    name: str
    topics: Sequence[str]
    handlers: Mapping[str, Handler]
    max_attempts: int = 3


@dataclass
class ServiceRuntime:
    settings: ServiceSettings
    consumers: Sequence[ConsumerSpec] = ()
    background: Sequence[BackgroundTask] = ()
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

    async def __aenter__(self) -> Self:
        s = self.settings
        self.engine = create_engine(s.database_url)
        self.sessions = session_factory(self.engine)
        self.producer = create_producer(
            s.kafka_bootstrap_servers,
            enable_idempotence=s.kafka_enable_idempotence,
            client_id=s.service_name,
        )
        await self._start_producer()
        await ensure_topics(s.kafka_bootstrap_servers, platform_topics(self.topic_prefix))
        self.relay = OutboxRelay(
            dsn=asyncpg_dsn(s.database_url), producer=self.producer, topic_prefix=self.topic_prefix
        )
        self._spawn(self.relay.run(), "outbox-relay")
        for spec in self.consumers:
            consumer = EventConsumer(
                name=spec.name,
                bootstrap_servers=s.kafka_bootstrap_servers,
                topics=spec.topics,
                handlers=spec.handlers,
                sessions=self.sessions,
                dlq_producer=self.producer,
                topic_prefix=self.topic_prefix,
                max_attempts=spec.max_attempts,
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

    async def check_database(self) -> None:
        async with self.engine.connect() as conn:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=2)

    async def check_broker(self) -> None:
        await asyncio.wait_for(self.producer.client.fetch_all_metadata(), timeout=2)
