"""Helpers of the gateway tests: stand-in services served by uvicorn, sign-in and factories.

The upstreams are small FastAPI apps served by a real uvicorn on 127.0.0.1, so the proxy's
pooled aiohttp connections, timeouts and refused connections are the real thing.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request, Response
from pydantic import BaseModel, create_model

from localrights.auth import verify_internal_token
from localrights.embedded import free_port
from localrights_gateway.config import Settings

GatewayFactory = Callable[..., Awaitable[Settings]]
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
ADMIN = ("admin@example.org", "admin-password-for-tests")


class Thing(BaseModel):
    """A schema each fake service defines differently, to test name clashes."""

    value: int


# Same name, other shape: what another service may well define.
OtherThing = create_model("Thing", label=(str, ...))


def echo_service(name: str, secret: str, *, clash_shape: type[BaseModel] = Thing) -> FastAPI:
    """A stand-in service: echoes what reached it, verifies the internal token, can be slow."""
    app = FastAPI(title=f"{name} echo", openapi_url="/api/v1/openapi.json")
    clash = clash_shape

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/v1/consultations/slow")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(5)
        return {"status": "late"}

    @app.get(f"/api/v1/{_route_prefix(name)}/things/{{thing_id}}", response_model=clash)
    async def get_thing(thing_id: int) -> Any:
        """A documented route, to find in the merged OpenAPI."""
        return {"value": thing_id} if clash is Thing else {"label": str(thing_id)}

    @app.get(f"/api/v1/{_route_prefix(name)}-internal/hidden")
    async def hidden() -> dict[str, str]:
        """Not routed by the gateway: must not appear in the merged document."""
        return {}

    # Left out of the document: one operation id for five methods would clash.
    @app.api_route(
        "/api/v1/{path:path}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    async def echo(request: Request, response: Response, path: str) -> dict[str, Any]:
        if "set_cookie" in request.query_params:  # as a service that sets one might
            response.set_cookie("upstream_session", request.query_params["set_cookie"])
        body = await request.body()
        authorization = request.headers.get("authorization", "")
        principal = verify_internal_token(authorization.removeprefix("Bearer "), secret=secret)
        return {
            "service": name,
            "method": request.method,
            "path": request.url.path,
            "query": request.url.query,
            "headers": dict(request.headers),
            "body_length": len(body),
            "body": body.decode(errors="replace")[:200],
            "principal": principal.model_dump(mode="json"),
        }

    return app


def _route_prefix(service: str) -> str:
    return {"consultation": "consultations", "notifications": "alerts"}.get(
        service, "recommendations"
    )


@contextlib.asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn on a free local port; yield its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def login(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    """Headers with a fresh access token of this user."""
    response = await client.post(
        "/api/v1/auth/token", data={"username": email, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"authorization": f"Bearer {response.json()['access_token']}"}


async def admin_headers(client: httpx.AsyncClient) -> dict[str, str]:
    return await login(client, *ADMIN)


async def new_institution(
    client: httpx.AsyncClient, admin: dict[str, str], **fields: Any
) -> dict[str, Any]:
    body = {
        "name": "Intendencia de Canelones",
        "kind": "regional_government",
        "country": "UY",
        "jurisdiction": "UY-CA",
        **fields,
    }
    response = await client.post("/api/v1/institutions", json=body, headers=admin)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def new_user(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    *roles: str,
    institution_id: str | None = None,
    password: str = "a-long-enough-password",
) -> tuple[str, str]:
    """Create a user; return (email, password)."""
    email = f"user-{secrets.token_hex(4)}@example.org"
    body = {"email": email, "password": password, "roles": list(roles)}
    if institution_id:
        body["institution_id"] = institution_id
    response = await client.post("/api/v1/users", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return email, password
