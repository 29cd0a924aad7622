"""Pages for what goes wrong outside the API: unknown (404), forbidden (403), too many (429),
failed (500), in the site's layout with a way on, in the reader's language.

Paths a program calls (/api/..., health and metrics) keep their problem+json or plain
answers; everything else a browser may open answers HTML. Installed on the app by
``localrights_gateway.main`` through the web package's ``install``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.responses import PlainTextResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from localrights_gateway.web.rendering import Page, explained

log = structlog.get_logger(__name__)

MACHINE_PATHS = ("/api/", "/healthz", "/livez", "/readyz", "/metrics", "/docs", "/redoc")


def is_machine_path(path: str) -> bool:
    return path.startswith(MACHINE_PATHS) or path == "/openapi.json"


async def render_status(request: Request, status: int, *, signed_in: bool = True) -> Response:
    """The page of ``status`` (falling back to 500's words for statuses not explained)."""
    context: dict[str, Any] = {} if signed_in else {"me": None}
    try:
        return await explained(Page(request), status, **context)
    except Exception:  # the API that tells who is signed in may be what failed
        if not signed_in:
            raise
        return await render_status(request, status, signed_in=False)


def install(app: FastAPI) -> None:
    """Answer browsers' failures with pages; leave the API's handlers as they are."""
    api_http_error = app.exception_handlers.get(StarletteHTTPException)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if is_machine_path(request.url.path) and api_http_error is not None:
            handler: Callable[[Request, Exception], Awaitable[Response]] = api_http_error  # type: ignore[assignment]
            return await handler(request, exc)
        response = await render_status(request, exc.status_code)
        for name, value in (exc.headers or {}).items():
            response.headers.setdefault(name, value)
        return response

    async def server_error(request: Request, exc: Exception) -> Response:
        if is_machine_path(request.url.path):
            return PlainTextResponse("Internal Server Error", status_code=500)
        log.error("page_failed", path=request.url.path, error=repr(exc))
        return await render_status(request, 500, signed_in=False)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, server_error)
