"""PostgreSQL stopped and started again under load: fast 503s, no partial writes, self-healing.

While the server is down every write the load sends is answered at once with 503 (never a
500, never a hang until the client's timeout), so a client knows to retry. Nothing half
done survives: what was acknowledged is stored whole, what was refused is not stored. The
service processes are the same ones before and after: their pools, outbox relays and
consumers reconnect by themselves, and the events of the outage are applied, not
dead-lettered.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from e2e.webhook_sink import WebhookSink
from launch import Stack

from .ledger import assert_nothing_lost
from .load import MixedLoad, statuses_of
from .world import World

pytestmark = pytest.mark.stack

DOWN_SECONDS = 4.0


async def test_database_restart_fails_fast_with_503_and_recovers_without_restarts(
    fault_stack: Stack, world: World, sink: WebhookSink
) -> None:
    pids = {(p.service, p.replica): p.process.pid for p in fault_stack.processes if p.process}
    load = MixedLoad(world, fault_stack.gateway_url, rate=10.0)
    outage: list[float] = []

    async def restart_postgres() -> None:
        await asyncio.sleep(2.0)
        outage.append(time.monotonic())
        await asyncio.to_thread(fault_stack.postgres.stop, "fast")
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
    # The same processes throughout: nothing had to be restarted to recover.
    assert {
        (p.service, p.replica): p.process.pid for p in fault_stack.processes if p.process
    } == pids
