"""The proxy: identity handed on as a signed internal token, failures answered fast, limits."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
import httpx
import jwt
import pytest
from gateway_testkit import (
    GatewayFactory,
    admin_headers,
    echo_service,
    login,
    new_institution,
    new_user,
    serve,
)
from starlette.requests import Request

from localrights.embedded import free_port
from localrights.testing.helpers import running_app
from localrights_gateway import proxy
from localrights_gateway.main import create_app

ROUTED = {
    "/api/v1/consultations/abc": "consultation",
    "/api/v1/alerts": "notifications",
    "/api/v1/subscriptions/1": "notifications",
    "/api/v1/inbox": "notifications",
    "/api/v1/feeds/alerts.atom": "notifications",
    "/api/v1/deliveries/x": "notifications",
    "/api/v1/recommendations/search": "recommendations",
    "/api/v1/exercises/1/coverage": "recommendations",
    "/api/v1/sdg/targets": "recommendations",
}


class TestRouting:
    async def test_each_prefix_reaches_its_service_with_path_and_query_unchanged(
        self, gateway: httpx.AsyncClient
    ) -> None:
        for path, service in ROUTED.items():
            response = await gateway.get(path, params={"q": "a b", "country": "UY"})
            assert response.status_code == 200, (path, response.text)
            echoed = response.json()
            assert echoed["service"] == service
            assert echoed["path"] == path
            assert echoed["query"] == "q=a+b&country=UY"

    async def test_a_path_sharing_only_letters_with_a_prefix_is_not_routed(
        self, gateway: httpx.AsyncClient
    ) -> None:
        assert (await gateway.get("/api/v1/alertsfoo")).status_code == 404

    async def test_body_streams_through_unchanged(self, gateway: httpx.AsyncClient) -> None:
        body = b'{"answers": {"q1": "yes"}}' * 1000
        response = await gateway.post(
            "/api/v1/consultations/abc/responses",
            content=body,
            headers={"content-type": "application/json"},
        )
        assert response.status_code == 200
        assert response.json()["body_length"] == len(body)
        assert response.json()["headers"]["content-type"] == "application/json"

    async def test_a_proxied_request_takes_no_hop_through_the_thread_pool(
        self, gateway: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Starlette runs plain functions in worker threads; one per request cost a fifth of
        the gateway's throughput (bench/gateway_overhead.py)."""
        hops = 0
        run_sync = anyio.to_thread.run_sync

        async def counted(*args: Any, **kwargs: Any) -> Any:
            nonlocal hops
            hops += 1
            return await run_sync(*args, **kwargs)

        monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
        for path in ("/api/v1/alerts", "/api/v1/consultations/abc"):
            response = await gateway.get(path)
            assert response.status_code == 200
            assert response.json()["path"] == path
        assert hops == 0


