"""The front door: proxied API calls go straight to the proxy, past the framework.

A proxied call needs none of FastAPI's routing table (each route's pattern tried in turn),
dependency solving or response classes, which together cost the gateway several times the
hop itself (bench/gateway_overhead.py). ``FrontDoor``, the innermost of the gateway's
middleware (request id, security headers, CORS and body limits have all run), takes a call
on a proxied path with a method the proxy's routes take, and does what those routes do, in
their order: ``deps.rate_limited`` (authenticate; bad credentials count against the login
limit; then the default limit), ``proxy.responses_limited`` for an answer to a
consultation, then ``proxy.forward``. Errors raised before the answer starts go to the
app's own exception handlers, so their bodies and headers are the routes'; an unexpected
one gets the app's server-error answer (a 500), then goes on up for the server's log.
Every other call goes on to the router.

``GatewayApp`` goes one step further: it hands proxied calls to the app's own middleware
(``app.user_middleware``, FrontDoor innermost), built once, past the layers FastAPI and
Starlette put around it (server errors, which FrontDoor now answers itself; FastAPI's
exception telemetry and body limit, neither configured here).
"""

from __future__ import annotations

import inspect
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from localrights_gateway.deps import rate_limited
from localrights_gateway.proxy import METHODS, forward, is_submission, responses_limited
from localrights_gateway.upstreams import service_for

_METHODS = frozenset(METHODS)
# The service a proxied call goes to, as GatewayApp found it (FrontDoor looks it up itself
# when the scope has none: an app without GatewayApp).
SERVICE_SCOPE = "localrights.service"


class FrontDoor:
    """Pure ASGI middleware: proxied calls forwarded here, all others to ``app``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _METHODS:
            await self.app(scope, receive, send)
            return
        service = scope.get(SERVICE_SCOPE) or service_for(scope["path"])
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
            if started:
                raise
            app = scope["app"]
            handler = _handler_for(app, exc)
            failure: Exception = exc
            if handler is not None:
                try:
                    response = await _call(handler, request, exc)
                except Exception as passed_on:  # passed on (a database one), or its own bug
                    failure = passed_on
                else:
                    await response(scope, receive, send)
                    return
            # As Starlette's ServerErrorMiddleware: the server-error answer, then the error
            # goes on (the server logs it; a handler's own failure, caused by the first).
            # Answered here, it carries the request id and the security headers too.
            await (await _server_error(app, request, failure))(scope, receive, send)
            if failure is exc:
                raise
            raise failure from exc


async def _call(handler: Any, request: Request, exc: Exception) -> Response:
    if inspect.iscoroutinefunction(handler):
        response: Response = await handler(request, exc)
    else:
        response = await run_in_threadpool(handler, request, exc)
    return response


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


async def _server_error(app: Any, request: Request, exc: Exception) -> Response:
    """The app's answer to an unexpected error: its 500 (or Exception) handler's, else
    Starlette's plain one."""
    handler = app.exception_handlers.get(500) or app.exception_handlers.get(Exception)
    if handler is None:
        return PlainTextResponse("Internal Server Error", status_code=500)
    return await _call(handler, request, exc)


class GatewayApp(FastAPI):
    """FastAPI, with proxied calls handed straight to the app's own middleware.

    The chain is built once, at the first call, from ``user_middleware`` exactly as
    Starlette builds it (so request ids, security headers, CORS and body limits are the
    same code), around the full app (which FrontDoor passes what it does not take). An app
    whose middleware has no FrontDoor (a test comparing answers without it) has no fast
    path; nor has one with FastAPI's own body limit set, which the chain would skip.
    """

    _front_chain: ASGIApp | None = None
    _front_chain_built = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in _METHODS:
            service = service_for(scope["path"])
            if service is not None:
                if not self._front_chain_built:
                    self._front_chain = self._build_front_chain()
                    self._front_chain_built = True
                if self._front_chain is not None:
                    if self.root_path:
                        scope["root_path"] = self.root_path
                    scope["app"] = self
                    scope[SERVICE_SCOPE] = service  # FrontDoor's, found once
                    await self._front_chain(scope, receive, send)
                    return
        await super().__call__(scope, receive, send)

    def _build_front_chain(self) -> ASGIApp | None:
        classes: list[Any] = [m.cls for m in self.user_middleware]
        if self.max_body_size is not None or FrontDoor not in classes:
            return None
        chain: ASGIApp = super().__call__
        for cls, args, kwargs in reversed(self.user_middleware):
            chain = cls(chain, *args, **kwargs)
        return chain
