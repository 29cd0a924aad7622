"""The app factory every service uses, so all four read the same from the outside."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from localrights.errors import install_error_handlers
from localrights.gc_tuning import tune_for_service
from localrights.observability import (
    RequestContextMiddleware,
    ResponseHeaders,
    configure_logging,
    metrics_endpoint,
)
from localrights.openapi_problems import describe_problems
from localrights.runtime import BackgroundTask, ConsumerSpec, ServiceRuntime
from localrights.settings import ServiceSettings

API_PREFIX = "/api/v1"
OPENAPI_PATH = f"{API_PREFIX}/openapi.json"

# A client or pool of a service's own (beyond the runtime's engine and producer), entered
# once the runtime is up and closed before it: ``resource(app)``.
Resource = Callable[[FastAPI], AbstractAsyncContextManager[Any]]
# One more thing /healthz reports on: raises when it is not healthy (``Unhealthy`` says why).
HealthCheck = Callable[[FastAPI], Awaitable[None]]


class Unhealthy(Exception):
    """A health check's failure, in words for the /healthz body."""


def create_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    consumers: Sequence[ConsumerSpec] = (),
    background: Sequence[BackgroundTask] = (),
    resources: Sequence[Resource] = (),
    health_checks: Mapping[str, HealthCheck] | None = None,
    openapi_url: str | None = OPENAPI_PATH,
    version: str = "0.1.0",
    app_class: type[FastAPI] = FastAPI,
    response_headers: ResponseHeaders | None = None,
) -> FastAPI:
    """A FastAPI app with the platform's runtime, errors, request ids, health and metrics.

    ``resources`` are entered in order after the runtime starts (``app.state.runtime`` is
    set) and closed in reverse before it stops. ``health_checks`` join the database and
    broker in /healthz; /readyz stays on those two, what this process needs to serve.
    ``openapi_url=None`` leaves the OpenAPI route to the caller (the gateway merges its own).
    ``app_class``: a subclass of FastAPI (the gateway's takes proxied calls past the framework).
    ``response_headers``: the app's own headers on every answer, added by the request-id
    middleware (the outermost of the app's own) in its one pass over the answer's headers.
    """
    configure_logging(
        service=settings.service_name, level=settings.log_level, json=settings.log_json
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with (
            ServiceRuntime(settings, consumers=consumers, background=background) as rt,
            AsyncExitStack() as stack,
        ):
            app.state.runtime = rt
            if settings.gc_tuning:
                tune_for_service()
            for resource in resources:
                await stack.enter_async_context(resource(app))
            yield

    app = app_class(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        openapi_url=openapi_url,
    )
    app.state.settings = settings
    _document_problems(app)
    install_error_handlers(app)
    app.add_middleware(
        RequestContextMiddleware,
        service=settings.service_name,
        response_headers=response_headers,
    )
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    app.add_api_route("/livez", _livez, include_in_schema=False)
    app.add_api_route("/healthz", _health_endpoint(health_checks or {}), include_in_schema=False)
    app.add_api_route("/readyz", _health_endpoint({}), include_in_schema=False)
    for router in routers:
        app.include_router(router, prefix=API_PREFIX)
    return app


def _document_problems(app: FastAPI) -> None:
    """Make the app's OpenAPI document say that errors are problem+json (openapi_problems)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe_problems(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


async def app_settings(request: Request) -> ServiceSettings:  # async: no worker-thread hop
    """Dependency: the settings the app was made with; each service types it as its own
    (``SettingsDep = Annotated[Settings, Depends(app_settings)]``)."""
    settings: ServiceSettings = request.app.state.settings
    return settings


async def _livez() -> dict[str, str]:
    return {"status": "ok"}


def _health_endpoint(
    extra: Mapping[str, HealthCheck],
) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def health(request: Request) -> JSONResponse:
        """Healthy when the database, the broker and every extra check answer."""
        runtime: ServiceRuntime = request.app.state.runtime
        checks: dict[str, HealthCheck] = {
            "database": lambda _app: runtime.check_database(),
            "broker": lambda _app: runtime.check_broker(),
            **extra,
        }
        results = await asyncio.gather(*(_outcome(check(request.app)) for check in checks.values()))
        outcomes = dict(zip(checks, results, strict=True))
        healthy = all(value == "ok" for value in outcomes.values())
        body = {
            "status": "ok" if healthy else "unavailable",
            "service": runtime.settings.service_name,
            "checks": outcomes,
        }
        return JSONResponse(body, status_code=200 if healthy else 503)

    return health


async def _outcome(check: Awaitable[None]) -> str:
    try:
        await check
    except Unhealthy as exc:
        return f"error: {exc}"
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"