class TestIdentityHandedOn:
    async def test_signed_in_caller_reaches_the_service_as_a_verified_internal_token(
        self, gateway: httpx.AsyncClient
    ) -> None:
        admin = await admin_headers(gateway)
        institution = await new_institution(gateway, admin)
        email, password = await new_user(
            gateway, admin, "institution_officer", institution_id=institution["id"]
        )
        headers = await login(gateway, email, password)
        response = await gateway.get(
            "/api/v1/subscriptions",
            headers={
                **headers,
                "x-request-id": "req-123",
                "cookie": "session=secret",
                "x-forwarded-for": "203.0.113.9",
                "x-real-ip": "203.0.113.9",
                "x-user-id": "admin",
                "x-api-key": "lr_spoofed",
            },
        )
        assert response.status_code == 200, response.text
        echoed = response.json()
        # The echo service verified the token with the internal secret before answering.
        principal = echoed["principal"]
        assert principal["roles"] == ["institution_officer"]
        assert principal["institution_id"] == institution["id"]
        assert (principal["country"], principal["jurisdiction"]) == ("UY", "UY-CA")
        seen = echoed["headers"]
        assert seen["authorization"] != headers["authorization"]
        for leaked in ("cookie", "x-forwarded-for", "x-real-ip", "x-user-id", "x-api-key"):
            assert leaked not in seen
        assert seen["x-request-id"] == "req-123"
        assert response.headers["x-request-id"] == "req-123"

    async def test_the_address_the_caller_used_is_forwarded_not_the_one_it_claims(
        self, gateway: httpx.AsyncClient
    ) -> None:
        response = await gateway.get(
            "/api/v1/feeds/alerts.atom",
            headers={
                "host": "alerts.example.org:8443",
                "x-forwarded-host": "evil.example",
                "x-forwarded-proto": "gopher",
            },
        )
        seen = response.json()["headers"]
        assert seen["x-forwarded-host"] == "alerts.example.org:8443"
        assert seen["x-forwarded-proto"] == "http"

    async def test_a_call_on_the_public_host_took_the_public_scheme(
        self, gateway_settings: GatewayFactory
    ) -> None:
        """Behind a proxy that ends TLS the gateway is called over plain HTTP."""
        settings = await gateway_settings(public_url="https://alerts.example.org")
        async with running_app(create_app(settings)) as gateway:
            public = await gateway.get(
                "/api/v1/feeds/alerts.atom", headers={"host": "alerts.example.org"}
            )
            other = await gateway.get(
                "/api/v1/feeds/alerts.atom", headers={"host": "127.0.0.1:8000"}
            )
        assert public.json()["headers"]["x-forwarded-proto"] == "https"
        assert other.json()["headers"]["x-forwarded-proto"] == "http"

    async def test_api_key_caller_reaches_the_service_without_its_key(
        self, gateway: httpx.AsyncClient
    ) -> None:
        admin = await admin_headers(gateway)
        institution = await new_institution(gateway, admin)
        created = (
            await gateway.post(
                "/api/v1/api-keys",
                json={
                    "name": "importer",
                    "roles": ["ministry_officer"],
                    "institution_id": institution["id"],
                },
                headers=admin,
            )
        ).json()
        response = await gateway.post(
            "/api/v1/recommendations/import", headers={"x-api-key": created["key"]}
        )
        echoed = response.json()
        assert echoed["principal"]["kind"] == "api_key"
        assert echoed["principal"]["roles"] == ["ministry_officer"]
        assert created["key"] not in str(echoed["headers"])

    async def test_anonymous_caller_gets_a_client_key_and_no_roles(
        self, gateway_settings: GatewayFactory
    ) -> None:
        app = create_app(await gateway_settings())
        address = "203.0.113.7"
        async with running_app(app):
            transport = httpx.ASGITransport(app=app, client=(address, 4321))
            async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
                path = "/api/v1/consultations"
                first = (await client.get(path, headers={"user-agent": "A"})).json()
                again = (await client.get(path, headers={"user-agent": "A"})).json()
                other = (await client.get(path, headers={"user-agent": "B"})).json()
        principal = first["principal"]
        assert principal["kind"] == "anonymous"
        assert principal["roles"] == []
        assert principal["institution_id"] is None
        assert principal["client"] and len(principal["client"]) == 32
        assert again["principal"]["client"] == principal["client"]
        assert other["principal"]["client"] != principal["client"]
        # Neither the address nor the browser reaches the service, token included.
        token = first["headers"]["authorization"].removeprefix("Bearer ")
        claims = jwt.decode(token, options={"verify_signature": False})
        assert address not in str(first["headers"]) + str(claims)
        assert "user-agent" not in first["headers"]

    async def test_a_cookie_a_service_sets_goes_to_its_caller_and_never_to_the_next_one(
        self, gateway_settings: GatewayFactory, upstreams: dict[str, str]
    ) -> None:
        # By host name, not address: aiohttp's default cookie jar keeps cookies of names
        # only, as it would of http://consultation:8000 in docker compose.
        by_name = upstreams["consultation"].replace("127.0.0.1", "localhost")
        app = create_app(await gateway_settings(consultation_url=by_name))
        async with running_app(app) as gateway:
            setting = await gateway.get("/api/v1/consultations/x", params={"set_cookie": "mine"})
            gateway.cookies.clear()  # the next caller is someone else
            next_call = await gateway.get("/api/v1/consultations/x")
        assert setting.status_code == next_call.status_code == 200
        assert "upstream_session=mine" in setting.headers["set-cookie"]
        assert "cookie" not in next_call.json()["headers"]

    async def test_bad_credentials_stop_at_the_gateway(self, gateway: httpx.AsyncClient) -> None:
        response = await gateway.get(
            "/api/v1/consultations", headers={"authorization": "Bearer not-a-jwt"}
        )
        assert response.status_code == 401
        assert "service" not in response.json()


