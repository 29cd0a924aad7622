"""A bare reverse proxy: what any Python hop costs on this machine, the gateway's floor.

    BARE_PROXY_UPSTREAM=http://127.0.0.1:8001 uvicorn --factory _bare_proxy:create_app ...

Raw ASGI under uvicorn, started with the launcher's flags like the gateway
(``deploy/launch.py``); no framework, no authentication, no rate limit. One pooled aiohttp
session, set as the gateway's is, forwards the method, path, query, body and end-to-end
headers to the upstream and streams the answer back.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
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

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.session: aiohttp.ClientSession | None = None

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
            await send(
                {
                    "type": "http.response.start",
                    "status": upstream.status,
                    "headers": [
                        (name.lower().encode("latin-1"), value.encode("latin-1"))
                        for name, value in upstream.headers.items()
                        if name.lower() not in _RESPONSE_DROPPED
                    ],
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


def create_app() -> BareProxy:
    """``uvicorn --factory _bare_proxy:create_app``, upstream from BARE_PROXY_UPSTREAM."""
    return BareProxy(os.environ["BARE_PROXY_UPSTREAM"])
