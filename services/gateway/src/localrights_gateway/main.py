"""Gateway app: ``uvicorn localrights_gateway.main:create_app --factory``.

What the app holds for its parts (the web pages in ``localrights_gateway.web`` included):

- ``app.state.settings``: ``config.Settings``;
- ``app.state.runtime``: the shared ``ServiceRuntime`` (``runtime.sessions()`` opens a
  session on the gateway's own database: users, institutions, API keys);
- ``app.state.upstreams``: ``upstreams.Upstreams``; ``await upstreams.call(method, path,
  principal=..., params=..., json_body=...)`` calls the service owning an /api/v1 path as
  that principal (signed internal token) and returns an ``UpstreamReply`` (status, headers,
  body, .json()); it raises ``UpstreamError`` (502/503/504 problem) when the service fails;
- ``app.state.rate_limiter``: ``ratelimit.RateLimiter``; pages may call
  ``deps.count_request(request, "responses")`` (or "login", "default") to share the limits;
- ``app.state.standings``: ``revocation.StandingCache``, what people's tokens are checked
  against (routes that take access away call ``forget``/``clear`` on it);
- ``app.state.client_addresses``: ``forwarding.ClientAddresses`` (``deps.client_address``);
- ``app.state.openapi``: the merged OpenAPI document's cache.

Identity helpers for pages: ``service.authenticate_user`` + ``service.principal_for_user``
(sign in), ``security.issue_access_token`` / ``verify_access_token`` with
``deps.token_config(settings)`` (a session cookie can hold the same JWT),
``deps.anonymous_principal(request)`` for residents, and ``deps.vouched_client_headers``
for the pages' calls made on a resident's behalf.

Assembly: the API routers (identity, administration, the event catalogue, then the proxy)
under ``API_PREFIX``; the pages' ``web.router`` at the root (its own lifespan opens the
pages' HTTP client) with ``web.install`` (HTML error pages, the API's docs); static files at
``/static``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from uuid import UUID

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.staticfiles import StaticFiles

from localrights.app import API_PREFIX, OPENAPI_PATH, HealthCheck, Unhealthy, create_service_app
from localrights.runtime import ServiceRuntime
from localrights_gateway import api, proxy, service, web
from localrights_gateway.config import Settings, get_settings
from localrights_gateway.exceptions import UpstreamError
from localrights_gateway.forwarding import ClientAddresses
from localrights_gateway.front_door import FrontDoor, GatewayApp
from localrights_gateway.middleware import BodyLimitMiddleware, SecurityHeaders
from localrights_gateway.openapi import MergedOpenAPI
from localrights_gateway.ratelimit import RateLimiter
from localrights_gateway.revocation import Loader, Standing, StandingCache
from localrights_gateway.upstreams import SERVICES, Upstreams

log = structlog.get_logger(__name__)

STATIC = Path(__file__).parent / "static"
# Imports take files: the API (…/import, …/imports) and the page that uploads to it.
LARGE_BODY_PATHS = (f"{API_PREFIX}/recommendations/import", "/ministry/import")
_HEALTH_TIMEOUT = 2.0

DESCRIPTION = (
    "The one door to Localrights: consultations, alerts and subscriptions, UN "
    f"recommendations and reporting exercises. Sign in with POST {API_PREFIX}/auth/token "
    "(people) or send an API key (machines); residents need no account. "
    "Integrators: every event the platform publishes is in the "
    f"[event catalogue]({API_PREFIX}/asyncapi.html) (AsyncAPI 3.0, also as "
    f"[JSON]({API_PREFIX}/asyncapi.json)); webhook event types at "
    f"[{API_PREFIX}/webhooks/event-types]({API_PREFIX}/webhooks/event-types)."
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = create_service_app(
        settings=settings,
        title="Localrights API",
        description=DESCRIPTION,
        # The proxy last, so /api/v1/me is never taken for a proxied path.
        routers=[api.auth_router, api.router, proxy.router],
        resources=[upstream_clients, bootstrap_admin],
        health_checks={name: _service_health(name) for name in SERVICES},
        openapi_url=None,  # the merged document of the whole API, below
        app_class=GatewayApp,
        # Added by the request-id middleware, the outermost, in its one pass over an answer.
        response_headers=SecurityHeaders(hsts=settings.public_url.startswith("https://")),
    )
    app.add_route(OPENAPI_PATH, _openapi, include_in_schema=False)
    app.include_router(web.router)
    web.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    upstreams = Upstreams(settings)
    app.state.upstreams = upstreams
    app.state.rate_limiter = RateLimiter(
        settings.rate_limit_storage_uri,
        {
            "default": settings.rate_limit_default,
            "responses": settings.rate_limit_responses,
            "login": settings.rate_limit_login,
        },
        exact=frozenset({"login"}),
        enabled=settings.rate_limit_enabled,
    )
    app.state.standings = StandingCache(
        _standing_loader(app),
        ttl=settings.access_cache_seconds,
        on_change=upstreams.tokens.clear,
    )
    app.state.client_addresses = ClientAddresses(
        settings.trusted_proxies, settings.derived_key("vouched-client")
    )
    app.state.openapi = MergedOpenAPI(upstreams, app.openapi, settings.openapi_cache_seconds)
    _install_middleware(app, settings)
    return app


@asynccontextmanager
async def upstream_clients(app: FastAPI) -> AsyncIterator[None]:
    """The pooled HTTP client to the services, open while the gateway runs."""
    upstreams: Upstreams = app.state.upstreams
    await upstreams.start()
    try:
        yield
    finally:
        await upstreams.close()


@asynccontextmanager
async def bootstrap_admin(app: FastAPI) -> AsyncIterator[None]:
    """The first administrator's account, made at start when the settings name one."""
    settings: Settings = app.state.settings
    runtime: ServiceRuntime = app.state.runtime
    email, password = settings.bootstrap_admin_email, settings.bootstrap_admin_password
    if email and password is not None:
        try:
            async with runtime.sessions() as session, runtime.unit_of_work(session) as uow:
                user = await service.bootstrap_admin(
                    uow, email=email, password=password.get_secret_value()
                )
        except IntegrityError:  # another replica created it at the same moment
            user = None
        if user is not None:
            log.info("bootstrap_admin_created", user_id=str(user.id))
    yield


