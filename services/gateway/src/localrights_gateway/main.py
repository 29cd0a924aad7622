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

Hooks: the web package exposes ``router: APIRouter`` (included at the root, no prefix, after
the API), optionally ``install`` (``app -> None``: its HTML error pages) and ``lifespan``
(``app -> async context manager``, entered once the
gateway's own clients are up); ``localrights_gateway/static/`` is served at ``/static``
when it exists. ``catalog_api``
exposes ``router`` with the AsyncAPI and webhook event-type routes (under /api/v1).
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import UUID

import structlog
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute, Route
from starlette.staticfiles import StaticFiles

from localrights.app import API_PREFIX, create_service_app
from localrights.errors import problem
from localrights.runtime import ServiceRuntime
from localrights_gateway import api, proxy, service
from localrights_gateway.config import Settings, get_settings
from localrights_gateway.deps import rate_limited
from localrights_gateway.exceptions import RateLimited
from localrights_gateway.forwarding import ClientAddresses
from localrights_gateway.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from localrights_gateway.openapi import MergedOpenAPI
from localrights_gateway.ratelimit import RateLimiter
from localrights_gateway.revocation import Loader, Standing, StandingCache
from localrights_gateway.upstreams import SERVICES, Upstreams

log = structlog.get_logger(__name__)

OPENAPI_PATH = f"{API_PREFIX}/openapi.json"
# Imports take files: the API (…/import, …/imports) and the page that uploads to it.
LARGE_BODY_PATHS = (f"{API_PREFIX}/recommendations/import", "/ministry/import")
_HEALTH_TIMEOUT = 2.0


def _optional_module(name: str) -> ModuleType | None:
    """A part of the gateway built by another part of the team, when it is there."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise  # the module exists but is broken: say so at start, loudly


def _router_of(module: ModuleType | None) -> APIRouter | None:
    router = getattr(module, "router", None) if module is not None else None
    if module is not None and not isinstance(router, APIRouter):
        log.warning("module_without_router", module=module.__name__)
        return None
    return router


def _has_prefix(router: APIRouter) -> bool:
    return any(getattr(route, "path", "").startswith(API_PREFIX) for route in router.routes)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = create_service_app(
        settings=settings,
        title="Localrights API",
        description=(
            "The one door to Localrights: consultations, alerts and subscriptions, UN "
            "recommendations and reporting exercises. Sign in with POST /api/v1/auth/token "
            "(people) or send an API key (machines); residents need no account. "
            "Integrators: every event the platform publishes is in the "
            "[event catalogue](/api/v1/asyncapi.html) (AsyncAPI 3.0, also as "
            "[JSON](/api/v1/asyncapi.json)); webhook event types at "
            "[/api/v1/webhooks/event-types](/api/v1/webhooks/event-types)."
        ),
        routers=[api.auth_router, api.router],
    )
    catalog = _router_of(_optional_module("localrights_gateway.catalog_api"))
    if catalog is not None:
        app.include_router(
            catalog,
            prefix="" if _has_prefix(catalog) else API_PREFIX,
            dependencies=[Depends(rate_limited)],
        )
    # After the gateway's own routes, so /api/v1/me is never taken for a proxied path.
    app.include_router(proxy.router, prefix=API_PREFIX)
    web_module = _optional_module("localrights_gateway.web")
    web = _router_of(web_module)
    if web is not None:
        app.include_router(web)
        install_pages = getattr(web_module, "install", None)
        if install_pages is not None:
            install_pages(app)  # HTML error pages for every path outside the API
    static = Path(__file__).parent / "static"
    if static.is_dir():
        app.mount("/static", StaticFiles(directory=static), name="static")

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
    app.state.standings = StandingCache(_standing_loader(app), ttl=settings.access_cache_seconds)
    app.state.client_addresses = ClientAddresses(
        settings.trusted_proxies, settings.derived_key("vouched-client")
    )
    app.state.openapi = MergedOpenAPI(upstreams, app.openapi, settings.openapi_cache_seconds)
    _replace_route(app, OPENAPI_PATH, Route(OPENAPI_PATH, _openapi, include_in_schema=False))
    _replace_route(app, "/healthz", Route("/healthz", _healthz, include_in_schema=False))

    @app.exception_handler(RateLimited)
    async def _rate_limited(request: Request, exc: RateLimited) -> JSONResponse:
        response = problem(429, exc.title, exc.message, instance=request.url.path)
        response.headers.update(exc.headers)
        return response

    _install_middleware(app, settings)
    web_lifespan = getattr(web_module, "lifespan", None) if web is not None else None
    _wrap_lifespan(app, settings, upstreams, web_lifespan)
    return app


def _standing_loader(app: FastAPI) -> Loader:
    async def load(user_id: UUID) -> Standing | None:
        runtime: ServiceRuntime = app.state.runtime
        async with runtime.sessions() as session:
            return await service.user_standing(session=session, user_id=user_id)

    return load


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
    if settings.cors_origins:
        app.add_middleware(
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
        )
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.public_url.startswith("https://"))


def _replace_route(app: FastAPI, path: str, route: BaseRoute) -> None:
    """Put our own handler where the shared app factory registered a default one."""
    routes = app.router.routes
    for index, existing in enumerate(routes):
        if getattr(existing, "path", None) == path:
            routes[index] = route
            return
    routes.append(route)


def _wrap_lifespan(
    app: FastAPI,
    settings: Settings,
    upstreams: Upstreams,
    web_lifespan: Callable[[FastAPI], AbstractAsyncContextManager[Any]] | None,
) -> None:
    """The shared lifespan (database, broker, outbox relay) plus the gateway's own clients."""
    shared = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with shared(app) as state, AsyncExitStack() as stack:
            await upstreams.start()
            stack.push_async_callback(upstreams.close)
            await _bootstrap_admin(app.state.runtime, settings)
            if web_lifespan is not None:
                await stack.enter_async_context(web_lifespan(app))
            yield state

    app.router.lifespan_context = lifespan


async def _bootstrap_admin(runtime: ServiceRuntime, settings: Settings) -> None:
    email, password = settings.bootstrap_admin_email, settings.bootstrap_admin_password
    if not email or password is None:
        return
    try:
        async with runtime.sessions() as session, runtime.unit_of_work(session) as uow:
            user = await service.bootstrap_admin(
                uow, email=email, password=password.get_secret_value()
            )
    except IntegrityError:  # another replica created it at the same moment
        return
    if user is not None:
        log.info("bootstrap_admin_created", user_id=str(user.id))


async def _openapi(request: Request) -> JSONResponse:
    """The merged OpenAPI document of the whole public API."""
    merged: MergedOpenAPI = request.app.state.openapi
    return JSONResponse(await merged.document())


async def _healthz(request: Request) -> JSONResponse:
    """Healthy when the gateway's database and broker and every service's /healthz answer."""
    runtime: ServiceRuntime = request.app.state.runtime
    upstreams: Upstreams = request.app.state.upstreams

    async def own(check: Any) -> str:
        try:
            await check()
            return "ok"
        except Exception as exc:
            return f"error: {type(exc).__name__}"

    async def remote(name: str) -> str:
        try:
            reply = await upstreams.call_service(name, "GET", "/healthz", timeout=_HEALTH_TIMEOUT)
        except Exception as exc:
            return f"error: {getattr(exc, 'title', type(exc).__name__)}"
        return "ok" if reply.status == 200 else f"error: status {reply.status}"

    results = await asyncio.gather(
        own(runtime.check_database),
        own(runtime.check_broker),
        *(remote(name) for name in SERVICES),
    )
    checks = dict(zip(("database", "broker", *SERVICES), results, strict=True))
    healthy = all(value == "ok" for value in checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        "service": "gateway",
        "checks": checks,
    }
    return JSONResponse(body, status_code=200 if healthy else 503)
