"""The submission hot path's own asyncpg pool: one round trip per stored response.

A submission is one autocommit statement (see ``repository.responses.submit``), so it needs neither
the ORM session nor its pool's pre-ping and BEGIN/COMMIT (five more round trips, measured
in bench/consultation_ingest.py). Connections the server closed (a restart) are replaced
on acquire; one that breaks mid-request is terminated, so it is never lent out again (the
reset below would not notice it), and surfaces as ``ConnectionError``, which the platform
answers with a retryable 503.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from localrights.db import asyncpg_dsn, pooled_connection


async def _reset(connection: asyncpg.Connection) -> None:
    """Instead of asyncpg's reset query (a round trip per release, ~9% of the hot path).

    Only single autocommit statements run on these connections: they never SET, LISTEN or
    take advisory locks, so only a transaction left open by an interrupted call needs undoing.
    """
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


class IngestPool:
    """A small asyncpg pool, connecting lazily so the service starts without PostgreSQL."""

    def __init__(self, database_url: str, *, size: int) -> None:
        self._dsn = asyncpg_dsn(database_url)
        self._size = size
        self._pool: asyncpg.Pool | None = None

    async def start(self) -> None:
        self._pool = await asyncpg.create_pool(
            self._dsn,
            min_size=0,
            max_size=self._size,
            timeout=5,
            command_timeout=30,
            reset=_reset,
        )

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection; one that breaks is terminated, and the failure raised as
        ConnectionError (answered with 503)."""
        if self._pool is None:
            raise RuntimeError("the ingest pool is not started")
        async with pooled_connection(self._pool, timeout=5) as connection:
            yield connection
