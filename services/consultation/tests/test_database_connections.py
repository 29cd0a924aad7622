"""A connection PostgreSQL ended is a 503 and is thrown away, on the ORM and the ingest path.

PostgreSQL ending a connection (a restart, an administrator) sends FATAL 57P01 and then
closes the socket; a client may read the two in different turns of its event loop. A
statement sent in between meets a connection that looks open but cannot run it (asyncpg:
"cannot switch to state 12; another operation (2) is in progress"): a fault test under
load saw it answered with a 500. The proxy here holds the close back, so every statement
lands in that window.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import httpx
import pytest

from localrights.db import asyncpg_dsn
from localrights.testing.helpers import running_app
from localrights.testing.tcp_proxy import DelayedCloseProxy
from localrights_consultation.config import Settings
from localrights_consultation.main import create_app

from .conftest import consultation_body, good_answers

API = "/api/v1/consultations"


@pytest.fixture
async def proxied(settings: Settings) -> AsyncIterator[tuple[DelayedCloseProxy, httpx.AsyncClient]]:
    """The service, talking to its database through the proxy."""
    async with DelayedCloseProxy.running(settings.database_url) as (proxy, url):
        app = create_app(settings.model_copy(update={"database_url": url}))
        async with running_app(app) as client:
            yield proxy, client
            proxy.hold_closes = False  # the server's closes reach the service again
            proxy.release_held()


async def end_every_connection(settings: Settings, proxy: DelayedCloseProxy) -> None:
    """Have PostgreSQL end the service's connections; the proxy passes on only the FATAL."""
    proxy.hold_closes = True
    service_connections = proxy.open_links()
    connection = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    try:
        await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await connection.close()
    await proxy.wait_server_closed(service_connections)


async def submit(
    client: httpx.AsyncClient, consultation_id: str, resident: Callable[[str], dict[str, str]]
) -> httpx.Response:
    return await client.post(
        f"{API}/{consultation_id}/responses",
        json={"answers": good_answers()},
        headers=resident(f"device-{id(object())}"),
    )


async def open_consultation(client: httpx.AsyncClient, officer: dict[str, str]) -> dict[str, Any]:
    created = await client.post(API, json=consultation_body(), headers=officer)
    assert created.status_code == 201, created.text
    opened = await client.post(f"{API}/{created.json()['id']}/open", headers=officer)
    assert opened.status_code == 200, opened.text
    return opened.json()  # type: ignore[no-any-return]


class TestIngestPath:
    async def test_an_ended_connection_is_a_503_and_the_next_response_is_stored(
        self,
        settings: Settings,
        proxied: tuple[DelayedCloseProxy, httpx.AsyncClient],
        officer: dict[str, str],
        resident: Callable[[str], dict[str, str]],
    ) -> None:
        proxy, client = proxied
        consultation = await open_consultation(client, officer)
        assert (await submit(client, consultation["id"], resident)).status_code == 201

        await end_every_connection(settings, proxy)
        refused = await submit(client, consultation["id"], resident)
        assert refused.status_code == 503, refused.text
        assert refused.headers["retry-after"] == "1"
        assert refused.headers["content-type"] == "application/problem+json"
        # The broken connection was terminated, not pooled again: the next one is new.
        stored = await submit(client, consultation["id"], resident)
        assert stored.status_code == 201, stored.text


class TestOrmPath:
    async def test_ended_pooled_connections_are_replaced_not_answered_with_a_500(
        self,
        settings: Settings,
        proxied: tuple[DelayedCloseProxy, httpx.AsyncClient],
        officer: dict[str, str],
    ) -> None:
        proxy, client = proxied
        consultation = await open_consultation(client, officer)

        await end_every_connection(settings, proxy)
        # The pre-ping meets the ended connection: it counts as a disconnect, so the pool
        # is invalidated and the request runs on a new connection.
        read = await client.get(f"{API}/{consultation['id']}")
        assert read.status_code == 200, read.text
        created = await client.post(API, json=consultation_body(), headers=officer)
        assert created.status_code == 201, created.text
