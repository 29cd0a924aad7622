"""The request-id middleware: ids taken or made, and every request counted by method and status."""

from __future__ import annotations

import json
import re

import httpx
import pytest
import structlog
from prometheus_client import REGISTRY
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from localrights.observability import (
    RequestContextMiddleware,
    configure_logging,
    current_request_id,
    set_request_id,
)

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


async def test_each_log_line_of_a_request_carries_its_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(service=SERVICE, json=True)

    async def logs(_request: Request) -> PlainTextResponse:
        structlog.get_logger("observability-test").warning("inside")
        return PlainTextResponse("")

    app = Starlette(routes=[Route("/logs", logs)])
    transport = httpx.ASGITransport(app=RequestContextMiddleware(app, service=SERVICE))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        await client.get("/logs", headers={"x-request-id": "line-1"})
    structlog.get_logger("observability-test").warning("outside")

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "side" in line]
    assert [(line["event"], line.get("request_id")) for line in lines] == [
        ("inside", "line-1"),
        ("outside", None),
    ]


async def test_an_events_log_lines_carry_the_id_it_was_consumed_with(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(service=SERVICE, json=True)

    async def consume(request_id: str | None) -> None:
        set_request_id(request_id)
        structlog.get_logger("observability-test").warning(f"event-{request_id}")

    await consume("event-1")
    await consume(None)

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "event-" in line]
    assert [(line["event"], line.get("request_id")) for line in lines] == [
        ("event-event-1", "event-1"),
        ("event-None", None),
    ]
