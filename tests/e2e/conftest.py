"""The whole platform as processes (the README's launcher), driven only through the gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from launch import Stack

from .platform_client import Platform
from .webhook_sink import WebhookSink

# The scenarios send hundreds of anonymous submissions and dozens of sign-ins from one
# address (127.0.0.1) within a minute: far over the production per-address limits, which
# the gateway's own tests cover. Everything else runs with the production settings.
STACK_ENV = {
    "GATEWAY_RATE_LIMIT_DEFAULT": "100000/minute",
    "GATEWAY_RATE_LIMIT_RESPONSES": "100000/minute",
    "GATEWAY_RATE_LIMIT_LOGIN": "10000/minute",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here needs the whole platform: mark it so `-m "not stack"` leaves it out."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.stack)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One platform for the end-to-end tests of this session, on free ports."""
    run_dir: Path = tmp_path_factory.mktemp("stack")
    with Stack(run_dir, extra_env=dict(STACK_ENV)) as platform:
        yield platform


@pytest.fixture(scope="module")
def document(stack: Stack) -> dict[str, Any]:
    """The merged OpenAPI document, with every service's part in it."""
    response = httpx.get(f"{stack.gateway_url}/api/v1/openapi.json", timeout=30)
    assert response.status_code == 200
    merged: dict[str, Any] = response.json()
    assert "x-localrights-unavailable" not in merged
    return merged


@pytest.fixture
async def platform(stack: Stack) -> AsyncIterator[Platform]:
    client = Platform(stack.gateway_url, stack.admin)
    yield client
    await client.close()


@pytest.fixture
async def webhook_sink() -> AsyncIterator[WebhookSink]:
    """An institution's webhook endpoint on loopback, verifying every signature."""
    sink = WebhookSink()
    await sink.start()
    yield sink
    await sink.stop()
