"""The dispatcher: claims due deliveries, sends them, records how it went.

- Claiming: ``FOR UPDATE SKIP LOCKED`` in batches, flipping rows to ``sending`` with a lease
  (``next_attempt_at`` moves to the lease's end), so several replicas share the work and a
  crashed replica's claims come due again when the lease runs out: at least once.
- Sending: one shared aiohttp ClientSession, a timeout on every call. A fixed pool of
  workers per channel takes claimed deliveries from a queue, the way the fastest bare
  client loop does (a task per delivery cost a third of the rate). While deliveries wait, a
  webhook call that takes twice as long as a typical call (``SlowCallThreshold``: the
  median of recent calls, at least ``slow_call_floor``, which is the threshold until a call
  ends, and at most ``slow_call_after``) leaves the pool: a new worker takes its place and
  the slow one retires once its call ends, up to ``webhook_slow_lane`` of them at a time,
  so hanging endpoints never hold the places healthy endpoints need. An endpoint whose last
  call took longer than ``slow_call_after`` is remembered for a while: its next calls (a
  retry, the next alert) start in the slow lane without holding a place in the pool first,
  until one of them is fast again. A circuit breaker per endpoint stops calling an endpoint
  that keeps failing; its deliveries wait for the breaker, attempts untouched.
- Recording: results are written back in batches, one UPDATE per batch.
- Claims and records go through a small asyncpg pool of their own, one autocommitted
  statement each: through the ORM session every batch cost a pre-ping, BEGIN and COMMIT
  round trip and a Row object per delivery on the event loop that also does the sending.
- Retries: exponential backoff with jitter, never sooner than Retry-After; after
  ``max_attempts`` the delivery is dead (an admin can replay it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

import aiohttp
import asyncpg
import structlog
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from yarl import URL

from localrights.db import asyncpg_dsn, pooled_connection
from localrights_notifications import messages
from localrights_notifications.channels import send_email, send_webhook
from localrights_notifications.config import Settings
from localrights_notifications.domain import (
    CircuitBreaker,
    Outcome,
    SlowCallThreshold,
    next_retry_delay,
)
from localrights_notifications.fanout import DISPATCH_CHANNEL
from localrights_notifications.health import EndpointHealth
from localrights_notifications.ssrf import GuardedResolver, forbidden_host

log = structlog.get_logger(__name__)

# Besides the calls' sockets: database and broker connections, listening sockets, files.
_OTHER_OPEN_FILES = 200
# How long an endpoint stays known as slow without being called again, and how many are kept.
_REMEMBER_SLOW = 600.0
_REMEMBER_AT_MOST = 50_000

DELIVERIES = Counter(
    "localrights_notification_deliveries_total", "Delivery attempts", ["channel", "outcome"]
)
SLOW_LANE = Counter(
    "localrights_notification_slow_lane_calls_total",
    "Webhook calls made in the slow lane: judged slow during the call, or known slow before",
    ["why"],
)

_CLAIM = """
    WITH due AS (
        SELECT id FROM deliveries
        WHERE status IN ('pending', 'sending') AND next_attempt_at <= now()
        ORDER BY next_attempt_at
        LIMIT $1
        FOR UPDATE SKIP LOCKED
    ), claimed AS (
        UPDATE deliveries AS d
        SET status = 'sending',
            next_attempt_at = now() + make_interval(secs => $2),
            claimed_until = now() + make_interval(secs => $2)
        FROM due WHERE d.id = due.id
        RETURNING d.id, d.subscription_id, d.channel, d.attempts, d.event_id, d.notification_id,
                  d.digest_day
    )
    SELECT c.id, c.subscription_id, c.channel, c.attempts, c.event_id, c.digest_day,
           s.webhook_url, s.webhook_secret, s.email, s.deleted_at,
           s.disabled_at IS NOT NULL AS disabled, s.failing_since IS NOT NULL AS failing,
           n.envelope, n.event_type, n.kind,
           -- decoded per row, and only e-mails render them
           CASE WHEN c.channel = 'email' THEN n.title END AS title,
           CASE WHEN c.channel = 'email' THEN n.facts END AS facts
    FROM claimed AS c
    JOIN subscriptions AS s ON s.id = c.subscription_id
    LEFT JOIN notifications AS n ON n.id = c.notification_id
