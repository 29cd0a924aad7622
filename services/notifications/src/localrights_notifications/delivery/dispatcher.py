"""The dispatcher: claims due deliveries, hands them to the worker pool, records the results.

Several replicas share the work (see ``repository.claims``); one shared aiohttp
ClientSession makes every webhook call, each with a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import asyncpg
import structlog
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.db import asyncpg_dsn, pooled_connection
from localrights_notifications.config import Settings
from localrights_notifications.delivery.channels import (
    Channel,
    EmailChannel,
    InboxChannel,
    WebhookChannel,
)
from localrights_notifications.delivery.health import EndpointHealth
from localrights_notifications.delivery.policy import DeliveryPolicy
from localrights_notifications.delivery.pool import WorkerPool
from localrights_notifications.delivery.recorder import Recorder
from localrights_notifications.repository import claims
from localrights_notifications.repository.deliveries import DISPATCH_CHANNEL
from localrights_notifications.ssrf import GuardedResolver

log = structlog.get_logger(__name__)

# Besides the calls' sockets: database and broker connections, listening sockets, files.
_OTHER_OPEN_FILES = 200


class Dispatcher:
    """Sends due deliveries until stopped; safe to run in every replica.

    ``sessions`` open the units of work that disable a dead endpoint's subscription.
    """

    def __init__(
        self,
        *,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        dsn: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._s = settings
        self._dsn = dsn
        self._clock = clock
        self._wakeup = asyncio.Event()
        self._pool: asyncpg.Pool | None = None
        self._health = EndpointHealth(settings.webhook_disable_after, sessions)
        self._recorder = Recorder(self._health, self._db)

    def wake(self) -> None:
        self._wakeup.set()

    async def run(self, stopping: asyncio.Event) -> None:
        """Claim, send and record until ``stopping`` is set, then hand back what is left."""
        sockets = self._s.webhook_concurrency + self._s.webhook_slow_lane
        allow_open_files(sockets + self._s.email_concurrency + _OTHER_OPEN_FILES)
        connector = aiohttp.TCPConnector(
            limit=sockets,
            limit_per_host=0,
            resolver=GuardedResolver(self._s.webhook_allowed_hosts),
            ttl_dns_cache=60,
            enable_cleanup_closed=True,
        )
        listener = await self._listen()
        try:
            # Deliveries keep no state: a cookie one endpoint sets never goes to another.
            cookies = aiohttp.DummyCookieJar()
            async with aiohttp.ClientSession(connector=connector, cookie_jar=cookies) as client:
                workers = self._workers(client)
                recorder = asyncio.create_task(
                    self._record_loop(stopping, workers), name="delivery-recorder"
                )
                workers.start()
                try:
                    await self._claim_loop(stopping, workers)
                    await workers.drain()
                finally:
                    # Before the session closes: a call cut off by closing it would count
                    # as a failed attempt instead of being handed back.
                    await workers.stop()
                    self._recorder.ready.set()
                    await recorder
        finally:
            with contextlib.suppress(Exception):
                await self._recorder.flush()
            if self._pool is not None:
                with contextlib.suppress(Exception):
                    await self._pool.close()
            if listener is not None:
                with contextlib.suppress(Exception):
                    await listener.close()

    def _workers(self, client: aiohttp.ClientSession) -> WorkerPool:
        """The pool, the policy it attempts deliveries under and the channels it sends on."""
        webhook = WebhookChannel(client, self._s, self._clock)
        channels: dict[str, Channel] = {
            "webhook": webhook,
            "email": EmailChannel(self._s),
            "inbox": InboxChannel(self._s),
        }
        policy = DeliveryPolicy(
            settings=self._s, channels=channels, health=self._health, clock=self._clock
        )
        return WorkerPool(settings=self._s, policy=policy, webhook=webhook, recorder=self._recorder)

    async def _listen(self) -> asyncpg.Connection | None:
        if self._dsn is None:
            return None
        try:
            connection = await asyncpg.connect(self._dsn)
            await connection.add_listener(DISPATCH_CHANNEL, lambda *_: self._wakeup.set())
            return connection
        except Exception as exc:  # polling still works without the wake-up calls
            log.warning("dispatch_listen_failed", error=repr(exc))
            return None

    async def _db(self) -> asyncpg.Pool:
        if self._pool is None:
            # Created on first use, so a database that is away at start-up is retried by the
            # claim loop like any other outage.
            self._pool = await claims.open_pool(self._dsn or asyncpg_dsn(self._s.database_url))
        return self._pool

    async def _claim_loop(self, stopping: asyncio.Event, workers: WorkerPool) -> None:
        batch = self._s.dispatch_batch
        while not stopping.is_set():
            free = workers.free
            claimed = 0
            if free > 0:
                try:
                    async with pooled_connection(await self._db()) as connection:
                        jobs = await claims.claim(
                            connection, limit=min(free, batch), lease=float(self._s.dispatch_lease)
                        )
                    workers.hold(jobs)
                    claimed = len(jobs)
                except Exception as exc:  # the database may be away for a while
                    log.warning("dispatch_claim_failed", error=repr(exc))
                    await _wait(stopping, 1.0)
                    continue
            if claimed and claimed == min(free, batch):
                await asyncio.sleep(0)  # more may be due: claim again at once
                continue
            self._wakeup.clear()
            waiters: list[asyncio.Future[Any]] = [asyncio.ensure_future(self._wakeup.wait())]
            waiters.append(asyncio.ensure_future(stopping.wait()))
            if free - claimed < workers.low_water and workers.holds_any:
                waiters.append(asyncio.ensure_future(workers.room()))
            _, pending = await asyncio.wait(
                waiters,
                timeout=self._s.dispatch_poll_interval,
                return_when=asyncio.FIRST_COMPLETED,
            )
            for waiter in pending:
                waiter.cancel()

    async def _record_loop(self, stopping: asyncio.Event, workers: WorkerPool) -> None:
        recorder = self._recorder
        while not (stopping.is_set() and not workers.busy and not recorder.pending):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(recorder.ready.wait(), timeout=0.05)
            recorder.ready.clear()
            try:
                await recorder.flush()
            except Exception as exc:  # keep the results; try again shortly
                log.warning("dispatch_record_failed", error=repr(exc))
                await asyncio.sleep(0.5)


def allow_open_files(needed: int) -> int:
    """Raise this process's soft limit on open files to ``needed`` if the hard limit allows.

    Many hosts start processes with a soft limit of 1,024, below the default pool and slow
    lane's 1,100 sockets: calls past it would fail with "too many open files" exactly when
    endpoints hang. Returns the soft limit now in force (a warning is logged when short).
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return soft
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    if soft < needed:
        log.warning("open_file_limit_low", soft_limit=soft, needed=needed)
    return soft


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout=seconds)
