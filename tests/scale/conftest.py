"""Scale-out tests: two replicas of notifications and of consultation on one database and broker."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

# The e2e client and sink, and the fault tests' world, are shared, not copied.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from e2e.platform_client import Platform  # noqa: E402
from e2e.webhook_sink import WebhookSink  # noqa: E402
from faults.conftest import FAULT_STACK_ENV  # noqa: E402
from launch import Stack  # noqa: E402

REPLICAS = {"notifications": 2, "consultation": 2}


@pytest.fixture(scope="package")
def scaled_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A platform running two processes of notifications and of consultation."""
    with Stack(
        tmp_path_factory.mktemp("scale"), replicas=dict(REPLICAS), extra_env=dict(FAULT_STACK_ENV)
    ) as stack:
        yield stack


@pytest.fixture(scope="package")
async def scale_sink() -> AsyncIterator[WebhookSink]:
    receiver = WebhookSink()
    await receiver.start()
    yield receiver
    await receiver.stop()


@pytest.fixture(scope="package")
async def scale_platform(scaled_stack: Stack) -> AsyncIterator[Platform]:
    client = Platform(scaled_stack.gateway_url, scaled_stack.admin)
    yield client
    await client.close()
