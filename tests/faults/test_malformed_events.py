"""A burst of malformed events on every consumed topic: all dead-lettered, good ones still applied.

Four kinds of bad message go to each topic a consumer group reads, in the middle of a mixed
load: bytes that are not JSON, JSON that is not a CloudEvent, an event of a handled type
whose data does not fit its schema, and one claiming a schema version nobody knows. Each
consumer group that would act on a message copies it to ``<topic>.dlq`` with its error,
once, and goes on: the load's alerts still reach every subscriber.

A topic no group reads (recommendation.events, for integrators) has no consumer of ours to
dead-letter anything; integrators' own groups decide what to do with what they cannot read.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaProducer
from e2e.platform_client import eventually
from e2e.webhook_sink import WebhookSink
from launch import Stack

from localrights.events import dlq_topic, get_event_type, schema_urn
from localrights.events.registry import CONSUMER_GROUPS

from .ledger import assert_nothing_lost
from .load import MixedLoad
from .topics import read_to_end
from .world import World

pytestmark = pytest.mark.stack

BURST_HEADER = "x-fault-burst"
Expected = Counter[tuple[str, str, str]]  # (topic, consumer group, kind) -> dead letters


def malformed_messages(tag: str) -> tuple[list[tuple[str, str, bytes]], Expected]:
    """(topic, kind, value) of every bad message, and who must dead-letter each."""
    messages: list[tuple[str, str, bytes]] = []
    expected: Expected = Counter()
    topics = sorted({topic for group in CONSUMER_GROUPS for topic in group.topics})
    for topic in topics:
        readers = [g for g in CONSUMER_GROUPS if topic in g.topics]
        for kind, value in (
            ("not_json", b"\x00\xff{not json " + tag.encode()),
            ("not_cloudevent", json.dumps({"hello": tag, "data": [1, 2]}).encode()),
        ):
            messages.append((topic, kind, value))
            expected.update((topic, g.name, kind) for g in readers)
        for group in readers:
            event_type = sorted(t for t in group.event_types if get_event_type(t).topic == topic)[0]
            handlers = [g.name for g in readers if event_type in g.event_types]
            version = get_event_type(event_type).version
            for kind, data, dataschema in (
                ("bad_data", {"unexpected": tag}, schema_urn(event_type, version)),
                ("unknown_version", {"unexpected": tag}, schema_urn(event_type, 99)),
            ):
                envelope = {
                    "specversion": "1.0",
                    "id": str(uuid4()),
                    "source": "/fault-drill",
                    "type": event_type,
                    "subject": str(uuid4()),
                    "datacontenttype": "application/json",
                    "dataschema": dataschema,
                    "data": data,
                }
                messages.append((topic, f"{kind}:{group.name}", json.dumps(envelope).encode()))
                expected.update((topic, name, f"{kind}:{group.name}") for name in handlers)
    return messages, expected


async def send_burst(bootstrap: str, messages: list[tuple[str, str, bytes]], tag: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        sent = [
            await producer.send(
                topic, value=value, key=tag.encode(), headers=[(BURST_HEADER, kind.encode())]
            )
            for topic, kind, value in messages
        ]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def dead_letters(bootstrap: str, topics: list[str], tag: str) -> Expected:
    """This burst's messages found on the dead-letter topics, by origin, consumer and kind."""
    found: Expected = Counter()
    for record in await read_to_end(bootstrap, [dlq_topic(t) for t in topics]):
        if record.key == tag.encode():
            h = {k: v.decode() for k, v in record.headers}
            found[(h["dlq-topic"], h["dlq-consumer"], h[BURST_HEADER])] += 1
    return found


async def test_malformed_burst_is_dead_lettered_and_good_events_still_flow(
    fault_stack: Stack, world: World, sink: WebhookSink
) -> None:
    bootstrap = fault_stack.kafka.bootstrap_servers
    messages, expected = malformed_messages(world.tag)
    topics = sorted({topic for topic, _, _ in messages})
    assert topics == sorted({t for g in CONSUMER_GROUPS for t in g.topics})

    load = MixedLoad(world, fault_stack.gateway_url, rate=8.0)

    async def burst_midway() -> None:
        await asyncio.sleep(1.0)
        await send_burst(bootstrap, messages, world.tag)
        await asyncio.sleep(2.0)

    chaos = asyncio.create_task(burst_midway())
    try:
        await load.run(duration=2.0, during=chaos)
        await chaos
    finally:
        chaos.cancel()
        await load.close()

    async def all_dead_lettered() -> None:
        found = await dead_letters(bootstrap, topics, world.tag)
        assert found == expected, f"missing {expected - found}, unexpected {found - expected}"

    await eventually(all_dead_lettered, timeout=60, interval=1.0)
    await assert_nothing_lost(fault_stack, world, load.tally, sink)
