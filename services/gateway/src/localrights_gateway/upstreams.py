"""The services behind the gateway: where each path goes, and one pooled HTTP client to them.

aiohttp rather than httpx: under 100 concurrent connections to a local uvicorn it moves about
20 times the requests per second (see ARCHITECTURE.md), and the gateway sits on every call.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
from multidict import CIMultiDictProxy

from localrights.app import API_PREFIX
from localrights.auth import Principal
from localrights.observability import current_request_id
from localrights_gateway.config import Settings
from localrights_gateway.deadlines import Deadlines
from localrights_gateway.exceptions import UpstreamError
from localrights_gateway.internal_tokens import InternalTokens

SERVICES = ("consultation", "notifications", "recommendations")

# Public path prefix -> the service that owns it. The path is passed on unchanged.
ROUTES: dict[str, str] = {
    f"{API_PREFIX}/consultations": "consultation",
    f"{API_PREFIX}/alerts": "notifications",
    f"{API_PREFIX}/subscriptions": "notifications",
    f"{API_PREFIX}/inbox": "notifications",
    f"{API_PREFIX}/feeds": "notifications",
    f"{API_PREFIX}/deliveries": "notifications",
    f"{API_PREFIX}/mandates": "notifications",
    f"{API_PREFIX}/recommendations": "recommendations",
    f"{API_PREFIX}/exercises": "recommendations",
    f"{API_PREFIX}/sdg": "recommendations",
    f"{API_PREFIX}/follow-up": "recommendations",
    f"{API_PREFIX}/recurrences": "recommendations",
    f"{API_PREFIX}/indicators": "recommendations",
}


def service_for(path: str) -> str | None:
    """The service owning ``path`` (whole segments only: /alertsfoo is nobody's)."""
    for prefix, service in ROUTES.items():
        if path == prefix or path.startswith(prefix + "/"):
            return service
    return None


@dataclass(frozen=True)
class UpstreamReply:
    """A whole (buffered) answer of a service, for the gateway's own calls."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Upstreams:
    """Base URLs of the services and the shared connection pool (built in the lifespan)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.urls = {
            "consultation": settings.consultation_url.rstrip("/"),
            "notifications": settings.notifications_url.rstrip("/"),
            "recommendations": settings.recommendations_url.rstrip("/"),
        }
        self._session: aiohttp.ClientSession | None = None
        self._deadlines: Deadlines | None = None
        self.tokens = InternalTokens(
            settings.internal_jwt_secret.get_secret_value(),
            timedelta(seconds=settings.internal_token_ttl_seconds),
        )

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("Upstreams.start() was not called (the app's lifespan runs it)")
        return self._session

    @property
    def deadlines(self) -> Deadlines:
        """The proxied calls' time limit (``upstream_timeout``), on the running loop."""
        if self._deadlines is None:
            raise RuntimeError("Upstreams.start() was not called (the app's lifespan runs it)")
        return self._deadlines

    async def start(self) -> None:
        self._deadlines = Deadlines(self.settings.upstream_timeout)
        connector = aiohttp.TCPConnector(
            limit=self.settings.upstream_pool_size,
            limit_per_host=0,
            keepalive_timeout=self.settings.upstream_keepalive_seconds,
            ttl_dns_cache=300,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            # Bodies pass through as the service encoded them.
            auto_decompress=False,
            # One session serves every caller: a cookie a service sets is its caller's alone
            # (passed on in the answer), never kept here and sent with the next caller's call.
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=self.timeout(),
            skip_auto_headers=("User-Agent", "Accept-Encoding"),
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def timeout(self, seconds: float | None = None) -> aiohttp.ClientTimeout:
        s = self.settings
        return aiohttp.ClientTimeout(
            total=None,
            sock_connect=s.upstream_connect_timeout,
            sock_read=seconds or s.upstream_timeout,
        )

    def internal_authorization(self, principal: Principal) -> str:
        """``Bearer <internal token>``: the verified caller, signed for the hop (reused for a
        while, internal_tokens.py); the request id goes as X-Request-ID beside it."""
        return self.tokens.authorization(principal)

    def url(self, service: str, path_and_query: str) -> str:
        return self.urls[service] + path_and_query

    async def call(
        self,
        method: str,
        path: str,
        *,
        principal: Principal,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> UpstreamReply:
        """Call the service owning ``path`` as ``principal`` and read its whole answer.

        For the gateway's own needs (web pages, health, OpenAPI); public API calls go
        through the streaming proxy instead. UpstreamError (502/503/504) when it fails.
        """
        service = service_for(path)
        if service is None:
            raise ValueError(f"no service owns {path}")
        return await self.call_service(
            service,
            method,
            path,
            principal=principal,
            params=params,
            json_body=json_body,
            data=data,
            headers=headers,
            timeout=timeout,
        )

    async def call_service(
        self,
        service: str,
        method: str,
        path: str,
        *,
        principal: Principal | None = None,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> UpstreamReply:
        """Like ``call`` for a named service and any path (``/healthz``, the OpenAPI...)."""
        sent: dict[str, str] = dict(headers or {})
        if principal is not None:
            sent["Authorization"] = self.internal_authorization(principal)
        request_id = current_request_id()
        if request_id:
            sent["X-Request-ID"] = request_id
        wait = timeout or self.settings.upstream_timeout
        try:
            async with asyncio.timeout(wait):
                async with self.session.request(
                    method,
                    self.url(service, path),
                    params=params,
                    json=json_body,
                    data=data,
                    headers=sent,
                    allow_redirects=False,
                    timeout=self.timeout(wait),
                ) as response:
                    body = await response.read()
                    return UpstreamReply(response.status, _plain(response.headers), body)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise upstream_error(service, exc) from None


def _plain(headers: CIMultiDictProxy[str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def upstream_error(service: str, exc: BaseException) -> UpstreamError:
    """Map a failed call to the problem the caller gets: 503 down, 504 slow, 502 broken."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError | aiohttp.ClientConnectorError):
        return UpstreamError(
            503, "Service unavailable", f"the {service} service cannot be reached; retry later"
        )
    if isinstance(exc, TimeoutError):
        return UpstreamError(
            504, "Gateway timeout", f"the {service} service did not answer in time"
        )
    return UpstreamError(502, "Bad gateway", f"the {service} service failed to answer")
