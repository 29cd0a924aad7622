"""Request ids, structured logs and Prometheus metrics, the same in every service."""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from collections.abc import Callable
from contextvars import ContextVar

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from localrights.db import database_unavailable

REQUEST_ID_HEADER = "x-request-id"
_ID_HEADER = REQUEST_ID_HEADER.encode()
_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

HTTP_REQUESTS = Counter(
    "localrights_http_requests_total", "HTTP requests handled", ["service", "method", "status"]
)
HTTP_LATENCY = Histogram(
    "localrights_http_request_seconds", "HTTP request latency", ["service", "method"]
)


def current_request_id() -> str | None:
    """The id of the request being handled (or of the event being consumed), if any."""
    return _request_id.get()


def set_request_id(value: str | None) -> None:
    """The id of the event being consumed, on each of its log lines (``add_request_id``)."""
    _request_id.set(value)


def add_request_id(
    _logger: object, _method: str, event: structlog.types.EventDict
) -> structlog.types.EventDict:
    """structlog processor: the id of the request at hand on each of its lines.

    Read from the middleware's own context variable: binding it in structlog's context
    per request (a context variable looked up by name, set, then unset) cost more.
    """
    request_id = _request_id.get()
    if request_id is not None:
        event.setdefault("request_id", request_id)
    return event


class OutageOnOneLine(logging.Filter):
    """Turns a driver's or pool's log record of an unreachable database into one line.

    During an outage asyncpg's pools log every failed attempt to reconnect ("Failed to
    restore the pool connection floor; retrying") with a traceback of a dozen lines, and
    SQLAlchemy's pool does the same for a connection it could not reset. The outage is
    expected and already answered with 503s: each becomes one structured warning, with the
    error; any other record, a bug's traceback included, passes unchanged.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is None or not database_unavailable(error):
            return True
        structlog.get_logger(record.name).warning(
            "database_unreachable", message=record.getMessage(), error=repr(error)[:500]
        )
        return False


# Filters of a logger do not apply to its children: the loggers that write these records.
_OUTAGE_LOGGERS = ("asyncpg.pool", "sqlalchemy.pool.impl.AsyncAdaptedQueuePool")


def configure_logging(*, service: str, level: str = "INFO", json: bool = True) -> None:
    """structlog to stdout, JSON in production, with the request id on every line."""
    logging.basicConfig(format="%(message)s", stream=sys.stdout, level=level.upper())
    for name in _OUTAGE_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, OutageOnOneLine) for f in logger.filters):
            logger.addFilter(OutageOnOneLine())
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            add_request_id,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        ),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)


# Adds headers to an answer's list, in place (an app's own, on every answer).
ResponseHeaders = Callable[[Scope, list[tuple[bytes, bytes]]], None]


class RequestContextMiddleware:
    """Pure ASGI: takes or makes X-Request-ID, echoes it, counts and times the request.

    ``response_headers`` adds an app's own headers to every answer in the same pass (the
    gateway's security headers), where a middleware of its own would wrap ``send`` again.
    """

    def __init__(
        self, app: ASGIApp, *, service: str, response_headers: ResponseHeaders | None = None
    ) -> None:
        self.app = app
        self.service = service
        self.response_headers = response_headers
        self._children: dict[tuple[str, int], tuple[Counter, Histogram]] = {}

    def _metrics(self, method: str, status: int) -> tuple[Counter, Histogram]:
        """The request counter and latency histogram of one method and status, looked up
        once (prometheus_client's ``labels`` takes a lock and builds its key every call)."""
        key = (method, status)
        children = self._children.get(key)
        if children is None:
            children = (
                HTTP_REQUESTS.labels(self.service, method, str(status)),
                HTTP_LATENCY.labels(self.service, method),
            )
            self._children[key] = children
        return children

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The request's state, made here if the server made none: layers inside that copy
        # the scope (a chunked body's) then share it with the answer's headers.
        scope.setdefault("state", {})
        incoming = next(
            (value.decode("latin-1") for name, value in scope["headers"] if name == _ID_HEADER),
            "",
        )
        # 128 random bits in hex, as uuid4().hex but without building a UUID per request.
        request_id = incoming if _REQUEST_ID_OK.match(incoming) else os.urandom(16).hex()
        token = _request_id.set(request_id)  # on every log line of the request (add_request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((_ID_HEADER, request_id.encode()))
                if self.response_headers is not None:
                    self.response_headers(scope, headers)
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            count, latency = self._metrics(scope.get("method", "GET"), status)
            count.inc()
            latency.observe(time.perf_counter() - started)
            _request_id.reset(token)


async def metrics_endpoint(_request: Request) -> Response:
    """Prometheus exposition of this process's metrics."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
