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
from starlette.middleware.errors import ServerErrorMiddleware

from localrights.testing.helpers import running_app
from localrights_gateway import front_door, proxy
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


class TestPastTheFramework:
    async def test_a_proxied_call_skips_the_frameworks_outer_layers(
        self, gateway: httpx.AsyncClient
    ) -> None:
        entered: list[str] = []
        original = ServerErrorMiddleware.__call__

        async def counted(self: ServerErrorMiddleware, scope: Any, receive: Any, send: Any) -> None:
            if scope["app"].title == "Localrights API":  # not the stand-in services
                entered.append(scope["path"])
            await original(self, scope, receive, send)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(ServerErrorMiddleware, "__call__", counted)
            proxied = await gateway.get("/api/v1/alerts")
            own = await gateway.get("/api/v1/users")
        assert (proxied.status_code, own.status_code) == (200, 401)
        assert entered == ["/api/v1/users"]
        # The app's own middleware still ran on the proxied call.
        assert proxied.headers["x-request-id"]
        assert proxied.headers["x-frame-options"] == "DENY"

    async def test_a_proxied_calls_service_is_looked_up_once(
        self, gateway: httpx.AsyncClient
    ) -> None:
        looked_up: list[str] = []

        def counted(path: str) -> str | None:
            looked_up.append(path)
            return service_for(path)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(front_door, "service_for", counted)
            proxied = await gateway.get("/api/v1/alerts")
        assert proxied.status_code == 200
        assert proxied.json()["service"] == "notifications"
        assert looked_up == ["/api/v1/alerts"]  # by GatewayApp; FrontDoor reads the scope

    async def test_an_unexpected_error_answers_the_apps_500_and_goes_on_to_the_server(
        self, gateway_settings: GatewayFactory
    ) -> None:
        async def broken(*_args: Any, **_kwargs: Any) -> None:
            raise RuntimeError("a bug in the proxy")

        with_door = create_app(await gateway_settings())
        without = create_app(await gateway_settings())
        without.user_middleware = [m for m in without.user_middleware if m.cls is not FrontDoor]
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(front_door, "forward", broken)
            patch.setattr(proxy, "forward", broken)
            through_door, raised = await _failing_call(with_door)
            through_routes, _ = await _failing_call(without)

        assert isinstance(raised, RuntimeError)  # for the server's log, as before
        assert through_door.status_code == through_routes.status_code == 500
        assert through_door.content == through_routes.content == b"Internal Server Error"
        assert through_door.headers["content-type"] == through_routes.headers["content-type"]
        # Answered inside the app's middleware: with the request id and security headers.
        assert through_door.headers["x-request-id"] == "failing-call-1"
        assert through_door.headers["x-content-type-options"] == "nosniff"
        assert "content-security-policy" in through_door.headers

    async def test_an_exception_handler_that_fails_goes_on_to_the_server_as_without_the_door(
        self, gateway_settings: GatewayFactory
    ) -> None:
        class Refusal(Exception):
            pass

        async def refusing(*_args: Any, **_kwargs: Any) -> None:
            raise Refusal("answered by a handler")

        async def failing_handler(_request: Any, _exc: Exception) -> Any:
            raise KeyError("a bug in the handler")

        with_door = create_app(await gateway_settings())
        without = create_app(await gateway_settings())
        without.user_middleware = [m for m in without.user_middleware if m.cls is not FrontDoor]
        for app in (with_door, without):
            app.add_exception_handler(Refusal, failing_handler)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(front_door, "forward", refusing)
            patch.setattr(proxy, "forward", refusing)
            through_door, raised = await _failing_call(with_door)
            through_routes, raised_without = await _failing_call(without)

        # The handler's own error reaches the server's log, the first one chained to it.
        assert isinstance(raised, KeyError) and isinstance(raised_without, KeyError)
        assert isinstance(raised.__context__, Refusal)
        assert through_door.status_code == through_routes.status_code == 500
        assert through_door.content == through_routes.content
        assert through_door.headers["x-request-id"] == "failing-call-1"


async def _failing_call(app: Any) -> tuple[httpx.Response, BaseException | None]:
    """A proxied call to ``app``, and what the app raised to the server."""
    raised: list[BaseException] = []

    async def server(scope: Any, receive: Any, send: Any) -> None:
        try:
            await app(scope, receive, send)
        except Exception as exc:
            raised.append(exc)

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=server)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            response = await client.get(
                "/api/v1/alerts", headers={"x-request-id": "failing-call-1"}
            )
    return response, raised[0] if raised else None
