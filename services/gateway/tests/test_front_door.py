"""The front door: proxied calls skip the router, and answer exactly as the routes would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import fastapi.routing
import httpx
import pytest
from fastapi.routing import iter_route_contexts
from gateway_testkit import GatewayFactory

from localrights.testing.helpers import running_app
from localrights_gateway import proxy
from localrights_gateway.front_door import FrontDoor
from localrights_gateway.main import create_app
from localrights_gateway.upstreams import service_for

# Each call once, in this order, against a gateway with tight limits: answers from the
# service, bad credentials, a submission over its limit, a method no route takes, a body
# over the limit.
CALLS: list[tuple[str, str, dict[str, str], bytes]] = [
    ("GET", "/api/v1/alerts?country=UY", {}, b""),
    ("DELETE", "/api/v1/consultations/abc", {}, b""),
    ("GET", "/api/v1/alerts", {"authorization": "Basic abc"}, b""),
    ("GET", "/api/v1/alerts", {"authorization": "Bearer not-a-jwt"}, b""),
    ("GET", "/api/v1/alerts", {"x-api-key": "lr_0123456789ab_unknown"}, b""),
    ("POST", "/api/v1/consultations/c1/responses", {"content-type": "application/json"}, b"{}"),
    ("POST", "/api/v1/consultations/c1/responses/", {"content-type": "application/json"}, b"{}"),
    ("TRACE", "/api/v1/alerts", {}, b""),
    ("PUT", "/api/v1/subscriptions/1", {"content-length": "2000"}, b"x" * 2000),
]
# Differ between any two calls: when, which request, and the freshly signed internal token;
# a refusal's length and detail with the seconds left to wait.
_VARYING = {"date", "x-request-id", "ratelimit-reset", "retry-after", "content-length"}
_WAIT = re.compile(r"try again in \d+ s")


def _seen(response: httpx.Response) -> tuple[int, dict[str, str], Any]:
    headers = {k: v for k, v in response.headers.items() if k not in _VARYING}
    body: Any = response.content
    if response.headers.get("content-type", "").endswith("json") and response.content:
        body = response.json()
        if isinstance(body, dict) and isinstance(body.get("detail"), str):
            body["detail"] = _WAIT.sub("try again in N s", body["detail"])
        if isinstance(body, dict) and isinstance(body.get("headers"), dict):
            body["headers"].pop("authorization", None)
            body["headers"].pop("x-request-id", None)
    return response.status_code, headers, body


async def _answers(client: httpx.AsyncClient) -> list[tuple[int, dict[str, str], Any]]:
    answers = []
    for method, path, headers, body in CALLS:
        answers.append(_seen(await client.request(method, path, headers=headers, content=body)))
    return answers


@pytest.fixture
def solved() -> Iterator[list[str]]:
    """The paths the gateway's FastAPI solved route dependencies for while the test ran (the
    stand-in services, run in this process too, left out)."""
    paths: list[str] = []
    solve = fastapi.routing.solve_dependencies

    async def counted(*args: Any, **kwargs: Any) -> Any:
        request = kwargs["request"]
        if request.app.title == "Localrights API":
            paths.append(request.url.path)
        return await solve(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fastapi.routing, "solve_dependencies", counted)
        yield paths


class TestFrontDoor:
    async def test_answers_are_the_routes_answers(self, gateway_settings: GatewayFactory) -> None:
        overrides = {
            "rate_limit_responses": "1/minute",
            "max_body_bytes": 1024,
            "cors_origins": ["https://app.example"],
        }
        with_door = create_app(await gateway_settings(**overrides))
        without = create_app(await gateway_settings(**overrides))
        without.user_middleware = [m for m in without.user_middleware if m.cls is not FrontDoor]
        async with running_app(with_door) as client:
            through_door = await _answers(client)
        async with running_app(without) as client:
            through_routes = await _answers(client)

        statuses = [status for status, _, _ in through_door]
        assert statuses == [200, 200, 401, 401, 401, 200, 429, 405, 413]
        assert through_door == through_routes

    async def test_a_proxied_call_takes_no_route_dependency_solving(
        self, gateway: httpx.AsyncClient, solved: list[str]
    ) -> None:
        for path in ("/api/v1/alerts", "/api/v1/consultations/abc/responses"):
            assert (await gateway.post(path, json={})).status_code == 200
        assert solved == []
        # The gateway's own routes still go through the router.
        assert (await gateway.get("/api/v1/users")).status_code == 401
        assert solved == ["/api/v1/users"]

    async def test_no_route_of_the_gateway_lies_under_a_proxied_prefix(
        self, gateway_settings: GatewayFactory
    ) -> None:
        """The door takes every call under a proxied prefix: none may be the gateway's own."""
        app = create_app(await gateway_settings())
        own = [
            route.path
            for route in iter_route_contexts(app.router.routes)
            if getattr(route, "endpoint", None) is not proxy.proxy
        ]
        assert "/api/v1/me" in own
        assert [path for path in own if service_for(path) is not None] == []