def _service_health(name: str) -> HealthCheck:
    """/healthz of the service ``name``, as one more check of the gateway's /healthz."""

    async def check(app: FastAPI) -> None:
        upstreams: Upstreams = app.state.upstreams
        try:
            reply = await upstreams.call_service(name, "GET", "/healthz", timeout=_HEALTH_TIMEOUT)
        except UpstreamError as exc:
            raise Unhealthy(exc.title) from exc
        if reply.status != 200:
            raise Unhealthy(f"status {reply.status}")

    return check


def _standing_loader(app: FastAPI) -> Loader:
    async def load(user_id: UUID) -> Standing | None:
        runtime: ServiceRuntime = app.state.runtime
        async with runtime.sessions() as session:
            return await service.user_standing(session=session, user_id=user_id)

    return load


async def _openapi(request: Request) -> JSONResponse:
    """The merged OpenAPI document of the whole public API."""
    merged: MergedOpenAPI = request.app.state.openapi
    return JSONResponse(await merged.document())


def _install_middleware(app: FastAPI, settings: Settings) -> None:
    # Innermost (after the shared request-id middleware), so a 413 carries the request id.
    app.user_middleware.append(
        Middleware(
            BodyLimitMiddleware,
            max_bytes=settings.max_body_bytes,
            large_max_bytes=settings.max_import_body_bytes,
            large_paths=LARGE_BODY_PATHS,
        )
    )
    # Innermost of all: proxied calls leave here for their service (front_door.py).
    app.user_middleware.append(Middleware(FrontDoor))
    if settings.cors_origins:
        # Right inside the shared request-id middleware (the outermost), so the answers
        # CORS makes itself (preflights) carry the request id and security headers too.
        app.user_middleware.insert(
            1,
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
                allow_headers=[
                    "Authorization",
                    "Content-Type",
                    "X-API-Key",
                    "Idempotency-Key",
                    "X-Request-ID",
                    "Accept-Language",
                ],
                expose_headers=[
                    "X-Request-ID",
                    "Retry-After",
                    "RateLimit-Limit",
                    "RateLimit-Remaining",
                    "RateLimit-Reset",
                ],
                max_age=600,
            ),
        )
