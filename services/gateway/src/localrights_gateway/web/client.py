"""The pages' client of the platform's public JSON API (this gateway's /api/v1, over loopback).

Pages never reach into a service: what a page shows, an API client could do too. The caller's
identity travels as the user's JWT (from the session cookie); an anonymous resident's browser
travels as the User-Agent and their address as a header only this gateway can sign
(``deps.vouched_client_headers``, see forwarding.py), so the gateway derives the same
pseudonymous client key and applies the same rate limits as if the resident had called the
API directly.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI, Request

from localrights.app import API_PREFIX
from localrights.observability import REQUEST_ID_HEADER, current_request_id
from localrights_gateway.deps import vouched_client_headers
from localrights_gateway.web import places
from localrights_gateway.web.config import WebSettings

_STATE_CLIENT = "web_api_client"
_STATE_SETTINGS = "web_settings"


@dataclass
class ApiError(Exception):
    """A problem+json answer of the API (or a transport failure, as 503)."""

    status: int
    title: str
    detail: str
    errors: list[dict[str, Any]] = field(default_factory=list)
    retry_after: str | None = None

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"


def web_settings(app: FastAPI) -> WebSettings:
    settings: WebSettings | None = getattr(app.state, _STATE_SETTINGS, None)
    if settings is None:
        settings = WebSettings()
        setattr(app.state, _STATE_SETTINGS, settings)
    return settings


@asynccontextmanager
async def web_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the one shared HTTP client of the pages; close it at shutdown."""
    settings = web_settings(app)
    client = httpx.AsyncClient(
        timeout=httpx.Timeout(settings.api_timeout, connect=5.0),
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=10),
        follow_redirects=False,
    )
    setattr(app.state, _STATE_CLIENT, client)
    # The place-name index takes half a second to build: not on a resident's first search.
    await asyncio.to_thread(places.warm)
    try:
        yield
    finally:
        setattr(app.state, _STATE_CLIENT, None)
        await client.aclose()


def _http_client(request: Request) -> httpx.AsyncClient:
    client: httpx.AsyncClient | None = getattr(request.app.state, _STATE_CLIENT, None)
    if client is None:
        # The router's lifespan did not run (the router was mounted without it): create one
        # lazily rather than failing every page.
        settings = web_settings(request.app)
        client = httpx.AsyncClient(timeout=httpx.Timeout(settings.api_timeout, connect=5.0))
        setattr(request.app.state, _STATE_CLIENT, client)
    return client


def api_base_url(request: Request) -> str:
    settings = web_settings(request.app)
    if settings.api_url:
        return settings.api_url.rstrip("/")
    server = request.scope.get("server")
    port = server[1] if server and server[1] else 8000
    return f"http://127.0.0.1:{port}"


class Api:
    """One page request's view of the API: its credentials, language and request id."""

    def __init__(self, request: Request, *, token: str | None, language: str) -> None:
        self.request = request
        self.token = token
        self.language = language
        self.http = _http_client(request)
        self.base = api_base_url(request) + API_PREFIX

    def headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = {
            "Accept": "application/json",
            "Accept-Language": self.language,
            "User-Agent": self.request.headers.get("user-agent", "localrights-web"),
        }
        headers.update(vouched_client_headers(self.request))
        request_id = current_request_id()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        headers.update(extra or {})
        return headers

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """The raw answer of one call; ApiError for 4xx/5xx and transport failures."""
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        try:
            response = await self.http.request(
                method,
                self.base + path,
                params=clean,
                json=json,
                data=data,
                files=files,
                content=content,
                headers=self.headers(headers),
            )
        except httpx.TimeoutException as exc:
            raise ApiError(504, "Gateway timeout", "the platform did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise ApiError(503, "Service unavailable", "the platform cannot be reached") from exc
        if response.status_code >= 400:
            raise _error_from(response)
        return response

    async def get(self, path: str, **params: Any) -> Any:
        return (await self.call("GET", path, params=params)).json()

    async def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        response = await self.call("POST", path, json=json, **kwargs)
        return response.json() if response.content else None

    async def delete(self, path: str) -> None:
        await self.call("DELETE", path)


def _error_from(response: httpx.Response) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    errors = body.get("errors") or []
    return ApiError(
        status=response.status_code,
        title=str(body.get("title") or response.reason_phrase or "Error"),
        detail=str(body.get("detail") or body.get("title") or response.reason_phrase or ""),
        errors=[e for e in errors if isinstance(e, dict)],
        retry_after=response.headers.get("retry-after"),
    )
