"""The consumer loop: idempotent application, bounded retries, dead letters, no stalls."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.consumer import EventConsumer, Handler
from localrights.events import CONSULTATION_EVENTS, Envelope, dlq_topic, new_event
from localrights.events.catalog.consultation import ConsultationClosed
from localrights.kafka import KafkaConnection, create_admin, ensure_topics, platform_topics
from localrights.testing.helpers import eventually

from .conftest import effects


async def record_effect(session: AsyncSession, envelope: Envelope, payload: Any) -> None:
    await session.exec(insert(effects).values(event_id=envelope.id))


async def fail_on_negative(session: AsyncSession, envelope: Envelope, payload: Any) -> None:
    if payload.response_count < 0:
        raise ValueError("negative response count")
    await record_effect(session, envelope, payload)


def closed_event(n: int = 1) -> Envelope:
    return new_event(
        ConsultationClosed(
            consultation_id=uuid4(),
            institution_id=uuid4(),
            closed_at=datetime.now(UTC),
            response_count=n,
        ),
        source="/test",
    )


@contextlib.asynccontextmanager
async def consuming(
    bootstrap: str,
    prefix: str,
    sessions: async_sessionmaker[AsyncSession],
    handler: Handler,
) -> AsyncIterator[tuple[EventConsumer, AIOKafkaProducer]]:
    await ensure_topics(KafkaConnection(bootstrap), platform_topics(prefix))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    consumer = EventConsumer(
        name="test",
        kafka=KafkaConnection(bootstrap),
        topics=[CONSULTATION_EVENTS],
        handlers={"consultation.closed": handler},
        sessions=sessions,
        dlq_producer=producer,
        topic_prefix=prefix,
        max_attempts=3,
        retry_backoff=0.01,
    )
    task = asyncio.create_task(consumer.run())
    try:
        yield consumer, producer
    finally:
        consumer.stop()
        await task
        await producer.stop()


async def effect_count(sessions: async_sessionmaker[AsyncSession], event_id: str) -> int:
    async with sessions() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(effects).where(effects.c.event_id == event_id)
            )
            or 0
        )


class TestIdempotentConsumer:
    async def test_a_duplicate_delivery_is_applied_once(
        self,
        sessions: async_sessionmaker[AsyncSession],
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        event, later = closed_event(), closed_event()
        topic = topic_prefix + CONSULTATION_EVENTS
        async with consuming(kafka_bootstrap_servers, topic_prefix, sessions, record_effect) as (
            consumer,
            producer,
        ):
            for envelope in (event, event, event, later):
                await producer.send_and_wait(topic, envelope.to_json_bytes(), key=b"k")

            async def both_seen() -> None:
                assert await effect_count(sessions, later.id) == 1

            await eventually(both_seen)
            assert consumer.applied == 2
        assert await effect_count(sessions, event.id) == 1


class TestConsumerGroups:
    async def test_deployments_sharing_a_broker_have_groups_of_their_own(
        self,
        sessions: async_sessionmaker[AsyncSession],
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        other_prefix = f"o{uuid4().hex[:10]}."
        async with (
            consuming(kafka_bootstrap_servers, topic_prefix, sessions, record_effect) as (
                ours,
                producer,
            ),
            consuming(kafka_bootstrap_servers, other_prefix, sessions, record_effect) as (
                theirs,
                _,
            ),
        ):
            ours_event, theirs_event = closed_event(), closed_event()
            for prefix, event in ((topic_prefix, ours_event), (other_prefix, theirs_event)):
                await producer.send_and_wait(
                    prefix + CONSULTATION_EVENTS, event.to_json_bytes(), key=b"k"
                )

            async def applied() -> None:
                assert await effect_count(sessions, ours_event.id) == 1
                assert await effect_count(sessions, theirs_event.id) == 1

            await eventually(applied)
            admin = create_admin(KafkaConnection(kafka_bootstrap_servers))
            await admin.start()
            try:

                async def both_joined() -> None:
                    listed = {group_id for group_id, _ in await admin.list_consumer_groups()}
                    assert {ours.group_id, theirs.group_id} <= listed

                await eventually(both_joined)
            finally:
                await admin.close()
        assert (ours.group_id, theirs.group_id) == (f"{topic_prefix}test", f"{other_prefix}test")


class TestDeadLetters:
    async def test_poison_messages_go_to_the_dlq_and_the_next_message_is_applied(
        self,
        sessions: async_sessionmaker[AsyncSession],
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        topic = topic_prefix + CONSULTATION_EVENTS
        good, failing = closed_event(1), closed_event(-1)
        async with consuming(kafka_bootstrap_servers, topic_prefix, sessions, fail_on_negative) as (
            consumer,
            producer,
        ):
            await producer.send_and_wait(topic, b"{not json", key=b"a")
            await producer.send_and_wait(topic, failing.to_json_bytes(), key=b"a")
            await producer.send_and_wait(topic, good.to_json_bytes(), key=b"a")

            async def good_applied() -> None:
                assert await effect_count(sessions, good.id) == 1

            await eventually(good_applied)
            assert consumer.dead_lettered == 2

        reader = AIOKafkaConsumer(
            dlq_topic(topic),
            bootstrap_servers=kafka_bootstrap_servers,
            auto_offset_reset="earliest",
            group_id=f"r{uuid4().hex}",
        )
        await reader.start()
        try:
            records = []
            while len(records) < 2:
                batch = await reader.getmany(timeout_ms=2000)
                assert batch, "dead letters did not arrive"
                for rs in batch.values():
                    records.extend(rs)
        finally:
            await reader.stop()
        errors = [dict(r.headers)["dlq-error"].decode() for r in records]
        assert errors[0].startswith("unreadable envelope")
        assert "negative response count" in errors[1]
        assert dict(records[1].headers)["dlq-attempts"] == b"3"
        assert records[1].value == failing.to_json_bytes()
        assert await effect_count(sessions, failing.id) == 0

    async def test_an_event_of_an_unknown_schema_version_is_dead_lettered(
        self,
        sessions: async_sessionmaker[AsyncSession],
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        topic = topic_prefix + CONSULTATION_EVENTS
        future = closed_event().model_copy(
            update={"dataschema": "urn:localrights:event:consultation.closed:v99"}
        )
        async with consuming(kafka_bootstrap_servers, topic_prefix, sessions, record_effect) as (
            consumer,
            producer,
        ):
            await producer.send_and_wait(topic, future.to_json_bytes(), key=b"a")

            async def dead() -> None:
                assert consumer.dead_lettered == 1

            await eventually(dead)
        assert await effect_count(sessions, future.id) == 0
