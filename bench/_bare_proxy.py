"""A bare reverse proxy: what any Python hop costs on this machine, the gateway's floor.

    BARE_PROXY_UPSTREAM=http://127.0.0.1:8001 uvicorn --factory _bare_proxy:create_app ...

Raw ASGI under uvicorn, started with the launcher's flags like the gateway
(``deploy/launch.py``); no framework, no authentication, no rate limit. One pooled aiohttp
session, set as the gateway's is, forwards the method, path, query, body and end-to-end
headers to the upstream and streams the answer back.

With ``BARE_PROXY_GATEWAY_HEADERS=1`` it also sends and answers the headers the gateway
does, work none (the floor of the gateway's security properties): upstream, an internal
token of an anonymous caller's size, a request id, the host and scheme used; to the
caller, the request id, the rate-limit headers and the gateway's own security headers.
"""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from datetime import timedelta
from typing import Any

import aiohttp
from yarl import URL

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# Hop-by-hop headers (RFC 9110 7.6.1) and those the client side sets for itself.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
    }
)
_RESPONSE_DROPPED = HOP_BY_HOP | {"content-length", "server", "date"}
_CHUNK = 64 * 1024


class BareProxy:
    """The ASGI application: lifespan opens and closes the pool; every request is forwarded."""

    def __init__(self, upstream: str, *, gateway_headers: bool = False) -> None:
        self.upstream = upstream.rstrip("/")
        self.session: aiohttp.ClientSession | None = None
        self.headers = GatewayHeaders() if gateway_headers else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.forward(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self.lifespan(receive, send)

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.session = aiohttp.ClientSession(
                    connector=aiohttp.TCPConnector(limit=200, limit_per_host=0),
                    auto_decompress=False,
                    cookie_jar=aiohttp.DummyCookieJar(),
                    skip_auto_headers=("User-Agent", "Accept-Encoding"),
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.session is not None:
                    await self.session.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.session is not None
        headers = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in scope["headers"]
            if name.decode("latin-1").lower() not in HOP_BY_HOP
        ]
        request_id = ""
        if self.headers is not None:
            request_id = os.urandom(16).hex()
            headers += self.headers.upstream(request_id)
        target = scope.get("raw_path") or scope["path"].encode()
        if scope["query_string"]:
            target += b"?" + scope["query_string"]
        has_body = any(name.lower() == "content-length" and value != "0" for name, value in headers)
        async with self.session.request(
            scope["method"],
            URL(self.upstream + target.decode("latin-1"), encoded=True),
            headers=headers,
            data=_body(receive) if has_body else None,
            allow_redirects=False,
        ) as upstream:
            answer_headers = [
                (name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in upstream.headers.items()
                if name.lower() not in _RESPONSE_DROPPED
            ]
            if self.headers is not None:
                self.headers.answer(scope, answer_headers, request_id)
            await send(
                {
                    "type": "http.response.start",
                    "status": upstream.status,
                    "headers": answer_headers,
                }
            )
            async for chunk in upstream.content.iter_chunked(_CHUNK):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _body(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message.get("body"):
            yield message["body"]
        if not message.get("more_body"):
            return


class GatewayHeaders:
    """The headers the gateway adds each way, made with the gateway's own code."""

    def __init__(self) -> None:
        # Imported here: the plain bare proxy loads none of the platform's code.
        from localrights.auth import Principal
        from localrights_gateway.deps import RATE_HEADERS_STATE
        from localrights_gateway.internal_tokens import InternalTokens
        from localrights_gateway.middleware import SecurityHeaders

        anonymous = Principal(subject=f"anonymous:{'0' * 32}", kind="anonymous", client="0" * 32)
        tokens = InternalTokens(os.urandom(32).hex(), timedelta(minutes=5))
        self.authorization = tokens.authorization(anonymous)
        self.security = SecurityHeaders()
        rate = {"RateLimit-Limit": "100000000", "RateLimit-Remaining": "99999999"}
        self.state = {RATE_HEADERS_STATE: {**rate, "RateLimit-Reset": "60"}}
        # What those imports built (the framework, the ORM) left out of the collector's
        # scans, as the gateway leaves its own start-up: only the headers' cost should show.
        gc.collect()
        gc.freeze()

    def upstream(self, request_id: str) -> list[tuple[str, str]]:
        return [
            ("Authorization", self.authorization),
            ("X-Request-ID", request_id),
            ("X-Forwarded-Host", "127.0.0.1:8000"),
            ("X-Forwarded-Proto", "http"),
        ]

    def answer(self, scope: Scope, headers: list[tuple[bytes, bytes]], request_id: str) -> None:
        headers.append((b"x-request-id", request_id.encode()))
        scope["state"] = self.state  # where the gateway's limiter leaves its headers
        self.security(scope, headers)


def create_app() -> BareProxy:
    """``uvicorn --factory _bare_proxy:create_app``, upstream from BARE_PROXY_UPSTREAM."""
    gateway_headers = os.environ.get("BARE_PROXY_GATEWAY_HEADERS") == "1"
    return BareProxy(os.environ["BARE_PROXY_UPSTREAM"], gateway_headers=gateway_headers)
