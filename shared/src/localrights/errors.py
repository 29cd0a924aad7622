"""One error family for every service, rendered as RFC 9457 problem+json by one handler."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from localrights.db import database_unavailable

PROBLEM_JSON = "application/problem+json"

log = structlog.get_logger(__name__)


class LocalrightsError(Exception):
    """Base of every error a use case raises on purpose; carries its HTTP status."""

    status_code = 400
    title = "Bad request"
    # Seconds after which the same request may succeed (a 429 or 503): sent as Retry-After
    # and as the body's ``retry_after``.
    retry_after: int | None = None

    def __init__(
        self,
        message: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []
        # Response headers the answer carries (Retry-After, RateLimit-*, ...).
        self.headers: dict[str, str] = dict(headers or {})


class InvalidInput(LocalrightsError):
    status_code = 422
    title = "Invalid input"


class Unauthorized(LocalrightsError):
    status_code = 401
    title = "Not authenticated"


class Forbidden(LocalrightsError):
    status_code = 403
    title = "Forbidden"


class NotFound(LocalrightsError):
    status_code = 404
    title = "Not found"


class Conflict(LocalrightsError):
    status_code = 409
    title = "Conflict"


class PayloadTooLarge(LocalrightsError):
    status_code = 413
    title = "Payload too large"


class ServiceUnavailable(LocalrightsError):
    status_code = 503
    title = "Service unavailable"


def problem(
    status: int, title: str, detail: str, *, instance: str | None = None, **extra: Any
) -> JSONResponse:
    """Build an RFC 9457 problem response."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    headers = {"Retry-After": str(extra["retry_after"])} if extra.get("retry_after") else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc if part not in ("body",)) or "body"


def _refused_value(exc: BaseException) -> bool:
    """Whether the database refused a value of the request (SQLSTATE class 22, data exception)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, asyncpg.exceptions.DataError):
            return True
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return False


def install_error_handlers(app: FastAPI) -> None:
    """Turn our errors, FastAPI validation errors and HTTP errors into problem+json."""

    @app.exception_handler(LocalrightsError)
    async def _domain_error(request: Request, exc: LocalrightsError) -> JSONResponse:
        response = problem(
            exc.status_code,
            exc.title,
            exc.message,
            instance=request.url.path,
            errors=exc.errors or None,
            retry_after=exc.retry_after,
        )
        response.headers.update(exc.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        unreadable = next((e for e in exc.errors() if e.get("type") == "json_invalid"), None)
        if unreadable is not None:
            # Not JSON at all: the request's syntax is wrong (400), not its content (422).
            reason = (unreadable.get("ctx") or {}).get("error", "invalid JSON")
            where = unreadable.get("loc", ("body", 0))[-1]
            detail = f"the body is not valid JSON: {reason} at character {where}"
            errors = [{"location": "body", "message": detail}]
            return problem(400, "Bad request", detail, instance=request.url.path, errors=errors)
        errors = [
            {"location": _location(err.get("loc", ())), "message": err.get("msg", "")}
            for err in exc.errors()
        ]
        detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors[:5])
        return problem(422, "Invalid input", detail, instance=request.url.path, errors=errors)

    async def _database_error(request: Request, exc: Exception) -> JSONResponse:
        if _refused_value(exc):
            # A value PostgreSQL cannot hold or compare (a NUL character, an integer past
            # 64 bits): the request is wrong, not the service.
            detail = (
                "a value in the request cannot be stored or compared: out of range, or "
                "holding a character such as NUL"
            )
            return problem(422, "Invalid input", detail, instance=request.url.path)
        # PostgreSQL away (restart, failover): tell the client at once to retry, rather
        # than a 500 that reads as a bug. Anything else stays a 500.
        if not database_unavailable(exc):
            raise exc
        log.warning("database_unavailable", path=request.url.path, error=repr(exc))
        return problem(
            503,
            "Service unavailable",
            "the database cannot be reached right now; retry later",
            instance=request.url.path,
            retry_after=1,
        )

    for exc_class in (
        OSError,
        DBAPIError,
        SQLAlchemyTimeoutError,
        asyncpg.PostgresError,
        asyncpg.InterfaceError,  # "connection is closed", from a direct asyncpg connection
        asyncpg.exceptions.InternalClientError,  # a statement after the server's last words
    ):
        app.add_exception_handler(exc_class, _database_error)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = problem(
            exc.status_code, _title(exc.status_code), str(exc.detail), instance=request.url.path
        )
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        allowed = _allowed_methods(request) if exc.status_code == 405 else []
        if allowed:
            # Starlette lists only the methods of the first route matching the path.
            response.headers["Allow"] = ", ".join(allowed)
        return response


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers at this request's path."""
    allowed: set[str] = set()
    # Included routers are nested in FastAPI's routing table: walk their routes too.
    for route in iter_route_contexts(request.app.router.routes):
        methods = route.methods
        if methods and route.matches(request.scope)[0] is not Match.NONE:
            allowed.update(methods)
    return sorted(allowed)


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class Problem(BaseModel):
    """RFC 9457 problem details, as every error response of the platform is shaped."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries so the OpenAPI shows which problems a route may answer."""
    from http import HTTPStatus

    return {code: {"model": Problem, "description": HTTPStatus(code).phrase} for code in codes}
