"""The bare proxy that bench/gateway_overhead.py sets beside the gateway really forwards.

It is a baseline only if it does a hop's whole work: method, path, query, body and end-to-end
headers to the upstream, status, headers and body back; hop-by-hop headers stay behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

from localrights.embedded import free_port

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from _bare_proxy import BareProxy  # noqa: E402


async def echo(request: web.Request) -> web.Response:
    return web.json_response(
        {
            "method": request.method,
            "path": request.path,
            "query": request.query_string,
            "body": (await request.read()).decode(),
            "headers": {k.lower(): v for k, v in request.headers.items()},
        },
        status=201,
        headers={"X-Upstream": "yes"},
    )


@pytest.fixture
async def upstream() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", echo)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


@pytest.fixture
async def proxy(upstream: str) -> AsyncIterator[httpx.AsyncClient]:
    async with running(BareProxy(upstream)) as client:
        yield client


@contextlib.asynccontextmanager
async def running(app: BareProxy) -> AsyncIterator[httpx.AsyncClient]:
    """The proxy through its ASGI lifespan, as uvicorn runs it."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    lifespan = asyncio.create_task(app({"type": "lifespan"}, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    assert (await outbox.get())["type"] == "lifespan.startup.complete"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench"
    ) as client:
        yield client
    await inbox.put({"type": "lifespan.shutdown"})
    await lifespan


async def test_request_and_answer_pass_through(proxy: httpx.AsyncClient) -> None:
    response = await proxy.post(
        "/api/v1/consultations/x/responses?lang=fr&page=2",
        content=b'{"answers": {}}',
        headers={"content-type": "application/json", "idempotency-key": "k1"},
    )
    assert response.status_code == 201
    assert response.headers["x-upstream"] == "yes"
    seen = response.json()
    assert seen["method"] == "POST"
    assert seen["path"] == "/api/v1/consultations/x/responses"
    assert seen["query"] == "lang=fr&page=2"
    assert seen["body"] == '{"answers": {}}'
    assert seen["headers"]["idempotency-key"] == "k1"
    assert seen["headers"]["content-type"] == "application/json"


async def test_hop_by_hop_headers_stay_behind(proxy: httpx.AsyncClient) -> None:
    response = await proxy.get("/ping", headers={"te": "trailers", "x-kept": "1"})
    seen = response.json()["headers"]
    assert "te" not in seen
    assert seen["x-kept"] == "1"
    assert seen["host"] != "bench"


async def test_with_the_gateways_headers_it_sends_and_answers_them(upstream: str) -> None:
    async with running(BareProxy(upstream, gateway_headers=True)) as proxy:
        response = await proxy.get("/api/v1/consultations/ping")
    seen = response.json()["headers"]
    assert seen["authorization"].startswith("Bearer ey")  # an internal token, a JWT
    assert seen["x-request-id"] == response.headers["x-request-id"]
    assert (seen["x-forwarded-host"], seen["x-forwarded-proto"]) == ("127.0.0.1:8000", "http")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["ratelimit-limit"] == "100000000"