class TestFailingServices:
    async def test_a_stopped_service_gives_503_at_once(
        self, gateway_settings: GatewayFactory
    ) -> None:
        closed = f"http://127.0.0.1:{free_port()}"
        settings = await gateway_settings(notifications_url=closed, upstream_timeout=30)
        async with running_app(create_app(settings)) as client:
            started = time.monotonic()
            response = await client.get("/api/v1/alerts")
            elapsed = time.monotonic() - started
            assert response.status_code == 503
            assert response.headers["content-type"] == "application/problem+json"
            assert "notifications" in response.json()["detail"]
            # Refused connections are not waited on (the timeout here is 30 s).
            assert elapsed < 5
            # The other services are still served.
            assert (await client.get("/api/v1/consultations")).status_code == 200

    async def test_a_service_stopped_after_serving_gives_503_at_once(
        self, gateway_settings: GatewayFactory, internal_jwt_secret: str
    ) -> None:
        # The pool holds keep-alive connections to the service when it goes away: neither a
        # retried GET nor a POST (never retried) may hang on them or read as a 502.
        upstream = serve(echo_service("notifications", internal_jwt_secret))
        url = await upstream.__aenter__()
        settings = await gateway_settings(notifications_url=url, upstream_timeout=30)
        async with running_app(create_app(settings)) as client:
            try:
                for _ in range(3):
                    assert (await client.get("/api/v1/alerts")).status_code == 200
                    assert (await client.post("/api/v1/alerts", json={})).status_code == 200
            finally:
                await upstream.__aexit__(None, None, None)
            started = time.monotonic()
            down = [
                await client.get("/api/v1/alerts"),
                await client.post("/api/v1/alerts", json={"kind": "upr_review"}),
                await client.get("/api/v1/alerts/1"),
            ]
            elapsed = time.monotonic() - started
        assert [r.status_code for r in down] == [503, 503, 503], [r.text for r in down]
        assert all(r.json()["title"] == "Service unavailable" for r in down)
        assert elapsed < 5

    async def test_a_slow_service_gives_504_after_the_timeout(
        self, gateway_settings: GatewayFactory
    ) -> None:
        settings = await gateway_settings(upstream_timeout=0.5)
        async with running_app(create_app(settings)) as client:
            started = time.monotonic()
            response = await client.get("/api/v1/consultations/slow")
            elapsed = time.monotonic() - started
            assert response.status_code == 504
            assert response.json()["title"] == "Gateway timeout"
            # The service sleeps 5 s; the gateway gave up well before.
            assert elapsed < 4

    async def test_health_names_the_service_that_is_down(
        self, gateway_settings: GatewayFactory
    ) -> None:
        settings = await gateway_settings()
        async with running_app(create_app(settings)) as client:
            healthy = await client.get("/healthz")
            assert healthy.status_code == 200, healthy.text
            assert set(healthy.json()["checks"]) == {
                "database",
                "broker",
                "consultation",
                "notifications",
                "recommendations",
            }
        down = settings.model_copy(
            update={"recommendations_url": f"http://127.0.0.1:{free_port()}"}
        )
        async with running_app(create_app(down)) as client:
            unhealthy = await client.get("/healthz")
            assert unhealthy.status_code == 503
            checks = unhealthy.json()["checks"]
            assert checks["recommendations"] != "ok"
            assert checks["consultation"] == "ok"


