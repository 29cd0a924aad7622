"""One attempt at a delivery under the retry and breaker policy.

A circuit breaker per endpoint stops calling an endpoint that keeps failing; its deliveries
wait for the breaker, attempts untouched. Failed attempts are retried with exponential
backoff and jitter, never sooner than Retry-After; after ``max_attempts`` the delivery is
dead (an admin can replay it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from prometheus_client import Counter

from localrights_notifications.config import Settings
from localrights_notifications.delivery.channels import Channel
from localrights_notifications.delivery.health import EndpointHealth
from localrights_notifications.domain import CircuitBreaker, next_retry_delay
from localrights_notifications.repository.claims import Job, Result

DELIVERIES = Counter(
    "localrights_notification_deliveries_total", "Delivery attempts", ["channel", "outcome"]
)


class DeliveryPolicy:
    """Decides whether to call, calls the delivery's channel, and what comes next."""

    def __init__(
        self,
        *,
        settings: Settings,
        channels: Mapping[str, Channel],
        health: EndpointHealth,
        clock: Callable[[], float],
    ) -> None:
        self._s = settings
        self._channels = channels
        self._health = health
        self._clock = clock
        self._breaker = CircuitBreaker(
            threshold=settings.breaker_threshold, cooldown=settings.breaker_cooldown, clock=clock
        )
        self._counters: dict[tuple[str, str], Counter] = {}

    async def attempt(self, job: Job) -> Result:
        """Send ``job`` once if its subscription and endpoint allow; its result either way."""
        if job.deleted:
            return Result.of(job, "cancelled", job.attempts, 0.0, "subscription deleted")
        if job.disabled:  # kept, and sent once the subscription is enabled again
            return Result.of(job, "suspended", job.attempts, 0.0, "subscription disabled")
        channel = self._channels[job.channel]
        endpoint = channel.endpoint(job)
        retry_at = self._breaker.allow(endpoint)
        if retry_at is not None:
            self._count(job.channel, "circuit_open")
            wait = max(0.0, retry_at - self._clock())
            return Result.of(job, "pending", job.attempts, wait, "circuit open")
        outcome = await channel.send(job)
        self._breaker.record(endpoint, success=outcome.delivered or not outcome.retryable)
        attempts = job.attempts + 1
        if job.channel == "webhook":
            self._health.note(job.subscription_id, job.id, outcome, failing=job.failing)
        if outcome.delivered:
            self._count(job.channel, "delivered")
            return Result.of(job, "delivered", attempts, 0.0, None, outcome.status_code)
        if outcome.retryable and attempts < self._s.max_attempts:
            self._count(job.channel, "retry")
            delay = next_retry_delay(
                outcome,
                attempts,
                base=self._s.backoff_base,
                cap=self._s.backoff_max,
                retry_after_max=self._s.retry_after_max,
            )
            return Result.of(job, "pending", attempts, delay, outcome.error, outcome.status_code)
        self._count(job.channel, "dead")
        return Result.of(job, "dead", attempts, 0.0, outcome.error, outcome.status_code)

    def _count(self, channel: str, outcome: str) -> None:
        # The labelled child looked up once per pair: labels() takes a lock and builds a key
        # on every call, which a fan-out would pay per delivery.
        counter = self._counters.get((channel, outcome))
        if counter is None:
            counter = self._counters[channel, outcome] = DELIVERIES.labels(channel, outcome)
        counter.inc()
