"""The broker frozen (SIGSTOP) for 20 s under load, then thawed (SIGCONT): nothing lost.

Writes never wait for Kafka: each commits its event to the service's outbox with the state
change, so requests keep being accepted while the broker does not answer. When it answers
again the relays publish the backlog and the consumers catch up: every alert of the outage
reaches every subscriber once.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from e2e.webhook_sink import WebhookSink
from launch import Stack

from .ledger import assert_nothing_lost
from .load import MixedLoad
from .world import World

pytestmark = pytest.mark.stack

PAUSE_SECONDS = 20.0


async def test_broker_paused_20s_requests_still_accepted_and_backlog_drains(
    fault_stack: Stack, world: World, sink: WebhookSink
) -> None:
    load = MixedLoad(world, fault_stack.gateway_url, rate=8.0)
    paused: list[float] = []

    async def pause_broker() -> None:
        await asyncio.sleep(1.0)
        fault_stack.kafka.pause()
        paused.append(time.monotonic())
        try:
            await asyncio.sleep(PAUSE_SECONDS)
        finally:
            fault_stack.kafka.resume()
            paused.append(time.monotonic())
        await asyncio.sleep(1.0)

    chaos = asyncio.create_task(pause_broker())
    try:
        await load.run(duration=1.0, during=chaos)
        await chaos
    finally:
        chaos.cancel()
        await load.close()

    # Accepted at once throughout the pause: not one attempt failed.
    assert load.tally.failures == [], load.tally.summary()
    during = {op for op, at in load.tally.acknowledged_at if paused[0] < at < paused[1]}
    assert during == {"response", "alert", "input"}, load.tally.summary()
    await assert_nothing_lost(fault_stack, world, load.tally, sink, timeout=120)
