"""kill -9 of each service in turn under a mixed load, then a restart: nothing lost or doubled.

The load (responses, alerts, local inputs through the gateway) runs throughout; each service
is killed with SIGKILL (no graceful shutdown, as a crash or an OOM kill), left down a moment
and started again on its port. A careful client retries what failed; at the end every
acknowledged write is stored once, every matching subscription got each alert once (the
sink counts distinct webhook-id values), and no input or delivery was applied twice.
"""

from __future__ import annotations

import asyncio

import pytest
from e2e.webhook_sink import WebhookSink
from launch import SERVICES, Stack

from .ledger import assert_nothing_lost
from .load import MixedLoad
from .world import World

pytestmark = pytest.mark.stack

DOWN_SECONDS = 1.5


async def test_each_service_killed_and_restarted_under_load_loses_nothing(
    fault_stack: Stack, world: World, sink: WebhookSink
) -> None:
    load = MixedLoad(world, fault_stack.gateway_url, rate=10.0)
    killed: list[str] = []

    async def crash_each_in_turn() -> None:
        for service in SERVICES:
            await asyncio.sleep(1.0)
            fault_stack.kill(service)
            killed.append(service)
            await asyncio.sleep(DOWN_SECONDS)
            await asyncio.to_thread(fault_stack.restart, service)
        await asyncio.sleep(2.0)  # load on the whole platform again after the last restart

    chaos = asyncio.create_task(crash_each_in_turn())
    try:
        await load.run(duration=3.0, during=chaos)
        await chaos  # its errors, if any
    finally:
        chaos.cancel()
        await load.close()

    assert killed == list(SERVICES)
    # Each crash was felt: some attempts failed and were retried to success.
    assert load.tally.failures, load.tally.summary()
    await assert_nothing_lost(fault_stack, world, load.tally, sink)
