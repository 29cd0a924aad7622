"""What lands on a topic is what the catalogue promises, for every registered event type.

Each registered example is recorded through the producing service's outbox
(``record_event`` in a database of that service at its migrations' head) and relayed by the
shared ``OutboxRelay`` onto a fresh topic namespace; the record read back from the broker
must validate against the catalogue's CloudEvent schema, parse with the ``cloudevents``
SDK's Kafka binding, and be keyed by the aggregate id. A static check keeps each service
constructing only the payloads it is registered to produce.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import jsonschema
import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from cloudevents.core.bindings import kafka as ce_kafka
from contract_kit import migrations_of, service_names, source_of

from localrights.db import asyncpg_dsn, create_engine, session_factory
from localrights.events.catalogue import cloudevent_schema
from localrights.events.registry import all_event_types, get_event_type
from localrights.kafka import KafkaConnection, create_producer, ensure_topics, platform_topics
from localrights.outbox import OutboxRelay, record_event

MigratedDatabase = Callable[[str | Path], Awaitable[str]]

pytestmark = pytest.mark.filterwarnings("ignore:(?s).*You probably want to use:DeprecationWarning")


async def read_records(
    bootstrap_servers: str, topic: str, count: int, timeout: float = 20.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """The first ``count`` raw records of a topic (value, key and headers as sent)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        metadata = await consumer._client.fetch_all_metadata()
        consumer.assign(
            [TopicPartition(topic, p) for p in metadata.partitions_for_topic(topic) or ()]
        )
        await consumer.seek_to_beginning()
        records: list[ConsumerRecord[bytes, bytes]] = []
        deadline = time.monotonic() + timeout
        while len(records) < count:
            assert time.monotonic() < deadline, f"{topic}: {len(records)} of {count} records"
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


@pytest.mark.parametrize("event_type", [et.type for et in all_event_types()])
async def test_the_event_on_the_topic_is_the_catalogued_cloudevent(
    event_type: str,
    migrated_database: MigratedDatabase,
    kafka_bootstrap_servers: str,
    topic_prefix: str,
) -> None:
    et = get_event_type(event_type)
    url = await migrated_database(migrations_of(et.producer))
    await ensure_topics(KafkaConnection(kafka_bootstrap_servers), platform_topics(topic_prefix))
    engine = create_engine(url, pool_size=2)
    async with session_factory(engine)() as session:
        sent = await record_event(session, et.example, source=f"/{et.producer}")
        await session.commit()
    await engine.dispose()

    producer = create_producer(
        KafkaConnection(kafka_bootstrap_servers),
        enable_idempotence=False,
        client_id="contract-test",
    )
    await producer.start()
    relay = OutboxRelay(dsn=asyncpg_dsn(url), producer=producer, topic_prefix=topic_prefix)
    relaying = asyncio.create_task(relay.run())
    try:
        [record] = await read_records(kafka_bootstrap_servers, topic_prefix + et.topic, 1)
    finally:
        relay.stop()
        with contextlib.suppress(Exception):
            await relaying
        await producer.stop()

    body = json.loads(record.value or b"")
    jsonschema.Draft202012Validator(
        cloudevent_schema(et), format_checker=jsonschema.FormatChecker()
    ).validate(body)

    headers = dict(record.headers)
    assert headers["content-type"].startswith(b"application/cloudevents+json")
    event = ce_kafka.from_kafka_event(
        ce_kafka.KafkaMessage(headers=headers, key=record.key, value=record.value or b"")
    )
    assert event.get_specversion() == "1.0"
    assert event.get_id() == sent.id
    assert event.get_type() == et.type
    assert event.get_source() == f"/{et.producer}"
    assert event.get_dataschema() == et.dataschema
    assert event.get_data() == et.example.model_dump(mode="json")
    key = str(getattr(et.example, et.key))
    assert event.get_subject() == key
    assert record.key == key.encode()
    assert event.get_extension("partitionkey") == key


BUILDERS = ("model_validate", "model_validate_json", "model_construct")


def constructed_payloads(service: str) -> dict[str, list[str]]:
    """Registered payload models a service builds: ``Model(...)``, ``Model.model_validate``."""
    models = {et.model.__name__: et.type for et in all_event_types()}
    found: dict[str, list[str]] = {}
    for path in sorted(source_of(service).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in BUILDERS:
                func = func.value
            name = func.id if isinstance(func, ast.Name) else None
            if name in models:
                where = f"{path.relative_to(source_of(service).parent)}:{node.lineno}"
                found.setdefault(models[name], []).append(where)
    return found


def source_constants(service: str) -> set[str]:
    """Values assigned to ``SOURCE`` in a service's code (the CloudEvent ``source``)."""
    values = set()
    for path in source_of(service).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "SOURCE" for t in node.targets)
                and isinstance(node.value, ast.Constant)
            ):
                values.add(str(node.value.value))
    return values


class TestProducers:
    @pytest.mark.parametrize("service", service_names())
    def test_a_service_builds_only_the_events_it_is_registered_to_produce(
        self, service: str
    ) -> None:
        foreign = {
            event_type: places
            for event_type, places in constructed_payloads(service).items()
            if get_event_type(event_type).producer != service
        }
        assert foreign == {}, f"{service} builds events registered to other producers"

    @pytest.mark.parametrize("service", service_names())
    def test_the_cloudevent_source_is_the_service(self, service: str) -> None:
        assert source_constants(service) <= {f"/{service}"}

    def test_every_producer_is_a_service(self) -> None:
        assert {et.producer for et in all_event_types()} <= set(service_names())
