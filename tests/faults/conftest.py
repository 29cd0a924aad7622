"""Fault tests: a platform of their own, broken under load one way per test, then checked.

The fault tests' stack is theirs alone (its parts are killed, paused and restarted), so the
session-wide e2e stack is never touched. They share one stack because every fault must
leave the platform recovered without help: each test starts on what the previous one
left, which makes "services recover without restart" a checked claim, and the start-up
(about 45 s on 2 cores) is paid once.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

# The e2e helpers (gateway client, verifying webhook sink) are shared, not copied.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from e2e.platform_client import Platform  # noqa: E402
from e2e.webhook_sink import WebhookSink  # noqa: E402
from launch import Stack  # noqa: E402

from .world import Cast, World, build_world, register_cast  # noqa: E402

# The load sends many anonymous submissions and sign-ins from 127.0.0.1 within seconds: far
# over the production per-address limits (the gateway's own tests cover those). Each load
# operation calls as its own resident (User-Agent), so the consultation's per-device cap
# keeps its production value.
FAULT_STACK_ENV = {
    "GATEWAY_RATE_LIMIT_DEFAULT": "100000/minute",
    "GATEWAY_RATE_LIMIT_RESPONSES": "100000/minute",
    "GATEWAY_RATE_LIMIT_LOGIN": "10000/minute",
    # The cast signs in once for the whole run, which may outlast the default 15 minutes.
    "GATEWAY_JWT_TTL_SECONDS": "3600",
}


@pytest.fixture(scope="package")
def fault_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The fault tests' own platform, on free ports, that they may break."""
    # A delivery claimed by a dispatcher that is then killed is sent again once its lease
    # runs out: 300 s by default (room for a large backlog behind slow endpoints); these
    # tests' backlogs are small, so a shorter lease lets them see the resend.
    env = {**FAULT_STACK_ENV, "NOTIFICATIONS_DISPATCH_LEASE": "20"}
    with Stack(tmp_path_factory.mktemp("faults"), extra_env=env) as stack:
        yield stack


@pytest.fixture(scope="package")
async def sink() -> AsyncIterator[WebhookSink]:
    """The subscribed institutions' webhook endpoint, verifying every signature."""
    receiver = WebhookSink()
    await receiver.start()
    yield receiver
    await receiver.stop()


@pytest.fixture(scope="package")
async def platform(fault_stack: Stack) -> AsyncIterator[Platform]:
    client = Platform(fault_stack.gateway_url, fault_stack.admin)
    yield client
    await client.close()


@pytest.fixture(scope="package")
async def cast(platform: Platform) -> Cast:
    """The institutions and officers every fault test acts as."""
    return await register_cast(platform)


@pytest.fixture
async def world(cast: Cast, sink: WebhookSink) -> World:
    """A fresh mandate, subscriptions, consultation and exercise for one test's load."""
    return await build_world(cast, sink)