"""

_DIGEST_ITEMS = (
    "SELECT d.digest_delivery_id, n.envelope, n.event_type, n.kind, n.title, n.facts "
    "FROM deliveries AS d JOIN notifications AS n ON n.id = d.notification_id "
    "WHERE d.digest_delivery_id = ANY($1::uuid[]) ORDER BY n.created_at, n.id"
)

_RECORD = """
    UPDATE deliveries AS d
    SET status = r.status, attempts = r.attempts, next_attempt_at = r.next_attempt_at,
        last_error = COALESCE(r.last_error, d.last_error),
        last_status_code = COALESCE(r.last_status_code, d.last_status_code),
        delivered_at = r.delivered_at, claimed_until = NULL, updated_at = now()
    FROM unnest($1::uuid[], $2::text[], $3::int[], $4::timestamptz[], $5::text[], $6::int[],
                $7::timestamptz[])
         AS r(id, status, attempts, next_attempt_at, last_error, last_status_code, delivered_at)
    WHERE d.id = r.id AND d.status = 'sending'
"""


@dataclass(slots=True)
class Job:
    """One claimed delivery and what is needed to send it."""

    id: UUID
    subscription_id: UUID
    channel: str
    attempts: int
    event_id: str
    digest_day: Any
    url: str | None
    secret: str | None
    email: str | None
    deleted: bool
    disabled: bool
    failing: bool  # its endpoint's calls were failing when it was claimed
    envelope: str | None
    items: list[messages.Item]
    envelopes: list[str]

    def body(self) -> bytes:
        if self.digest_day is None:
            return (self.envelope or "").encode()
        return messages.digest_body(
            day=str(self.digest_day),
            subscription_id=str(self.subscription_id),
            envelopes=self.envelopes,
        )


@dataclass(eq=False)
class _Worker:
    """One webhook worker: when its current call started, and whether it left the pool."""

    call_started: float | None = None
    slow: bool = False


class Result(NamedTuple):
    """How one attempt went: one row of the next batched UPDATE (a tuple: built per send)."""

    id: UUID
    status: str
    attempts: int
    next_attempt_at: datetime
    error: str | None
    status_code: int | None
    delivered_at: datetime | None


class Dispatcher:
    """Sends due deliveries until stopped; safe to run in every replica."""

    def __init__(
        self,
        *,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        dsn: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._s = settings
        self._sessions = sessions
        self._dsn = dsn
        self._allowed = frozenset(h.lower() for h in settings.webhook_allowed_hosts)
        self._webhooks: asyncio.Queue[Job] = asyncio.Queue()
        self._emails: asyncio.Queue[Job] = asyncio.Queue()
        self._pool_workers: set[_Worker] = set()  # the webhook pool, slow ones excluded
        self._slow_used = 0
        self._known_slow: dict[str, float] = {}  # endpoint URL -> remembered until (clock)
        self._slow_after = SlowCallThreshold(
            floor=settings.slow_call_floor, cap=settings.slow_call_after
        )
        self._workers: set[asyncio.Task[None]] = set()
        # Held: claimed and not yet given a result, calls in the slow lane excluded (they
        # are counted by ``_slow_used``): hanging calls must not shrink the room for the
        # healthy ones either, or the claims shrink to a few rows a round trip. The limit
        # is the pools' places plus two claims' worth queued ahead, so workers never idle
        # while the next claim makes its round trip.
        self._held = 0
        self._capacity = (
            settings.webhook_concurrency + settings.email_concurrency + 2 * settings.dispatch_batch
        )
        # Claim again only when this much room is free: when slow calls fill most of the
        # capacity, claiming one row per round trip as single places free up would cap the
        # healthy traffic at the database's round-trip rate.
        self._low_water = max(1, min(settings.webhook_concurrency, settings.dispatch_batch) // 2)
        self._breaker = CircuitBreaker(
            threshold=settings.breaker_threshold, cooldown=settings.breaker_cooldown, clock=clock
        )
        self._clock = clock
        self._wakeup = asyncio.Event()
        self._roomy = asyncio.Event()
        self._idle = asyncio.Event()
        self._results: list[Result] = []
        self._results_ready = asyncio.Event()
        self._client: aiohttp.ClientSession | None = None
        self._pool: asyncpg.Pool | None = None
        self._counters: dict[tuple[str, str], Counter] = {}
        self._health = EndpointHealth(settings.webhook_disable_after, sessions)
        self.sent = 0

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
        recorder = asyncio.create_task(self._record_loop(stopping), name="delivery-recorder")
        watchdog: asyncio.Task[None] | None = None
        try:
            async with aiohttp.ClientSession(connector=connector) as client:
                self._client = client
                try:
                    for _ in range(self._s.webhook_concurrency):
                        self._start_webhook_worker()
                    for _ in range(self._s.email_concurrency):
                        self._start(self._email_worker(), "email-worker")
                    watchdog = asyncio.create_task(self._watch_slow_calls(), name="slow-call-watch")
                    await self._claim_loop(stopping)
                    await self._drain()
                finally:
                    if watchdog is not None:
                        watchdog.cancel()
                    # Before the session closes: a call cut off by closing it would count
                    # as a failed attempt instead of being handed back.
                    await self._stop_workers()
        finally:
            self._results_ready.set()
            await recorder
            with contextlib.suppress(Exception):
                await self._flush()
            if self._pool is not None:
                with contextlib.suppress(Exception):
                    await self._pool.close()
            if listener is not None:
                with contextlib.suppress(Exception):
                    await listener.close()

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

    # -- claiming ------------------------------------------------------------------------

    async def _claim_loop(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            free = self._capacity - self._held
            claimed = 0
            if free > 0:
                try:
                    claimed = await self._claim(min(free, self._s.dispatch_batch))
                except Exception as exc:  # the database may be away for a while
                    log.warning("dispatch_claim_failed", error=repr(exc))
                    await _wait(stopping, 1.0)
                    continue
            if claimed and claimed == min(free, self._s.dispatch_batch):
                await asyncio.sleep(0)  # more may be due: claim again at once
                continue
            self._wakeup.clear()
            waiters: list[asyncio.Future[Any]] = [asyncio.ensure_future(self._wakeup.wait())]
            waiters.append(asyncio.ensure_future(stopping.wait()))
            if free - claimed < self._low_water and self._held:
                waiters.append(asyncio.ensure_future(self._room()))
            _, pending = await asyncio.wait(
                waiters,
                timeout=self._s.dispatch_poll_interval,
                return_when=asyncio.FIRST_COMPLETED,
            )
            for waiter in pending:
                waiter.cancel()

    async def _room(self) -> None:
        """Return once at least the low-water mark of capacity is free again."""
        self._roomy.clear()
        if self._capacity - self._held < self._low_water:
            await self._roomy.wait()

    async def _db(self) -> asyncpg.Pool:
        if self._pool is None:
            # Created on first use, so a database that is away at start-up is retried by the
            # claim loop like any other outage.
            self._pool = await asyncpg.create_pool(
                self._dsn or asyncpg_dsn(self._s.database_url),
                min_size=1,
                max_size=2,
                timeout=5,
                command_timeout=30,
                init=_json_codec,
                # Right after a fan-out the planner's statistics know nothing of the new
                # due rows and pick a bitmap scan that sorts every due row on each claim
                # (15 ms for 9,000); the ordered index scan reads only the batch (0.5 ms).
                # Only this pool's claim, digest and record statements are affected.
                server_settings={"enable_bitmapscan": "off"},
            )
        return self._pool

    async def _claim(self, limit: int) -> int:
        pool = await self._db()
        async with pooled_connection(pool) as connection:
            # One statement: the claim is atomic without an explicit transaction.
            rows = await connection.fetch(_CLAIM, limit, float(self._s.dispatch_lease))
            digest_ids = [r["id"] for r in rows if r["digest_day"] is not None]
            items: dict[UUID, list[Any]] = {}
            if digest_ids:
                for item in await connection.fetch(_DIGEST_ITEMS, digest_ids):
                    items.setdefault(item["digest_delivery_id"], []).append(item)
        self._held += len(rows)
        self._idle.clear()
        for row in rows:
            digest_items = items.get(row["id"], []) if items else []
            job = Job(
                id=row["id"],
                subscription_id=row["subscription_id"],
                channel=row["channel"],
                attempts=row["attempts"],
                event_id=row["event_id"],
                digest_day=row["digest_day"],
                url=row["webhook_url"],
                secret=row["webhook_secret"],
                email=row["email"],
                deleted=row["deleted_at"] is not None,
                disabled=row["disabled"],
                failing=row["failing"],
                envelope=row["envelope"],
                items=_email_items(row, digest_items) if row["channel"] == "email" else [],
                envelopes=[r["envelope"] for r in digest_items],
            )
            # Inbox rows and deliveries of deleted subscriptions need no call: any worker.
            queue = self._emails if job.channel == "email" else self._webhooks
            queue.put_nowait(job)
        return len(rows)

    # -- workers -----------------------------------------------------------------------

    def _start(self, worker: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(worker, name=name)
        self._workers.add(task)
        task.add_done_callback(self._workers.discard)

    def _start_webhook_worker(self) -> None:
        worker = _Worker()
        self._pool_workers.add(worker)
        self._start(self._webhook_worker(worker), "webhook-worker")

    async def _webhook_worker(self, worker: _Worker) -> None:
        loop = asyncio.get_running_loop()
        while not worker.slow:
            job = await self._webhooks.get()
            if self._start_in_slow_lane(job):
                continue
            worker.call_started = loop.time()
            try:
                await self._process(job, slow=lambda: worker.slow)
            finally:
                worker.call_started = None
        # This worker's call was slow and a new worker took its place: retire.
        SLOW_LANE.labels("judged_slow").inc()
        self._slow_used -= 1
        self._note_if_idle()

    def _start_in_slow_lane(self, job: Job) -> bool:
        """Send a call to an endpoint known to be slow from the slow lane, if it has room."""
        if job.channel != "webhook" or job.url not in self._known_slow:
            return False
        if self._known_slow[job.url] < self._clock():
            del self._known_slow[job.url]
            return False
        if self._slow_used >= self._s.webhook_slow_lane:
            return False
        self._slow_used += 1
        self._release()
        self._start(self._known_slow_call(job), "slow-webhook-call")
        return True

    async def _known_slow_call(self, job: Job) -> None:
        try:
            await self._process(job, slow=lambda: True)
            SLOW_LANE.labels("known_slow").inc()
        finally:
            self._slow_used -= 1
            self._note_if_idle()

    def _remember_how_long(self, job: Job, took: float) -> None:
        """Keep an endpoint known as slow while its calls take longer than the cap."""
        if job.url is None:
            return
        if took > self._s.slow_call_after:
            if len(self._known_slow) >= _REMEMBER_AT_MOST:
                self._known_slow.clear()  # rare; forgetting costs a few pool places
            self._known_slow[job.url] = self._clock() + _REMEMBER_SLOW
        else:
            self._known_slow.pop(job.url, None)

    async def _email_worker(self) -> None:
        while True:
            await self._process(await self._emails.get())

    async def _watch_slow_calls(self) -> None:
        """Move slow calls out of the pool, a new worker in the place of each.

        One look every fraction of the threshold costs less than a timer per call.
        """
        loop = asyncio.get_running_loop()
        while True:
            limit = self._slow_after.seconds
            await asyncio.sleep(limit / 4)
            if self._webhooks.empty():
                continue  # nothing waits for a place: slow calls may keep theirs
            now = loop.time()
            for worker in list(self._pool_workers):
                if self._slow_used >= self._s.webhook_slow_lane:
                    break
                started = worker.call_started
                if started is not None and now - started > limit:
                    worker.slow = True
                    self._pool_workers.discard(worker)
                    self._slow_used += 1
                    self._release()
                    self._start_webhook_worker()

    async def _process(self, job: Job, slow: Callable[[], bool] = lambda: False) -> None:
        """Attempt ``job`` and queue its result; ``slow()`` tells whether the call was moved
        to the slow lane meanwhile (its place was then given back already)."""
        try:
            result = await self._attempt(job)
        except asyncio.CancelledError:
            # Shutting down: hand the delivery back, its attempt not counted.
            handed_back = self._result(job, "pending", job.attempts, 0.0, "interrupted by shutdown")
            self._push(handed_back, held=not slow())
            raise
        except Exception as exc:  # a bug must not lose the delivery
            log.exception("dispatch_failed", delivery_id=str(job.id))
            result = self._result(job, "pending", job.attempts, 30.0, repr(exc)[:500])
        self._push(result, held=not slow())

    def _push(self, result: Result, *, held: bool = True) -> None:
        self._results.append(result)
        if len(self._results) >= 200:
            self._results_ready.set()
        if held:
            self._release()

    def _release(self) -> None:
        """One held delivery less: wake the claim loop when there is room again."""
        self._held -= 1
        if self._capacity - self._held >= self._low_water:
            self._roomy.set()
        self._note_if_idle()

    def _note_if_idle(self) -> None:
        if not self._busy:
            self._idle.set()

    @property
    def _busy(self) -> bool:
        """Whether any claimed delivery, in the slow lane or not, is still without a result."""
        return bool(self._held or self._slow_used)

    def _result(
        self,
        job: Job,
        status: str,
        attempts: int,
        delay: float,
        error: str | None,
        code: int | None = None,
    ) -> Result:
        now = datetime.now(UTC)
        return Result(
            id=job.id,
            status=status,
            attempts=attempts,
            next_attempt_at=now + timedelta(seconds=delay),
            error=error,
            status_code=code,
            delivered_at=now if status == "delivered" else None,
        )

    async def _attempt(self, job: Job) -> Result:
        if job.deleted:
            return self._result(job, "cancelled", job.attempts, 0.0, "subscription deleted")
        if job.disabled:  # kept, and sent once the subscription is enabled again
            return self._result(job, "suspended", job.attempts, 0.0, "subscription disabled")
        endpoint = self._endpoint(job)
        retry_at = self._breaker.allow(endpoint)
        if retry_at is not None:
            self._count(job.channel, "circuit_open")
            wait = max(0.0, retry_at - self._clock())
            return self._result(job, "pending", job.attempts, wait, "circuit open")
        outcome = await self._send(job)
        self._breaker.record(endpoint, success=outcome.delivered or not outcome.retryable)
        attempts = job.attempts + 1
        if job.channel == "webhook":
            self._health.note(job.subscription_id, job.id, outcome, failing=job.failing)
        if outcome.delivered:
            self._count(job.channel, "delivered")
            self.sent += 1
            return self._result(job, "delivered", attempts, 0.0, None, outcome.status_code)
        if outcome.retryable and attempts < self._s.max_attempts:
            self._count(job.channel, "retry")
            delay = next_retry_delay(
                outcome,
                attempts,
                base=self._s.backoff_base,
                cap=self._s.backoff_max,
                retry_after_max=self._s.retry_after_max,
            )
            return self._result(job, "pending", attempts, delay, outcome.error, outcome.status_code)
        self._count(job.channel, "dead")
        return self._result(job, "dead", attempts, 0.0, outcome.error, outcome.status_code)

    def _count(self, channel: str, outcome: str) -> None:
        # The labelled child looked up once per pair: labels() takes a lock and builds a key
        # on every call, which a fan-out would pay per delivery.
        counter = self._counters.get((channel, outcome))
        if counter is None:
            counter = self._counters[channel, outcome] = DELIVERIES.labels(channel, outcome)
        counter.inc()

    def _endpoint(self, job: Job) -> str:
        if job.channel == "webhook":
            return f"webhook:{job.url}"
        return f"smtp:{self._s.smtp_host}:{self._s.smtp_port}"

    async def _send(self, job: Job) -> Outcome:
        if job.channel == "webhook":
            return await self._send_webhook(job)
        if job.channel == "email":
            return await self._send_email(job)
        return Outcome(delivered=True, retryable=False)  # inbox rows are written at fan-out

    async def _send_webhook(self, job: Job) -> Outcome:
        assert self._client is not None
        if not job.url or not job.secret:
            return Outcome(delivered=False, retryable=False, error="webhook without url or secret")
        # Parsed once here (aiohttp takes the URL object as it is); the address check is
        # cached per host, which a fan-out to one receiver's many paths asks again and again.
        url = URL(job.url)
        if forbidden_host(url.host or "", self._allowed):
            return Outcome(delivered=False, retryable=False, error="forbidden address")
        started = time.monotonic()
        outcome = await send_webhook(
            self._client,
            url=url,
            secret=job.secret,
            message_id=str(job.id),
            body=job.body(),
            timeout=self._s.webhook_timeout,
        )
        # Only calls made count: a delivery the breaker or the address check refused took
        # no time, and would drag the typical call down or make a slow endpoint forgotten.
        took = time.monotonic() - started
        self._remember_how_long(job, took)
        self._slow_after.observe(took)
        return outcome

    async def _send_email(self, job: Job) -> Outcome:
        if not job.email or not job.items:
            return Outcome(delivered=False, retryable=False, error="email without address or items")
        digest_day = str(job.digest_day) if job.digest_day is not None else None
        return await send_email(
            host=self._s.smtp_host,
            port=self._s.smtp_port,
            sender=self._s.smtp_from,
            recipient=job.email,
            subject=messages.subject_of(job.items, digest_day=digest_day),
            text=messages.render_text(job.items),
            html=messages.render_html(job.items),
            timeout=self._s.smtp_timeout,
            username=self._s.smtp_username,
            password=self._s.smtp_password,
            start_tls=self._s.smtp_starttls,
        )

    # -- recording and stopping --------------------------------------------------------------

    async def _record_loop(self, stopping: asyncio.Event) -> None:
        while not (stopping.is_set() and not self._busy and not self._results):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._results_ready.wait(), timeout=0.05)
            self._results_ready.clear()
            try:
                await self._flush()
            except Exception as exc:  # keep the results; try again shortly
                log.warning("dispatch_record_failed", error=repr(exc))
                await asyncio.sleep(0.5)

    async def _flush(self) -> None:
        if not self._results:
            if self._health.pending:
                async with pooled_connection(await self._db()) as connection:
                    await self._health.write(connection)
            return
        batch, self._results = self._results, []
        try:
            pool = await self._db()
            async with pooled_connection(pool) as connection:
                await connection.execute(
                    _RECORD,
                    [r.id for r in batch],
                    [r.status for r in batch],
                    [r.attempts for r in batch],
                    [r.next_attempt_at for r in batch],
                    [r.error for r in batch],
                    [r.status_code for r in batch],
                    [r.delivered_at for r in batch],
                )
        except Exception:
            self._results = batch + self._results
            raise
        # After the results: the runs of failures begin at their deliveries' records.
        if self._health.pending:
            async with pooled_connection(pool) as connection:
                await self._health.write(connection)

    async def _drain(self, grace: float = 5.0) -> None:
        """Hand back what no worker has started; let calls under way finish for a while."""
        self._hand_back_queued()
        if self._busy:
            await _wait(self._idle, grace)

    async def _stop_workers(self) -> None:
        """Cancel every worker; one cancelled mid-call hands its delivery back."""
        workers = set(self._workers)
        for task in workers:
            task.cancel()
        for task in workers:
            with contextlib.suppress(BaseException):
                await task
        self._hand_back_queued()

    def _hand_back_queued(self) -> None:
        for queue in (self._webhooks, self._emails):
            while not queue.empty():
                job = queue.get_nowait()
                self._push(self._result(job, "pending", job.attempts, 0.0, "shutting down"))


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


def _email_items(row: asyncpg.Record, digest_items: list[asyncpg.Record]) -> list[messages.Item]:
    """What an e-mail renders: the one notification, or each of a digest's."""
    rows = digest_items if row["digest_day"] is not None else [row]
    return [
        messages.Item(r["event_type"], r["kind"], r["title"], r["facts"])
        for r in rows
        if r["event_type"] is not None
    ]


async def _json_codec(connection: asyncpg.Connection) -> None:
    # Titles and facts are JSONB; e-mails render them as dicts, as the ORM returned them.
    await connection.set_type_codec(
        "jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
    )


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout=seconds)
