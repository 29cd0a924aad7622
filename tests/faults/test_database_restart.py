"""PostgreSQL stopped and started again under load: fast 503s, no partial writes, self-healing.

While the server is down every write the load sends is answered at once with 503 (never a
500, never a hang until the client's timeout), so a client knows to retry. Nothing half
done survives: what was acknowledged is stored whole, what was refused is not stored. The
service processes are the same ones before and after: their pools, outbox relays and
consumers reconnect by themselves. An event that reaches the consumers while the database is
down (here an institution registered, produced straight to its topic) waits for the database
and is applied once it is back, by every group that reads it; it is not dead-lettered.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaProducer
from e2e.platform_client import eventually
from e2e.webhook_sink import WebhookSink
from launch import Stack

from localrights.events import dlq_topic, get_event_type, key_of, new_event
from localrights.events.registry import CONSUMER_GROUPS

from .ledger import assert_nothing_lost, fetch
from .load import MixedLoad, statuses_of
from .topics import read_to_end
from .world import World

pytestmark = pytest.mark.stack

DOWN_SECONDS = 4.0
REGISTERED = get_event_type("institution.registered")


async def produce_registration(bootstrap: str) -> tuple[str, str]:
    """An institution.registered event on its topic, as the gateway's relay would send it."""
    institution_id = uuid4()
    payload = REGISTERED.example.model_copy(
        update={"institution_id": institution_id, "changed_at": datetime.now(UTC)}
    )
    envelope = new_event(payload, source="/gateway")
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            REGISTERED.topic, value=envelope.to_json_bytes(), key=key_of(envelope)
        )
    finally:
        await producer.stop()
    return envelope.id, str(institution_id)


async def test_database_restart_fails_fast_with_503_and_recovers_without_restarts(
    fault_stack: Stack, world: World, sink: WebhookSink
) -> None:
    pids = {(p.service, p.replica): p.process.pid for p in fault_stack.processes if p.process}
    load = MixedLoad(world, fault_stack.gateway_url, rate=10.0)
    outage: list[float] = []
    in_outage: list[tuple[str, str]] = []
    bootstrap = fault_stack.kafka.bootstrap_servers

    async def restart_postgres() -> None:
        await asyncio.sleep(2.0)
        outage.append(time.monotonic())
        await asyncio.to_thread(fault_stack.postgres.stop, "fast")
        in_outage.append(await produce_registration(bootstrap))
        await asyncio.sleep(DOWN_SECONDS)
        await asyncio.to_thread(fault_stack.postgres.start)
        outage.append(time.monotonic())
        await asyncio.sleep(2.0)

    chaos = asyncio.create_task(restart_postgres())
    try:
        await load.run(duration=2.0, during=chaos)
        await chaos
    finally:
        chaos.cancel()
        await load.close()

    failures = load.tally.failures
    during = [f for f in failures if outage[0] <= f.at <= outage[1] + 1.0]
    assert during, f"no request met the outage: {load.tally.summary()}"
    # Refused at once and retryable: 503 only; no 500, no timeout, no broken connection.
    assert statuses_of(failures) == {503}, load.tally.summary()
    await assert_nothing_lost(fault_stack, world, load.tally, sink)

    # The event of the outage: applied by each group that reads it, once, and not
    # dead-lettered (three quick failed attempts used to send it to the DLQ).
    [(event_id, institution_id)] = in_outage
    readers = [g for g in CONSUMER_GROUPS if REGISTERED.type in g.event_types]
    assert {g.service for g in readers} == {"notifications", "recommendations"}

    async def applied() -> None:
        for group in readers:
            rows = await fetch(
                fault_stack,
                group.service,
                "SELECT consumer FROM processed_events WHERE event_id = $1",
                event_id,
            )
            assert [r["consumer"] for r in rows] == [group.name], group.name
            projected = await fetch(
                fault_stack,
                group.service,
                "SELECT id FROM institutions WHERE id = $1",
                UUID(institution_id),
            )
            assert len(projected) == 1, group.service

    await eventually(applied, timeout=60)
    dead = await read_to_end(bootstrap, [dlq_topic(REGISTERED.topic)])
    assert [r for r in dead if r.key == institution_id.encode()] == []
    # The same processes throughout: nothing had to be restarted to recover.
    assert {
        (p.service, p.replica): p.process.pid for p in fault_stack.processes if p.process
    } == pids
