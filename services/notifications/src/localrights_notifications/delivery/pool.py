"""The worker pool: a fixed number of workers per channel, and a slow lane for webhooks.

Workers take claimed deliveries from a queue, the way the fastest bare client loop does (a
task per delivery cost a third of the rate). While deliveries wait, a webhook call that takes
twice as long as a typical call (``SlowCallThreshold``: the median of recent calls, at least
``slow_call_floor``, which is the threshold until a call ends, and at most
``slow_call_after``) leaves the pool: a new worker takes its place and the slow one retires
once its call ends, up to ``webhook_slow_lane`` of them at a time, so hanging endpoints never
hold the places healthy endpoints need. An endpoint whose last call took longer than
``slow_call_after`` is remembered for a while: its next calls (a retry, the next alert) start
in the slow lane without holding a place in the pool first, until one of them is fast again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from prometheus_client import Counter

from localrights_notifications.config import Settings
from localrights_notifications.delivery.channels import WebhookChannel
from localrights_notifications.delivery.policy import DeliveryPolicy
from localrights_notifications.delivery.recorder import Recorder
from localrights_notifications.repository.claims import Job, Result

log = structlog.get_logger(__name__)

SLOW_LANE = Counter(
    "localrights_notification_slow_lane_calls_total",
    "Webhook calls made in the slow lane: judged slow during the call, or known slow before",
    ["why"],
)


@dataclass(eq=False)
class _Worker:
    """One webhook worker: when its current call started, and whether it left the pool."""

    call_started: float | None = None
    slow: bool = False


class WorkerPool:
    """Sends the deliveries it holds; tells the claim loop when it has room for more."""

    def __init__(
        self,
        *,
        settings: Settings,
        policy: DeliveryPolicy,
        webhook: WebhookChannel,
        recorder: Recorder,
    ) -> None:
        self._s = settings
        self._policy = policy
        self._webhook = webhook
        self._recorder = recorder
        self._webhooks: asyncio.Queue[Job] = asyncio.Queue()
        self._emails: asyncio.Queue[Job] = asyncio.Queue()
        self._pool_workers: set[_Worker] = set()  # the webhook pool, slow ones excluded
        self._slow_used = 0
        self._workers: set[asyncio.Task[None]] = set()
        self._watchdog: asyncio.Task[None] | None = None
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
        self.low_water = max(1, min(settings.webhook_concurrency, settings.dispatch_batch) // 2)
        self._roomy = asyncio.Event()
        self._idle = asyncio.Event()

    # -- what the claim loop asks --------------------------------------------------------

    @property
    def free(self) -> int:
        """How many more deliveries the pool takes."""
        return self._capacity - self._held

    @property
    def holds_any(self) -> bool:
        return bool(self._held)

    @property
    def busy(self) -> bool:
        """Whether any claimed delivery, in the slow lane or not, is still without a result."""
        return bool(self._held or self._slow_used)

    def hold(self, jobs: Sequence[Job]) -> None:
        """Queue claimed deliveries for their channel's workers."""
        self._held += len(jobs)
        self._idle.clear()
        for job in jobs:
            # Inbox rows and deliveries of deleted subscriptions need no call: any worker.
            queue = self._emails if job.channel == "email" else self._webhooks
            queue.put_nowait(job)

    async def room(self) -> None:
        """Return once at least the low-water mark of capacity is free again."""
        self._roomy.clear()
        if self.free < self.low_water:
            await self._roomy.wait()

    # -- starting and stopping -------------------------------------------------------------

    def start(self) -> None:
        for _ in range(self._s.webhook_concurrency):
            self._start_webhook_worker()
        for _ in range(self._s.email_concurrency):
            self._start(self._email_worker(), "email-worker")
        self._watchdog = asyncio.create_task(self._watch_slow_calls(), name="slow-call-watch")

    async def drain(self, grace: float = 5.0) -> None:
        """Hand back what no worker has started; let calls under way finish for a while."""
        self._hand_back_queued()
        if self.busy:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), timeout=grace)

    async def stop(self) -> None:
        """Cancel every worker; one cancelled mid-call hands its delivery back."""
        if self._watchdog is not None:
            self._watchdog.cancel()
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
                self._push(Result.of(job, "pending", job.attempts, 0.0, "shutting down"))

    # -- workers ---------------------------------------------------------------------------

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

    async def _email_worker(self) -> None:
        while True:
            await self._process(await self._emails.get())

    def _start_in_slow_lane(self, job: Job) -> bool:
        """Send a call to an endpoint known to be slow from the slow lane, if it has room."""
        if job.channel != "webhook" or not self._webhook.known_slow(job.url):
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

    async def _watch_slow_calls(self) -> None:
        """Move slow calls out of the pool, a new worker in the place of each.

        One look every fraction of the threshold costs less than a timer per call.
        """
        loop = asyncio.get_running_loop()
        while True:
            limit = self._webhook.slow_after.seconds
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
            result = await self._policy.attempt(job)
        except asyncio.CancelledError:
            # Shutting down: hand the delivery back, its attempt not counted.
            handed_back = Result.of(job, "pending", job.attempts, 0.0, "interrupted by shutdown")
            self._push(handed_back, held=not slow())
            raise
        except Exception as exc:  # a bug must not lose the delivery
            log.exception("dispatch_failed", delivery_id=str(job.id))
            result = Result.of(job, "pending", job.attempts, 30.0, repr(exc)[:500])
        self._push(result, held=not slow())

    def _push(self, result: Result, *, held: bool = True) -> None:
        self._recorder.push(result)
        if held:
            self._release()

    def _release(self) -> None:
        """One held delivery less: wake the claim loop when there is room again."""
        self._held -= 1
        if self.free >= self.low_water:
            self._roomy.set()
        self._note_if_idle()

    def _note_if_idle(self) -> None:
        if not self.busy:
            self._idle.set()
            # Nothing more is coming for now: the last results are written at once rather
            # than at the recorder's next look (up to 50 ms, a third of a small fan-out).
            self._recorder.ready.set()
