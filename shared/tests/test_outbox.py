"""The transactional outbox against the real PostgreSQL and broker."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import uuid4

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.db import asyncpg_dsn
from localrights.events import CONSULTATION_EVENTS
from localrights.events.catalog.consultation import ConsultationClosed
from localrights.kafka import KafkaConnection, ensure_topics
from localrights.outbox import OutboxMessage, OutboxRelay, record_event
from localrights.testing.helpers import eventually, read_topic


def closed(n: int = 1) -> ConsultationClosed:
    return ConsultationClosed(
        consultation_id=uuid4(),
        institution_id=uuid4(),
        closed_at=datetime.now(UTC),
        response_count=n,
    )


@contextlib.asynccontextmanager
async def running_relay(
    database_url: str, bootstrap: str, prefix: str, *, batch_size: int = 500
) -> AsyncIterator[OutboxRelay]:
    await ensure_topics(KafkaConnection(bootstrap), [prefix + CONSULTATION_EVENTS])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    relay = OutboxRelay(
        dsn=asyncpg_dsn(database_url),
        producer=producer,
        topic_prefix=prefix,
        batch_size=batch_size,
        poll_interval=0.2,
    )
    task = asyncio.create_task(relay.run())
    try:
        yield relay
    finally:
        relay.stop()
        await task
        await producer.stop()


class TestRecordEvent:
    async def test_committed_event_reaches_the_topic_as_a_cloudevent(
        self,
        sessions: async_sessionmaker[AsyncSession],
        database_url: str,
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        async with sessions() as session:
            envelope = await record_event(session, closed(7), source="/test")
            await session.commit()
        async with running_relay(database_url, kafka_bootstrap_servers, topic_prefix):
            events = await read_topic(
                kafka_bootstrap_servers,
                topic_prefix + CONSULTATION_EVENTS,
                until=lambda evs: any(e.id == envelope.id for e in evs),
            )
        [event] = [e for e in events if e.id == envelope.id]
        assert event.type == "consultation.closed"
        assert event.specversion == "1.0"
        assert event.dataschema == "urn:localrights:event:consultation.closed:v1"
        assert event.data["response_count"] == 7
        assert event.subject == event.data["consultation_id"]

    async def test_rolled_back_change_publishes_nothing(
        self,
        sessions: async_sessionmaker[AsyncSession],
        database_url: str,
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        async with sessions() as session:
            lost = await record_event(session, closed(), source="/test")
            await session.rollback()
        async with sessions() as session:
            sentinel = await record_event(session, closed(), source="/test")
            await session.commit()
        async with running_relay(database_url, kafka_bootstrap_servers, topic_prefix):
            events = await read_topic(
                kafka_bootstrap_servers,
                topic_prefix + CONSULTATION_EVENTS,
                until=lambda evs: any(e.id == sentinel.id for e in evs),
            )
        assert lost.id not in {e.id for e in events}
        async with sessions() as session:
            left = await session.scalar(select(func.count()).select_from(OutboxMessage))
        assert left == 0, "published rows are removed from the outbox"

    async def test_event_committed_by_a_killed_process_is_published_by_the_next_relay(
        self,
        database_url: str,
        kafka_bootstrap_servers: str,
        topic_prefix: str,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        # A separate process commits a state change with its event and is SIGKILLed by
        # itself before any relay could send it: the row must survive and be sent later.
        script = textwrap.dedent(f"""
            import asyncio, os, signal, uuid
            from datetime import datetime, UTC
            from localrights.db import create_engine, session_factory
            from localrights.outbox import record_event
            from localrights.events.catalog.consultation import ConsultationClosed

            async def main():
                sessions = session_factory(create_engine({database_url!r}))
                async with sessions() as session:
                    env = await record_event(session, ConsultationClosed(
                        consultation_id=uuid.uuid4(), institution_id=uuid.uuid4(),
                        closed_at=datetime.now(UTC), response_count=3), source="/test")
                    await session.commit()
                print(env.id, flush=True)
                os.kill(os.getpid(), signal.SIGKILL)

            asyncio.run(main())
        """)
        proc = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == -9, proc.stderr
        event_id = proc.stdout.strip()
        async with sessions() as session:
            pending = await session.scalar(select(func.count()).select_from(OutboxMessage))
        assert pending == 1
        async with running_relay(database_url, kafka_bootstrap_servers, topic_prefix):
            events = await read_topic(
                kafka_bootstrap_servers,
                topic_prefix + CONSULTATION_EVENTS,
                until=lambda evs: any(e.id == event_id for e in evs),
            )
        assert sum(e.id == event_id for e in events) == 1


class TestRelay:
    async def test_two_relays_share_a_backlog_without_sending_a_row_twice(
        self,
        sessions: async_sessionmaker[AsyncSession],
        database_url: str,
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        async with sessions() as session:
            ids = [(await record_event(session, closed(i), source="/test")).id for i in range(400)]
            await session.commit()
        async with (
            running_relay(database_url, kafka_bootstrap_servers, topic_prefix) as first,
            running_relay(database_url, kafka_bootstrap_servers, topic_prefix) as second,
        ):
            events = await read_topic(
                kafka_bootstrap_servers,
                topic_prefix + CONSULTATION_EVENTS,
                until=lambda evs: set(ids) <= {e.id for e in evs},
            )

            def all_rows_accounted_for() -> None:
                assert first.published + second.published == 400

            await eventually(all_rows_accounted_for)
        assert sorted(e.id for e in events) == sorted(ids)

    @pytest.mark.parametrize("batch", [1, 50])
    async def test_per_key_order_is_commit_order(
        self,
        batch: int,
        sessions: async_sessionmaker[AsyncSession],
        database_url: str,
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        consultation_id = uuid4()
        async with sessions() as session:
            for n in range(20):
                await record_event(
                    session,
                    ConsultationClosed(
                        consultation_id=consultation_id,
                        institution_id=uuid4(),
                        closed_at=datetime.now(UTC),
                        response_count=n,
                    ),
                    source="/test",
                )
            await session.commit()
        async with running_relay(
            database_url, kafka_bootstrap_servers, topic_prefix, batch_size=batch
        ):
            events = await read_topic(
                kafka_bootstrap_servers,
                topic_prefix + CONSULTATION_EVENTS,
                until=lambda evs: len(evs) >= 20,
            )
        assert [e.data["response_count"] for e in events] == list(range(20))


# The relay's DELETEs wait while the test holds advisory lock 22, and the first
# ``outbox_failing_deletes.n`` of them fail: to see what the relay does meanwhile.
_HOLD_DELETES = """
CREATE TABLE outbox_failing_deletes (n integer NOT NULL);
CREATE SEQUENCE outbox_deletes;
CREATE FUNCTION outbox_hold_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(22);
    IF nextval('outbox_deletes') <= (SELECT coalesce(sum(n), 0) FROM outbox_failing_deletes)
    THEN
        RAISE EXCEPTION 'this DELETE fails';
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER hold_delete BEFORE DELETE ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_hold_delete();
"""


@contextlib.asynccontextmanager
async def deletes_held(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """Every DELETE from the outbox waits until the block ends (or the lock is let go)."""
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await conn.execute(_HOLD_DELETES)
        await conn.execute("SELECT pg_advisory_lock(22)")
        yield conn
        await conn.execute("SELECT pg_advisory_unlock_all()")
    finally:
        await conn.close()


async def commit_event(sessions: async_sessionmaker[AsyncSession], n: int) -> str:
    async with sessions() as session:
        envelope = await record_event(session, closed(n), source="/test")
        await session.commit()
    return envelope.id


async def outbox_rows(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def two_events_one_after_the_other(
    sessions: async_sessionmaker[AsyncSession], bootstrap: str, topic: str
) -> tuple[str, str, list[str]]:
    """Commit one event, wait until it is on the topic, then the next: both ids, what was read."""
    first = await commit_event(sessions, 1)
    await read_topic(bootstrap, topic, until=lambda evs: first in {e.id for e in evs})
    second = await commit_event(sessions, 2)
    events = await read_topic(bootstrap, topic, until=lambda evs: second in {e.id for e in evs})
    return first, second, [e.id for e in events]


class TestRelayLatency:
    async def test_next_batch_is_sent_while_the_last_one_is_still_being_deleted(
        self,
        sessions: async_sessionmaker[AsyncSession],
        database_url: str,
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        topic = topic_prefix + CONSULTATION_EVENTS
        async with running_relay(database_url, kafka_bootstrap_servers, topic_prefix):
            async with deletes_held(database_url):
                # The first batch's DELETE waits on the lock: the second goes out all the same.
                first, second, ids = await two_events_one_after_the_other(
                    sessions, kafka_bootstrap_servers, topic
                )
                assert sorted(ids) == sorted([first, second]), "each sent once"
                assert await outbox_rows(sessions) == 2
            await eventually(lambda: self._empty(sessions))

    async def test_a_failed_delete_sends_the_rows_again_and_loses_nothing(
        self,
        sessions: async_sessionmaker[AsyncSession],
        database_url: str,
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        topic = topic_prefix + CONSULTATION_EVENTS
        async with running_relay(database_url, kafka_bootstrap_servers, topic_prefix):
            async with deletes_held(database_url) as control:
                await control.execute("INSERT INTO outbox_failing_deletes VALUES (1)")
                first, second, _ = await two_events_one_after_the_other(
                    sessions, kafka_bootstrap_servers, topic
                )
            # The lock is gone: one of the two pending DELETEs fails, its row is sent again.
            events = await read_topic(kafka_bootstrap_servers, topic, until=lambda e: len(e) >= 3)
            await eventually(lambda: self._empty(sessions))
        ids = [e.id for e in events]
        assert len(ids) == 3 and set(ids) == {first, second}

    @staticmethod
    async def _empty(sessions: async_sessionmaker[AsyncSession]) -> None:
        assert await outbox_rows(sessions) == 0
