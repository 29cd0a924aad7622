"""The app factory every service uses, so all four read the same from the outside."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from localrights.errors import install_error_handlers
from localrights.gc_tuning import tune_for_service
from localrights.observability import RequestContextMiddleware, configure_logging, metrics_endpoint
from localrights.openapi_problems import describe_problems
from localrights.runtime import BackgroundTask, ConsumerSpec, ServiceRuntime
from localrights.settings import ServiceSettings

API_PREFIX = "/api/v1"


def create_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    consumers: Sequence[ConsumerSpec] = (),
    background: Sequence[BackgroundTask] = (),
    version: str = "0.1.0",
) -> FastAPI:
    """A FastAPI app with the platform's runtime, errors, request ids, health and metrics."""
    configure_logging(
        service=settings.service_name, level=settings.log_level, json=settings.log_json
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with ServiceRuntime(settings, consumers=consumers, background=background) as rt:
            app.state.runtime = rt
            if settings.gc_tuning:
                tune_for_service()
            yield

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
    )
    app.state.settings = settings
    _document_problems(app)
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware, service=settings.service_name)
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    app.add_api_route("/livez", _livez, include_in_schema=False)
    app.add_api_route("/healthz", _healthz, include_in_schema=False)
    app.add_api_route("/readyz", _healthz, include_in_schema=False)
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


async def _livez() -> dict[str, str]:
    return {"status": "ok"}


async def _healthz(request: Request) -> JSONResponse:
    """Ready when the database and the broker answer."""
    runtime: ServiceRuntime = request.app.state.runtime
    checks: dict[str, Any] = {}
    for name, check in (("database", runtime.check_database), ("broker", runtime.check_broker)):
        try:
            await check()
            checks[name] = "ok"
        except Exception as exc:
            checks[name] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        "service": runtime.settings.service_name,
        "checks": checks,
    }
    return JSONResponse(body, status_code=200 if healthy else 503)