class TestLimits:
    # The estimated (sliding-counter) limits use hour windows here: a window turning in the
    # middle of a test would let one request more through (see ratelimit.py).

    async def test_rate_limit_answers_429_with_retry_after(
        self, gateway_settings: GatewayFactory
    ) -> None:
        settings = await gateway_settings(rate_limit_default="3/hour")
        async with running_app(create_app(settings)) as client:
            answers = [await client.get("/api/v1/consultations") for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[0].headers["ratelimit-limit"] == "3"
        assert answers[0].headers["ratelimit-remaining"] == "2"
        refused = answers[3]
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.headers["ratelimit-remaining"] == "0"
        assert refused.headers["ratelimit-limit"] == "3"
        assert 1 <= int(refused.headers["ratelimit-reset"]) <= 3600
        assert refused.headers["content-type"] == "application/problem+json"

    async def test_limits_are_per_client(self, gateway_settings: GatewayFactory) -> None:
        settings = await gateway_settings(rate_limit_default="4/hour")
        async with running_app(create_app(settings)) as client:
            admin = await admin_headers(client)  # login has its own limit
            for _ in range(4):
                assert (await client.get("/api/v1/alerts")).status_code == 200
            assert (await client.get("/api/v1/alerts")).status_code == 429
            # The signed-in admin is another client with its own budget.
            assert (await client.get("/api/v1/alerts", headers=admin)).status_code == 200

    async def test_response_submission_has_a_stricter_limit(
        self, gateway_settings: GatewayFactory
    ) -> None:
        settings = await gateway_settings(rate_limit_responses="2/hour")
        async with running_app(create_app(settings)) as client:
            path = "/api/v1/consultations/abc/responses"
            codes = [(await client.post(path, json={})).status_code for _ in range(3)]
            assert codes == [200, 200, 429]
            assert (await client.get("/api/v1/consultations/abc")).status_code == 200

    async def test_login_has_a_stricter_limit(self, gateway_settings: GatewayFactory) -> None:
        settings = await gateway_settings(rate_limit_login="2/minute")
        async with running_app(create_app(settings)) as client:
            form = {"username": "someone@example.org", "password": "wrong-password"}
            codes = [
                (await client.post("/api/v1/auth/token", data=form)).status_code for _ in range(3)
            ]
            assert codes == [401, 401, 429]

    async def test_body_over_the_limit_is_refused_with_413(
        self, gateway_settings: GatewayFactory
    ) -> None:
        settings = await gateway_settings(max_body_bytes=2048, max_import_body_bytes=8192)
        async with running_app(create_app(settings)) as client:
            big = b"x" * 4096
            declared = await client.post("/api/v1/consultations/abc/responses", content=big)
            assert declared.status_code == 413
            assert declared.headers["content-type"] == "application/problem+json"

            async def chunks() -> AsyncIterator[bytes]:
                for _ in range(4):
                    yield b"x" * 1024

            chunked = await client.post("/api/v1/alerts", content=chunks())
            assert chunked.status_code == 413
            # Imports may be larger.
            imported = await client.post("/api/v1/recommendations/import", content=big)
            assert imported.status_code == 200
            assert imported.json()["body_length"] == len(big)
            # Own routes are limited too.
            own = await client.post("/api/v1/institutions", content=big)
            assert own.status_code == 413

    async def test_small_chunked_body_reaches_the_service_with_its_length(
        self, gateway: httpx.AsyncClient
    ) -> None:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(3):
                yield b"abc"

        response = await gateway.post("/api/v1/alerts", content=chunks())
        assert response.status_code == 200
        assert response.json()["body"] == "abcabcabc"
        assert response.json()["headers"]["content-length"] == "9"


class TestHeaders:
    async def test_security_headers_on_api_and_proxied_answers(
        self, gateway: httpx.AsyncClient
    ) -> None:
        for path in ("/api/v1/me", "/api/v1/consultations", "/healthz"):
            response = await gateway.get(path)
            assert response.headers["x-content-type-options"] == "nosniff"
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
            assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
            assert response.headers["x-request-id"]

    async def test_cors_allows_only_configured_origins(
        self, gateway_settings: GatewayFactory
    ) -> None:
        settings = await gateway_settings(cors_origins=["https://app.example.org"])
        async with running_app(create_app(settings)) as client:
            preflight: dict[str, Any] = {
                "access-control-request-method": "POST",
                "access-control-request-headers": "authorization,content-type",
            }
            allowed = await client.options(
                "/api/v1/consultations",
                headers={**preflight, "origin": "https://app.example.org"},
            )
            assert allowed.headers["access-control-allow-origin"] == "https://app.example.org"
            refused = await client.options(
                "/api/v1/consultations", headers={**preflight, "origin": "https://evil.example"}
            )
            assert "access-control-allow-origin" not in refused.headers
        # CORS answers preflights itself: they carry the security headers and request id too.
        for answer in (allowed, refused):
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
            assert answer.headers["x-request-id"]


class TestOpenAPI:
    async def test_merged_document_lists_service_and_gateway_routes(
        self, gateway: httpx.AsyncClient
    ) -> None:
        response = await gateway.get("/api/v1/openapi.json")
        assert response.status_code == 200
        document = response.json()
        paths = document["paths"]
        for path in (
            "/api/v1/consultations/things/{thing_id}",
            "/api/v1/alerts/things/{thing_id}",
            "/api/v1/recommendations/things/{thing_id}",
            "/api/v1/auth/token",
            "/api/v1/me",
            "/api/v1/institutions",
            "/api/v1/api-keys",
        ):
            assert path in paths, path
        # A service's route the gateway does not expose is not documented.
        assert not any("-internal" in path for path in paths)
        assert "x-localrights-unavailable" not in document

    async def test_schema_name_clash_is_resolved_with_refs_rewritten(
        self, gateway: httpx.AsyncClient
    ) -> None:
        document = (await gateway.get("/api/v1/openapi.json")).json()
        schemas = document["components"]["schemas"]
        assert set(schemas["Thing"]["properties"]) == {"value"}
        assert set(schemas["NotificationsThing"]["properties"]) == {"label"}

        def ref(path: str) -> str:
            operation = document["paths"][path]["get"]
            content = operation["responses"]["200"]["content"]["application/json"]
            return str(content["schema"]["$ref"])

        assert ref("/api/v1/consultations/things/{thing_id}") == "#/components/schemas/Thing"
        assert ref("/api/v1/alerts/things/{thing_id}") == (
            "#/components/schemas/NotificationsThing"
        )
        assert "OAuth2PasswordBearer" in document["components"]["securitySchemes"]

    async def test_document_names_services_it_could_not_reach(
        self, gateway_settings: GatewayFactory
    ) -> None:
        settings = await gateway_settings(consultation_url=f"http://127.0.0.1:{free_port()}")
        async with running_app(create_app(settings)) as client:
            document = (await client.get("/api/v1/openapi.json")).json()
        assert document["x-localrights-unavailable"] == ["consultation"]
        assert "/api/v1/alerts/things/{thing_id}" in document["paths"]

    async def test_swagger_ui_is_served(self, gateway: httpx.AsyncClient) -> None:
        response = await gateway.get("/docs")
        assert response.status_code == 200
        assert "/api/v1/openapi.json" in response.text


@pytest.mark.parametrize(
    "host",
    [
        b"alerts.example.org",
        b"alerts.example.org:8443",
        b"127.0.0.1:8000",
        b"LocalRights.Example",
        b"[::1]:8000",
        b"example.org:99999",
        b"example.org:00080",
        b"evil.example/path",
        b"user@evil.example",
        b"evil.example?x",
        b"",
        None,
    ],
)
def test_the_forwarded_host_is_the_one_starlette_reads(host: bytes | None) -> None:
    """The proxy reads the usual Host header itself; every header reads as Starlette's URL."""
    headers = [(b"host", host)] if host is not None else []
    scope = {
        "type": "http",
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "path": "/api/v1/alerts",
        "query_string": b"",
        "headers": headers,
    }
    request = Request(scope)
    assert proxy._host_used(request) == request.url.netloc
