"""Every consumer handles every producer's registered example, once, in every declared version.

For each (service, event type, version) the service's handlers apply, the producer's own
registered example travels as it would on the topic (the CloudEvent's JSON bytes) through
the real consumer path (``EventConsumer.process``: envelope, payload version, handler,
idempotency claim) into a fresh database of that service at its migrations' head. The test
checks that the handler changed the service's state, that nothing was dead-lettered, and
that a redelivery changes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer, ConsumerRecord
from contract_kit import handlers_of, migrations_of, service_names
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.consumer import EventConsumer
from localrights.db import create_engine, run_sql, session_factory
from localrights.events import Envelope, get_event_type, schema_urn
from localrights.events.registry import EventType, consumer_groups
from localrights.kafka import KafkaConnection

MigratedDatabase = Callable[[str | Path], Awaitable[str]]

# SQLModel's hint about session.exec starts with a newline, which the project-wide filter's
# ".*" does not cross.
pytestmark = pytest.mark.filterwarnings("ignore:(?s).*You probably want to use:DeprecationWarning")


# Reviewed exceptions to "the example changes the consumer's state": a service reading its own
# events about its own data, whose example names rows a fresh database does not hold. The
# example must still be applied once, without a dead letter (unknown rows are skipped).
NO_EFFECT_ON_A_FRESH_DATABASE = {
    ("recommendations", "exercise.input_submitted"): "the example's input is not in this "
    "database, so there is no local input to put on a timeline",
    ("recommendations", "recommendation.imported"): "the example's country has no "
    "recommendations in this database, so there is nothing to compare for repeats",
}


def contract_cases() -> list[tuple[str, str, int]]:
    """(consuming service, event type, schema version) for every handler and version."""
    cases = []
    for service in service_names():
        for name in sorted(handlers_of(service) or {}):
            cases.extend((service, name, v) for v in get_event_type(name).versions)
    return cases


def example_envelope(event_type: EventType, version: int) -> Envelope:
    """The producer's registered example of ``version``, wrapped as its producer wraps it."""
    example = event_type.example_for(version)
    return Envelope(
        source=f"/{event_type.producer}",
        type=event_type.type,
        subject=str(getattr(example, event_type.key)),
        dataschema=schema_urn(event_type.type, version),
        requestid="contract-test",
        data=example.model_dump(mode="json"),
    )


def as_record(topic: str, envelope: Envelope, offset: int) -> ConsumerRecord[bytes, bytes]:
    """The envelope as the consumer would fetch it from its topic."""
    value = envelope.to_json_bytes()
    key = (envelope.subject or envelope.id).encode()
    return ConsumerRecord(
        topic=topic,
        partition=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=key,
        value=value,
        checksum=None,
        serialized_key_size=len(key),
        serialized_value_size=len(value),
        headers=((("content-type", b"application/cloudevents+json; charset=utf-8"),)),
    )


async def state_digest(sessions: async_sessionmaker[AsyncSession]) -> dict[str, str]:
    """Row count and content hash of every table but the idempotency record."""
    async with sessions() as session:
        tables = (
            await run_sql(
                session,
                text(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' "
                    "AND table_name NOT IN ('processed_events', 'alembic_version')"
                ),
            )
        ).scalars()
        digest = {}
        for table in sorted(tables):
            row = (
                await run_sql(
                    session,
                    text(
                        f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' "
                        f"ORDER BY t::text), '')) FROM \"{table}\" t"
                    ),
                )
            ).one()
            digest[table] = f"{row[0]}:{row[1]}"
    return digest


@pytest.fixture
async def dlq_producer(kafka_bootstrap_servers: str) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap_servers)
    await producer.start()
    yield producer
    await producer.stop()


@pytest.mark.parametrize(("service", "event_type", "version"), contract_cases())
async def test_the_consumer_applies_the_producers_example_once(
    service: str,
    event_type: str,
    version: int,
    migrated_database: MigratedDatabase,
    kafka_bootstrap_servers: str,
    topic_prefix: str,
    dlq_producer: AIOKafkaProducer,
) -> None:
    handlers = handlers_of(service)
    assert handlers is not None
    et = get_event_type(event_type)
    engine = create_engine(await migrated_database(migrations_of(service)), pool_size=2)
    sessions = session_factory(engine)
    consumer = EventConsumer(
        name=service,
        kafka=KafkaConnection(kafka_bootstrap_servers),
        topics=[et.topic],
        handlers=handlers,
        sessions=sessions,
        dlq_producer=dlq_producer,
        topic_prefix=topic_prefix,
        max_attempts=1,
    )
    envelope = example_envelope(et, version)
    topic = topic_prefix + et.topic
    try:
        before = await state_digest(sessions)
        await consumer.process(as_record(topic, envelope, 0))
        assert consumer.dead_lettered == 0, f"{service} dead-lettered {event_type} v{version}"
        assert consumer.applied == 1
        after = await state_digest(sessions)
        changed = sorted(t for t in after if after[t] != before.get(t))
        if (service, event_type) not in NO_EFFECT_ON_A_FRESH_DATABASE:
            assert changed, f"{service} applied {event_type} v{version} without any effect"

        await consumer.process(as_record(topic, envelope, 1))  # redelivered
        assert consumer.applied == 1
        assert await state_digest(sessions) == after
    finally:
        await engine.dispose()


class TestDeclaredConsumers:
    @pytest.mark.parametrize("service", service_names())
    def test_the_registry_declares_exactly_what_each_service_handles(self, service: str) -> None:
        handled = set(handlers_of(service) or {})
        declared = {
            event_type
            for group in consumer_groups()
            if group.service == service
            for event_type in group.event_types
        }
        assert handled == declared, (
            f"{service}'s EVENT_HANDLERS and the CONSUMER_GROUPS of "
            "localrights.events.registry disagree: "
            f"handled but not declared {sorted(handled - declared)}, "
            f"declared but not handled {sorted(declared - handled)}"
        )

    def test_every_handled_type_is_registered_and_groups_are_named_after_services(self) -> None:
        services = set(service_names())
        for group in consumer_groups():
            assert group.service in services
            assert group.name == group.service  # ConsumerSpec(name=<service>) is the group id
            for event_type in group.event_types:
                get_event_type(event_type)

    def test_there_are_contract_cases_for_every_declared_pair(self) -> None:
        covered = {(service, event_type) for service, event_type, _ in contract_cases()}
        declared = {(g.service, t) for g in consumer_groups() for t in g.event_types}
        assert covered == declared
