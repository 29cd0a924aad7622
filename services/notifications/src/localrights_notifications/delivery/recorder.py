"""Results written back in batches, one UPDATE per batch, the endpoints' health after them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import asyncpg

from localrights.db import pooled_connection
from localrights_notifications.delivery.health import EndpointHealth
from localrights_notifications.repository import claims
from localrights_notifications.repository.claims import Result

# A batch this large is written at once rather than at the next look.
_BATCH = 200


class Recorder:
    """The results not yet written; a batch that could not be written is kept for the next."""

    def __init__(self, health: EndpointHealth, db: Callable[[], Awaitable[asyncpg.Pool]]) -> None:
        self._health = health
        self._db = db
        self._results: list[Result] = []
        self.ready = asyncio.Event()

    def push(self, result: Result) -> None:
        self._results.append(result)
        if len(self._results) >= _BATCH:
            self.ready.set()

    @property
    def pending(self) -> bool:
        return bool(self._results)

    async def flush(self) -> None:
        """Write the results so far, then the runs of failures they began or ended."""
        if not self._results:
            if self._health.pending:
                async with pooled_connection(await self._db()) as connection:
                    await self._health.write(connection)
            return
        batch, self._results = self._results, []
        try:
            pool = await self._db()
            async with pooled_connection(pool) as connection:
                await claims.record(connection, batch)
        except Exception:
            self._results = batch + self._results
            raise
        # After the results: the runs of failures begin at their deliveries' records.
        if self._health.pending:
            async with pooled_connection(pool) as connection:
                await self._health.write(connection)
