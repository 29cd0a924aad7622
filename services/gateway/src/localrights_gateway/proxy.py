"""The streaming reverse proxy from the API's paths to the service that owns each one.

Identity: the caller's credentials stop here. The service gets a signed internal token for
the verified principal (anonymous callers included, with only a pseudonymous client key),
and only the request headers listed below: never the caller's Authorization, API key,
cookies, forwarding or address headers, nor anything claiming an identity; the host and
scheme the caller used go as X-Forwarded-Host and X-Forwarded-Proto, set by the gateway.
Bodies are streamed both ways without being parsed. A service that is down answers 503 at
once (connection refused), one that is too slow 504 after ``upstream_timeout``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from functools import lru_cache
from urllib.parse import urlsplit

import aiohttp
import structlog
from fastapi import APIRouter, Depends, Request
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse
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
_CHUNK = 64 * 1024
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})

router = APIRouter(dependencies=[Depends(rate_limited)])


async def proxy(request: Request) -> Response:
    """Forward the request to its service and stream the answer back."""
    service = service_for(request.url.path)
    if service is None:  # only reachable through a route table mistake
        return Response(status_code=404)
    principal = await authenticate(request)
    upstreams: Upstreams = request.app.state.upstreams

    headers = {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in request.scope["headers"]
        if name.decode("latin-1").lower() in FORWARDED_REQUEST_HEADERS
    }
    headers["Authorization"] = upstreams.internal_authorization(principal)
    request_id = current_request_id()
    if request_id:
        headers["X-Request-ID"] = request_id
    # The address the caller used (never the caller's own X-Forwarded-*, dropped above), so
    # services can name public links, such as a feed's self link, as the reader sees them.
    host = request.url.netloc
    headers["X-Forwarded-Host"] = host
    headers["X-Forwarded-Proto"] = _scheme_used(host, request.url.scheme, upstreams.settings)

    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string", b"")
    target = raw_path.decode("latin-1") + (f"?{query.decode('latin-1')}" if query else "")
    url = URL(upstreams.url(service, target), encoded=True)
    has_body = int(headers.get("content-length", "0") or 0) > 0

    upstream: aiohttp.ClientResponse | None = None
    attempts = 1 if has_body or request.method not in _IDEMPOTENT else 2
    for attempt in range(attempts):
        try:
            async with asyncio.timeout(upstreams.settings.upstream_timeout):
                upstream = await upstreams.session.request(
                    request.method,
                    url,
                    headers=headers,
                    data=_body(request) if has_body else None,
                    allow_redirects=False,
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

    response_headers = {
        name: value
        for name, value in upstream.headers.items()
        if name.lower() not in DROPPED_RESPONSE_HEADERS
    }
    return StreamingResponse(
        _stream(upstream, service),
        status_code=upstream.status,
        headers=response_headers,
        background=BackgroundTask(_release, upstream),
    )


def _scheme_used(host: str, scheme: str, settings: Settings) -> str:
    """A call on the gateway's public host took its public scheme, even when a proxy in front
    ended TLS (X-Forwarded-Proto is not read); any other host, the scheme of the call."""
    public_host, public_scheme = _public_address(settings.public_url)
    return public_scheme if host.lower() == public_host else scheme


@lru_cache(maxsize=4)
def _public_address(public_url: str) -> tuple[str, str]:
    parts = urlsplit(public_url)
    return parts.netloc.lower(), parts.scheme


async def _release(upstream: aiohttp.ClientResponse) -> None:
    # Async on purpose: Starlette runs a plain function in its thread pool, a thread
    # hop per proxied request for a call that takes microseconds.
    upstream.release()


async def _body(request: Request) -> AsyncIterator[bytes]:
    async for chunk in request.stream():
        if chunk:
            yield chunk


async def _stream(upstream: aiohttp.ClientResponse, service: str) -> AsyncIterator[bytes]:
    try:
        async for chunk in upstream.content.iter_chunked(_CHUNK):
            yield chunk
    except (aiohttp.ClientError, TimeoutError) as exc:
        # The status line is sent already: all we can do is cut the answer short.
        log.warning("upstream_body_failed", service=service, error=repr(exc))
        upstream.close()
        raise
    finally:
        upstream.release()


async def responses_limited(request: Request) -> None:
    """Route dependency: a consultation's answers count against the stricter "responses" limit."""
    await count_request(request, "responses")


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
