"""A database that goes away: which errors say so, broken connections thrown away, quiet logs."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator

import asyncpg
import pytest
from sqlalchemy import exc as sa_exc

from localrights.db import asyncpg_dsn, connection_broken, database_unavailable, pooled_connection
from localrights.observability import configure_logging
from localrights.testing.tcp_proxy import DelayedCloseProxy

PROTOCOL_LEFT_MIDWAY = asyncpg.exceptions.InternalClientError(
    "cannot switch to state 12; another operation (2) is in progress"
)


def wrapped(driver_error: Exception) -> sa_exc.DBAPIError:
    """The error as SQLAlchemy raises it from the driver's."""
    return sa_exc.DBAPIError("SELECT 1", None, driver_error)


@pytest.mark.parametrize(
    ("error", "broken", "unavailable"),
    [
        (PROTOCOL_LEFT_MIDWAY, True, True),
        (wrapped(PROTOCOL_LEFT_MIDWAY), True, True),
        (asyncpg.exceptions.AdminShutdownError("terminating connection"), True, True),
        (asyncpg.exceptions.CannotConnectNowError("the system is starting up"), True, True),
        (asyncpg.exceptions.ConnectionDoesNotExistError("closed mid-operation"), True, True),
        (asyncpg.InterfaceError("connection is closed"), True, True),
        (ConnectionRefusedError(111, "Connection refused"), True, True),
        (ConnectionError("database connection lost"), True, True),
        # The connection is fine; the statement or the wait was the trouble.
        (asyncpg.exceptions.QueryCanceledError("canceling statement"), False, True),
        (TimeoutError(), False, True),
        (sa_exc.TimeoutError("QueuePool limit reached"), False, True),
        # Bugs and bad input: neither.
        (asyncpg.InterfaceError("the server expects 2 arguments, 1 was passed"), False, False),
        (asyncpg.exceptions.UniqueViolationError("duplicate key"), False, False),
        (wrapped(asyncpg.exceptions.UndefinedColumnError("column x")), False, False),
        (ValueError("bad"), False, False),
    ],
)
def test_which_errors_mean_a_broken_connection_or_an_unreachable_database(
    error: Exception, broken: bool, unavailable: bool
) -> None:
    assert (connection_broken(error), database_unavailable(error)) == (broken, unavailable)


async def end_connections(database_url: str) -> None:
    """Have PostgreSQL end every other connection to the database."""
    admin = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()


async def test_a_pooled_connection_that_broke_is_thrown_away(database_url: str) -> None:
    async with DelayedCloseProxy.running(database_url) as (proxy, url):
        pool = await asyncpg.create_pool(asyncpg_dsn(url), min_size=1, max_size=1)
        try:
            async with pooled_connection(pool) as connection:
                first = connection.get_server_pid()
            proxy.hold_closes = True
            pooled = proxy.open_links()
            await end_connections(database_url)
            await proxy.wait_server_closed(pooled)
            with pytest.raises(ConnectionError, match="another operation"):
                async with pooled_connection(pool) as connection:
                    await connection.fetchval("SELECT 1")
            async with pooled_connection(pool) as connection:
                assert await connection.fetchval("SELECT 1") == 1
                assert connection.get_server_pid() != first
        finally:
            proxy.hold_closes = False
            proxy.release_held()
            await pool.close()


async def test_a_pool_reconnecting_during_an_outage_logs_one_line_each_time(
    database_url: str, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    configure_logging(service="outage-test", json=True)
    async with DelayedCloseProxy.running(database_url) as (proxy, url):
        pool = await asyncpg.create_pool(asyncpg_dsn(url), min_size=1, max_size=1)
        try:
            await proxy.stop()  # the server is gone: connections lost, new ones refused
            lines: list[str] = []
            async with asyncio.timeout(20):
                while not any("database_unreachable" in line for line in lines):
                    await asyncio.sleep(0.1)
                    lines += capsys.readouterr().out.splitlines()
        finally:
            pool.terminate()
    [line] = [line for line in lines if "database_unreachable" in line]
    record = json.loads(line)
    assert record["level"] == "warning" and record["service"] == "outage-test"
    assert "Failed to restore the pool connection floor" in record["message"]
    assert "Connect" in record["error"] or "refused" in record["error"].lower()
    assert [
        r for r in caplog.records if r.name.startswith("asyncpg") and r.exc_info is not None
    ] == []
    assert "Traceback" not in capsys.readouterr().out


@pytest.fixture(autouse=True)
def _restored_logging() -> Iterator[None]:
    """configure_logging changes process-wide logging; leave it as pytest had it."""
    filters = {name: list(logging.getLogger(name).filters) for name in ("asyncpg.pool",)}
    yield None
    for name, kept in filters.items():
        logging.getLogger(name).filters[:] = kept
