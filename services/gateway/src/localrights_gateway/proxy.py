"""The reverse proxy from the API's paths to the service that owns each one.

Identity: the caller's credentials stop here. The service gets a signed internal token for
the verified principal (anonymous callers included, with only a pseudonymous client key),
and only the request headers listed below: never the caller's Authorization, API key,
cookies, forwarding or address headers, nor anything claiming an identity; the host and
scheme the caller used go as X-Forwarded-Host and X-Forwarded-Proto, set by the gateway.
Bodies pass both ways without being parsed: up to 64 KiB whole, larger ones streamed. A
service that is down answers 503 at once (connection refused), one that is too slow 504
after ``upstream_timeout``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from functools import lru_cache
from urllib.parse import urlsplit

import aiohttp
import structlog
from fastapi import APIRouter, Depends, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from yarl import URL

from localrights.app import API_PREFIX
from localrights.observability import current_request_id
from localrights_gateway.config import Settings
from localrights_gateway.deps import authenticate, count_request, rate_limited
from localrights_gateway.upstreams import ROUTES, Upstreams, service_for, upstream_error

log = structlog.get_logger(__name__)

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

# Request headers a service may see; everything else (Authorization, X-API-Key, Cookie,
# Forwarded, X-Forwarded-*, X-Real-IP, any home-made identity header) is dropped.
FORWARDED_REQUEST_HEADERS = frozenset(
    {
        "accept",
        "accept-encoding",
        "accept-language",
        "cache-control",
        "content-encoding",
        "content-language",
        "content-length",
        "content-type",
        "idempotency-key",
        "if-match",
        "if-modified-since",
        "if-none-match",
        "if-unmodified-since",
        "prefer",
        "range",
    }
)
# Hop-by-hop and per-connection response headers, plus those this gateway sets itself.
DROPPED_RESPONSE_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "server",
        "date",
        "x-request-id",
    }
)
# The same names as ASGI and aiohttp hand them over (bytes), compared without decoding.
_FORWARDED_RAW = frozenset(name.encode("latin-1") for name in FORWARDED_REQUEST_HEADERS)
_DROPPED_RAW = frozenset(name.encode("latin-1") for name in DROPPED_RESPONSE_HEADERS)
_CHUNK = 64 * 1024
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})

router = APIRouter(dependencies=[Depends(rate_limited)])


async def proxy(request: Request) -> Response:
    """Route endpoint: forward the request to its service and stream the answer back.

    The front door (``front_door.FrontDoor``) takes proxied calls before the router does and
    calls ``forward`` itself; these routes stay as the table of what is proxied (a method
    no route takes gets its 405 from the router, with the methods allowed).
    """
    service = service_for(request.url.path)
    if service is None:  # only reachable through a route table mistake
        return Response(status_code=404)
    await authenticate(request)
    return _Forwarded(service)


class _Forwarded(Response):
    """The service's answer, as a response the route returns."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.background = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await forward(Request(scope, receive), self.service, send)
        if self.background is not None:
            await self.background()


async def forward(request: Request, service: str, send: Send) -> None:
    """Send the request to ``service`` as its verified caller and the answer to ``send``.

    Raises UpstreamError before anything is sent when the service cannot be reached; a
    failure after the status line was sent can only cut the answer short (it raises).
    """
    principal = await authenticate(request)
    upstreams: Upstreams = request.app.state.upstreams
    scope = request.scope

    headers = {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in scope["headers"]
        if name.lower() in _FORWARDED_RAW
    }
    headers["Authorization"] = upstreams.internal_authorization(principal)
    request_id = current_request_id()
    if request_id:
        headers["X-Request-ID"] = request_id
    # The address the caller used (never the caller's own X-Forwarded-*, dropped above), so
    # services can name public links, such as a feed's self link, as the reader sees them.
    host = _host_used(request)
    headers["X-Forwarded-Host"] = host
    scheme = scope.get("scheme", "http")
    headers["X-Forwarded-Proto"] = _scheme_used(host, scheme, upstreams.settings)

    raw_path = scope.get("raw_path") or request.url.path.encode()
    query = scope.get("query_string", b"")
    target = raw_path.decode("latin-1") + (f"?{query.decode('latin-1')}" if query else "")
    url = URL(upstreams.url(service, target), encoded=True)
    length = int(headers.get("content-length", "0") or 0)
    method = scope["method"]
    # A small body is read whole (one write upstream, no generator); a large one streams.
    data: bytes | AsyncIterator[bytes] | None = None
    if length > _CHUNK:
        data = _body(request)
    elif length > 0:
        data = await request.body()

    upstream: aiohttp.ClientResponse | None = None
    attempts = 1 if length > 0 or method not in _IDEMPOTENT else 2
    for attempt in range(attempts):
        try:
            with upstreams.deadlines.bound():  # upstream_timeout, one timer for all calls
                upstream = await upstreams.session.request(
                    method, url, headers=headers, data=data, allow_redirects=False
                )
            break
        except aiohttp.ServerDisconnectedError as exc:
            # A pooled connection the service closed just now: one retry, idempotent only.
            if attempt + 1 == attempts:
                raise upstream_error(service, exc) from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("upstream_failed", service=service, error=repr(exc))
            raise upstream_error(service, exc) from None
    assert upstream is not None
    try:
        await _answer(upstream, service, send)
    finally:
        upstream.release()


