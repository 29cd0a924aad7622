"""A client of the platform's public API, as an integrator or a test would use it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from uuid import uuid4

import httpx

T = TypeVar("T")


@dataclass
class Actor:
    """A signed-in user: an httpx client carrying their token, and who they are."""

    client: httpx.AsyncClient
    email: str
    institution_id: str | None

    async def call(
        self, method: str, path: str, expect: int | tuple[int, ...] = (200, 201), **kwargs: Any
    ) -> Any:
        response = await self.client.request(method, path, **kwargs)
        wanted = (expect,) if isinstance(expect, int) else expect
        assert response.status_code in wanted, (
            f"{method} {path} -> {response.status_code}: {response.text[:1000]}"
        )
        if response.headers.get("content-type", "").startswith(
            ("application/json", "application/problem+json")
        ):
            return response.json()
        return response.text


class Platform:
    """The gateway of a running stack, and ways to create the people who use it."""

    def __init__(self, base_url: str, admin: tuple[str, str]) -> None:
        self.base_url = base_url
        self._admin_credentials = admin
        self._clients: list[httpx.AsyncClient] = []
        self.admin: Actor | None = None

    def anonymous(self, **headers: str) -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=self.base_url, timeout=30, headers=headers)
        self._clients.append(client)
        return client

    async def login(self, email: str, password: str, institution_id: str | None = None) -> Actor:
        client = self.anonymous()
        response = await client.post(
            "/api/v1/auth/token", data={"username": email, "password": password}
        )
        assert response.status_code == 200, response.text
        client.headers["authorization"] = f"Bearer {response.json()['access_token']}"
        return Actor(client, email, institution_id)

    async def as_admin(self) -> Actor:
        if self.admin is None:
            self.admin = await self.login(*self._admin_credentials)
        return self.admin

    async def institution_with_officer(
        self,
        *,
        name: str,
        kind: str,
        country: str,
        jurisdiction: str,
        roles: tuple[str, ...] = ("institution_officer",),
        municipality: str | None = None,
    ) -> Actor:
        """Register an institution and one officer of it; return the officer, signed in."""
        admin = await self.as_admin()
        institution = await admin.call(
            "POST",
            "/api/v1/institutions",
            json={
                "name": name,
                "kind": kind,
                "country": country,
                "jurisdiction": jurisdiction,
                "municipality": municipality,
            },
        )
        email = f"officer-{uuid4().hex[:8]}@example.org"
        password = f"pw-{uuid4().hex}"
        await admin.call(
            "POST",
            "/api/v1/users",
            json={
                "email": email,
                "password": password,
                "roles": list(roles),
                "institution_id": institution["id"],
            },
        )
        return await self.login(email, password, institution["id"])

    async def user(self, *, roles: tuple[str, ...], institution_id: str | None = None) -> Actor:
        admin = await self.as_admin()
        email = f"user-{uuid4().hex[:8]}@example.org"
        password = f"pw-{uuid4().hex}"
        await admin.call(
            "POST",
            "/api/v1/users",
            json={
                "email": email,
                "password": password,
                "roles": list(roles),
                "institution_id": institution_id,
            },
        )
        return await self.login(email, password, institution_id)

    async def close(self) -> None:
        await asyncio.gather(*(c.aclose() for c in self._clients))


async def eventually(
    check: Callable[[], Awaitable[T]], *, timeout: float = 30.0, interval: float = 0.25
) -> T:
    """Retry an async check (that raises AssertionError) until it passes or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(interval)


# -- helpers the field scenarios share ----------------------------------------------------


def bearer_headers(base_url: str, email: str, password: str) -> dict[str, str]:
    """Headers with a fresh access token of this user (a blocking call, for sync tests)."""
    response = httpx.post(
        f"{base_url}/api/v1/auth/token", data={"username": email, "password": password}, timeout=30
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def park_or_library(jurisdiction: str, *, title: str, mode: str = "open") -> dict[str, Any]:
    """A consultation of one single-choice question, open from a minute ago for a week."""
    now = datetime.now(UTC)
    return {
        "participation_mode": mode,
        "title": {"en": title},
        "jurisdiction": jurisdiction,
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
        "questions": [
            {
                "id": "space",
                "type": "single_choice",
                "required": True,
                "title": {"en": "Which space first?"},
                "options": [
                    {"id": "park", "label": {"en": "The park"}},
                    {"id": "library", "label": {"en": "The library"}},
                ],
            }
        ],
    }


async def gather_bounded(coros: Iterable[Awaitable[T]], *, limit: int = 16) -> list[T]:
    """Run awaitables concurrently, at most ``limit`` at a time; results in order."""
    semaphore = asyncio.Semaphore(limit)

    async def one(coro: Awaitable[T]) -> T:
        async with semaphore:
            return await coro

    return await asyncio.gather(*(one(c) for c in coros))


def resident_headers(n: int, **extra: str) -> dict[str, str]:
    """Headers of resident number ``n``'s phone.

    Anonymous residents are known to the services only by the gateway's client key, a keyed
    hash of the caller's address and User-Agent. Every test resident calls from 127.0.0.1,
    so a distinct User-Agent is what makes each one a distinct client (as distinct phones
    behind one carrier's address are); the consultation service's per-client cap counts them.
    """
    return {
        "User-Agent": f"Mozilla/5.0 (Linux; Android 14; resident-{n}) Mobile Safari/537.36",
        **extra,
    }


async def submit_responses(
    platform: Platform,
    consultation_id: str,
    bodies: Sequence[dict[str, Any]],
    *,
    first_resident: int = 0,
    limit: int = 16,
) -> list[httpx.Response]:
    """Each body sent by its own anonymous resident (with an Idempotency-Key), concurrently."""
    client = platform.anonymous()

    async def send(n: int, body: dict[str, Any]) -> httpx.Response:
        headers = resident_headers(first_resident + n, **{"Idempotency-Key": uuid4().hex})
        return await client.post(
            f"/api/v1/consultations/{consultation_id}/responses", json=body, headers=headers
        )

    return await gather_bounded((send(n, b) for n, b in enumerate(bodies)), limit=limit)


async def import_recommendations(actor: Actor, path: Path) -> dict[str, Any]:
    """Upload a UHRI / UPR Info export file as the ministry would; the import report."""
    content_type = "application/json" if path.suffix == ".json" else "text/csv"
    report: dict[str, Any] = await actor.call(
        "POST",
        "/api/v1/recommendations/import",
        content=path.read_bytes(),
        headers={"content-type": content_type},
        expect=200,
    )
    return report


async def recommendations_of(
    client: Actor | httpx.AsyncClient, *, document_symbol: str, **criteria: str
) -> dict[str, dict[str, Any]]:
    """Public search narrowed to one document: {paragraph: recommendation}."""
    params = {**criteria, "page_size": "200"}
    if isinstance(client, Actor):
        page = await client.call("GET", "/api/v1/recommendations", params=params, expect=200)
    else:
        response = await client.get("/api/v1/recommendations", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
    return {r["paragraph"]: r for r in page["items"] if r["document_symbol"] == document_symbol}
