"""The front door: proxied API calls go straight to the proxy, past the framework's routing.

A proxied call needs none of FastAPI's routing table (each route's pattern tried in turn),
dependency solving or response classes, which together cost the gateway several times the
hop itself (bench/gateway_overhead.py). This middleware, the innermost of the gateway's
(request id, security headers, CORS and body limits have all run), takes a call on a
proxied path with a method the proxy's routes take, and does what those routes do, in
their order: ``deps.rate_limited`` (authenticate; bad credentials count against the login
limit; then the default limit), ``proxy.responses_limited`` for an answer to a
consultation, then ``proxy.forward``. Errors raised before the answer starts go to the
app's own exception handlers, so their bodies and headers are the routes'. Every other
call goes on to the router.
"""

from __future__ import annotations

import inspect
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from localrights_gateway.deps import rate_limited
from localrights_gateway.proxy import METHODS, forward, is_submission, responses_limited
from localrights_gateway.upstreams import service_for

_METHODS = frozenset(METHODS)


class FrontDoor:
    """Pure ASGI middleware: proxied calls forwarded here, all others to ``app``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _METHODS:
            await self.app(scope, receive, send)
            return
        service = service_for(scope["path"])
        if service is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await rate_limited(request)
            if is_submission(scope["method"], scope["path"]):
                await responses_limited(request)
            await forward(request, service, send_tracked)
        except Exception as exc:
            handler = _handler_for(scope["app"], exc)
            if started or handler is None:
                raise
            if inspect.iscoroutinefunction(handler):
                response = await handler(request, exc)
            else:
                response = await run_in_threadpool(handler, request, exc)
            await response(scope, receive, send)


def _handler_for(app: Any, exc: Exception) -> Any:
    """The app's handler of ``exc``, as the router's exception middleware would pick it; None
    for what only the server-error handler takes (a 500)."""
    handlers = app.exception_handlers
    for cls in type(exc).__mro__:
        if cls is Exception:
            return None
        if cls in handlers:
            return handlers[cls]
    return None