def _host_used(request: Request) -> str:
    """The host (and port) the caller used, as ``request.url.netloc`` says, without building
    the URL for the usual Host header (a name or IPv4 address, maybe a port), which Starlette
    keeps as it came; anything else is left to Starlette's own parsing."""
    headers: list[tuple[bytes, bytes]] = request.scope["headers"]
    for name, value in headers:
        if name == b"host":
            plain = _PLAIN_HOST.fullmatch(value)
            if plain is not None and int(plain[1] or 0) <= _MAX_PORT:
                return value.decode("latin-1")
            break
    return request.url.netloc


_PLAIN_HOST = re.compile(rb"[A-Za-z0-9.-]+(?::([0-9]{1,5}))?")
_MAX_PORT = 65535


def _scheme_used(host: str, scheme: str, settings: Settings) -> str:
    """A call on the gateway's public host took its public scheme, even when a proxy in front
    ended TLS (X-Forwarded-Proto is not read); any other host, the scheme of the call."""
    public_host, public_scheme = _public_address(settings.public_url)
    return public_scheme if host.lower() == public_host else scheme


@lru_cache(maxsize=4)
def _public_address(public_url: str) -> tuple[str, str]:
    parts = urlsplit(public_url)
    return parts.netloc.lower(), parts.scheme


async def _body(request: Request) -> AsyncIterator[bytes]:
    async for chunk in request.stream():
        if chunk:
            yield chunk


async def _answer(upstream: aiohttp.ClientResponse, service: str, send: Send) -> None:
    """The service's status, headers (less hop-by-hop ones) and body, to the caller."""
    headers = [
        (lower, value)
        for name, value in upstream.raw_headers
        if (lower := name.lower()) not in _DROPPED_RAW
    ]
    await send({"type": "http.response.start", "status": upstream.status, "headers": headers})
    try:
        if upstream.content_length is not None and upstream.content_length <= _CHUNK:
            body = await upstream.read()
            await send({"type": "http.response.body", "body": body, "more_body": False})
            return
        async for chunk in upstream.content.iter_chunked(_CHUNK):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    except (aiohttp.ClientError, TimeoutError) as exc:
        # The status line is sent already: all we can do is cut the answer short.
        log.warning("upstream_body_failed", service=service, error=repr(exc))
        upstream.close()
        raise
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def responses_limited(request: Request) -> None:
    """Route dependency: a consultation's answers count against the stricter "responses" limit."""
    await count_request(request, "responses")


def is_submission(method: str, path: str) -> bool:
    """Whether a call submits a consultation's answer (the routes with ``responses_limited``)."""
    return method == "POST" and _SUBMISSION.match(path) is not None


_SUBMISSION = re.compile(rf"^{API_PREFIX}/consultations/[^/]+/responses/?$")
# Declared before the catch-all routes below, so a submission is matched here first.
for _path in (
    "/consultations/{consultation_id}/responses",
    "/consultations/{consultation_id}/responses/",
):
    router.add_api_route(
        _path,
        proxy,
        methods=["POST"],
        dependencies=[Depends(responses_limited)],
        include_in_schema=False,
    )
for _prefix in ROUTES:
    _public = _prefix.removeprefix(API_PREFIX)
    router.add_api_route(_public, proxy, methods=METHODS, include_in_schema=False)
    router.add_api_route(_public + "/{rest:path}", proxy, methods=METHODS, include_in_schema=False)
