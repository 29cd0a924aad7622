"""Pure ASGI middleware of the gateway: body size limits and response security headers."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from localrights.errors import problem
from localrights_gateway.deps import RATE_HEADERS_STATE

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# JSON answers and server-rendered pages: everything from this origin only, never framed.
DEFAULT_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# The documentation pages (/docs draws Swagger UI from this gateway's own files, see
# web/api_docs.py; the page sets the same policy itself).
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")


class BodyLimitMiddleware:
    """413 for bodies over the limit; bodies of unknown length are read (bounded) first.

    A declared Content-Length over the limit is refused before a byte is read. A chunked
    body is buffered up to the limit and handed on with its Content-Length, so the proxy
    and the routes always know a body's size (and services never receive chunked bodies).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        large_max_bytes: int,
        large_paths: Sequence[str],
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.large_max_bytes = large_max_bytes
        self.large_paths = tuple(large_paths)

    def limit_for(self, path: str) -> int:
        return self.large_max_bytes if path.startswith(self.large_paths) else self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await _refuse(scope, receive, send, 400, "Bad request", "invalid Content-Length")
                return
            if size > limit:
                await _too_large(scope, receive, send, limit)
                return
            await self.app(scope, receive, send)
            return
        if b"chunked" not in headers.get(b"transfer-encoding", b"").lower():
            await self.app(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body.extend(message.get("body", b""))
            if len(body) > limit:
                await _too_large(scope, receive, send, limit)
                return
            if not message.get("more_body", False):
                break
        scope = dict(scope)
        dropped = (b"content-length", b"transfer-encoding")
        scope["headers"] = [(k, v) for k, v in scope["headers"] if k not in dropped]
        scope["headers"].append((b"content-length", str(len(body)).encode()))
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    detail = f"the request body is larger than this route accepts ({limit} bytes)"
    await _refuse(scope, receive, send, 413, "Payload too large", detail)


async def _refuse(
    scope: Scope, receive: Receive, send: Send, status: int, title: str, detail: str
) -> None:
    response = problem(status, title, detail, instance=scope["path"])
    response.headers["Connection"] = "close"
    await response(scope, receive, send)


class SecurityHeaders:
    """Security headers on every answer (kept when a page sets its own), plus rate headers.

    Added by the request-context middleware (``RequestContextMiddleware(response_headers=)``),
    the outermost, so that answers made by CORS (preflights) and the body limit get them too.
    """

    def __init__(self, *, hsts: bool = False) -> None:
        common = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]
        if hsts:
            common.append((b"strict-transport-security", b"max-age=31536000"))
        # Built once: the headers of a page or answer, and of the documentation pages.
        self._wanted = [(b"content-security-policy", DEFAULT_CSP.encode()), *common]
        self._wanted_docs = [(b"content-security-policy", DOCS_CSP.encode()), *common]

    def __call__(self, scope: Scope, headers: list[tuple[bytes, bytes]]) -> None:
        security = self._wanted_docs if scope["path"].startswith(DOCS_PATHS) else self._wanted
        present = {name.lower() for name, _ in headers}
        headers += [pair for pair in security if pair[0] not in present]
        state = scope.get("state")
        rate = state.get(RATE_HEADERS_STATE) if isinstance(state, dict) else None
        for name, value in (rate or {}).items():
            raw = name.lower().encode()
            if raw not in present:
                headers.append((raw, value.encode()))
