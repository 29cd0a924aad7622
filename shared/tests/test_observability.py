"""The request-id middleware: ids taken or made, and every request counted by method and status."""

from __future__ import annotations

import re

import httpx
from prometheus_client import REGISTRY
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from localrights.observability import RequestContextMiddleware, current_request_id

SERVICE = "observability-test"


async def _echo_id(_request: Request) -> PlainTextResponse:
    return PlainTextResponse(current_request_id() or "")


def _client() -> httpx.AsyncClient:
    app = Starlette(routes=[Route("/id", _echo_id, methods=["GET", "POST"])])
    wrapped = RequestContextMiddleware(app, service=SERVICE)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=wrapped), base_url="http://t")


def _count(method: str, status: str) -> float:
    labels = {"service": SERVICE, "method": method, "status": status}
    return REGISTRY.get_sample_value("localrights_http_requests_total", labels) or 0.0


async def test_a_request_id_is_taken_when_sound_and_made_otherwise() -> None:
    async with _client() as client:
        given = await client.get("/id", headers={"x-request-id": "abc-123"})
        made = [await client.get("/id", headers={"x-request-id": "not ok!"}) for _ in range(2)]
    assert given.headers["x-request-id"] == given.text == "abc-123"
    ids = [response.headers["x-request-id"] for response in made]
    assert [response.text for response in made] == ids
    assert all(re.fullmatch(r"[0-9a-f]{32}", value) for value in ids)
    assert ids[0] != ids[1]


async def test_each_request_is_counted_under_its_method_and_status() -> None:
    before = {key: _count(*key) for key in [("GET", "200"), ("POST", "200"), ("GET", "404")]}
    async with _client() as client:
        for _ in range(3):
            await client.get("/id")
        await client.post("/id")
        for _ in range(2):
            await client.get("/missing")
    counted = {key: _count(*key) - value for key, value in before.items()}
    assert counted == {("GET", "200"): 3, ("POST", "200"): 1, ("GET", "404"): 2}
