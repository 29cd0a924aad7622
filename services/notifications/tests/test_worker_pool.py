"""The worker pool's hand-over to the recorder, without a database or a broker: nothing in
these tests reaches either (inbox deliveries need no call, and nothing is flushed)."""

from __future__ import annotations

import asyncio
import time
from uuid import uuid4

import aiohttp

from localrights_notifications.config import Settings
from localrights_notifications.delivery.channels import InboxChannel, WebhookChannel
from localrights_notifications.delivery.health import EndpointHealth
from localrights_notifications.delivery.policy import DeliveryPolicy
from localrights_notifications.delivery.pool import WorkerPool
from localrights_notifications.delivery.recorder import Recorder
from localrights_notifications.repository.claims import Job


async def _no_database() -> None:
    raise AssertionError("nothing here writes to the database")


def _inbox_job() -> Job:
    return Job(
        id=uuid4(),
        subscription_id=uuid4(),
        channel="inbox",
        attempts=0,
        event_id=str(uuid4()),
        digest_day=None,
        url=None,
        secret=None,
        email=None,
        deleted=False,
        disabled=False,
        failing=False,
        envelope=None,
        items=[],
        envelopes=[],
    )


async def test_the_last_results_are_handed_to_the_recorder_as_soon_as_the_pool_is_idle() -> None:
    """A fan-out smaller than the recorder's batch is written when its last call ends, not at
    the recorder's next look: at 300 webhooks that look was a third of the time to the last
    delivery."""
    settings = Settings(
        database_url="postgresql://localhost/notifications",
        kafka_bootstrap_servers="localhost:9092",
        internal_jwt_secret="x" * 32,
    )
    health = EndpointHealth(settings.webhook_disable_after, sessions=None)  # type: ignore[arg-type]
    recorder = Recorder(health, _no_database)  # type: ignore[arg-type]
    policy = DeliveryPolicy(
        settings=settings,
        channels={"inbox": InboxChannel(settings)},
        health=health,
        clock=time.monotonic,
    )
    async with aiohttp.ClientSession() as client:
        pool = WorkerPool(
            settings=settings,
            policy=policy,
            webhook=WebhookChannel(client, settings, time.monotonic),
            recorder=recorder,
        )
        pool.start()
        try:
            pool.hold([_inbox_job() for _ in range(3)])
            await asyncio.wait_for(recorder.ready.wait(), timeout=10)
            assert not pool.busy
            assert recorder.pending
        finally:
            await pool.stop()
