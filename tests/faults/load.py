"""A mixed load of writes through the gateway, retried as a careful client would retry them.

Three kinds of operation, started at a steady rate: a resident's response (with an
Idempotency-Key, so a retry counts once), an alert publication, and a municipality's local
input on one recommendation. An operation whose attempt fails with 502/503/504 or a broken
connection is retried with backoff and jitter until it succeeds or its deadline passes. The
tally keeps what was acknowledged (2xx), every failed attempt with its status and how long
it took to fail, and how many attempts may have reached a service (for the operations that
have no idempotency key, a retry after such an attempt may legitimately apply twice).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import httpx

from .world import COUNTRY, World

RETRYABLE_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True)
class FailedAttempt:
    """One attempt that did not succeed: its status (None: no HTTP answer) and duration."""

    op: str
    status: int | None
    error: str
    seconds: float
    at: float


@dataclass
class Tally:
    """What the load did and what the platform acknowledged."""

    responses: dict[str, str] = field(default_factory=dict)  # idempotency key -> response id
    replayed_responses: int = 0
    alerts: set[str] = field(default_factory=set)  # acknowledged alert ids
    inputs: set[tuple[str, str]] = field(default_factory=set)  # (institution, recommendation)
    input_attempts: Counter[tuple[str, str]] = field(default_factory=Counter)
    # Attempts that failed after the request may have reached the service (no idempotency key).
    alert_maybe_applied: int = 0
    failures: list[FailedAttempt] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # 4xx/unexpected: op given up
    abandoned: list[str] = field(default_factory=list)  # still failing at the deadline
    started: Counter[str] = field(default_factory=Counter)
    acknowledged: Counter[str] = field(default_factory=Counter)
    acknowledged_at: list[tuple[str, float]] = field(default_factory=list)  # (op, monotonic)

    def statuses(self) -> Counter[str]:
        return Counter(
            str(f.status) if f.status is not None else f.error.split(":")[0] for f in self.failures
        )

    def summary(self) -> str:
        return (
            f"started {dict(self.started)}, acknowledged {dict(self.acknowledged)}, "
            f"failed attempts {dict(self.statuses())}, rejected {len(self.rejected)}, "
            f"abandoned {len(self.abandoned)}, replayed responses {self.replayed_responses}"
        )


class MixedLoad:
    """Starts operations at ``rate`` per second for a while; each op retries on its own."""

    def __init__(
        self,
        world: World,
        base_url: str,
        *,
        rate: float = 24.0,
        mix: tuple[float, float, float] = (0.6, 0.1, 0.3),
        op_deadline: float = 90.0,
        attempt_timeout: float = 20.0,
    ) -> None:
        self.world = world
        self.tally = Tally()
        self._rate = rate
        self._mix = mix
        self._op_deadline = op_deadline
        self._anonymous = httpx.AsyncClient(base_url=base_url, timeout=attempt_timeout)
        self._timeout = attempt_timeout
        self._tasks: set[asyncio.Task[None]] = set()
        self._alerts = 0

    async def run(self, duration: float, *, during: asyncio.Future[None] | None = None) -> None:
        """Start operations for ``duration`` seconds (and while ``during`` runs), then drain."""
        interval = 1.0 / self._rate
        started = time.monotonic()
        n = 0
        while time.monotonic() - started < duration or (during is not None and not during.done()):
            op = random.choices(("response", "alert", "input"), weights=self._mix)[0]
            self._spawn(op)
            n += 1
            # Keep a steady schedule whatever the event loop's jitter.
            await asyncio.sleep(max(0.0, started + n * interval - time.monotonic()))
        await self.drain()

    async def drain(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks)

    async def close(self) -> None:
        await self._anonymous.aclose()

    def _spawn(self, op: str) -> None:
        runner: Callable[[], Awaitable[None]]
        if op == "response":
            runner = self._response
        elif op == "alert":
            runner = self._alert
        else:
            pair = self.world.next_input_pair()
            if pair is None:
                runner = self._response
                op = "response"
            else:
                runner = lambda: self._input(*pair)  # noqa: E731
        self.tally.started[op] += 1
        task = asyncio.create_task(runner())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- operations ---------------------------------------------------------------------

    async def _response(self) -> None:
        key = str(uuid4())
        answer = random.choice(("park", "library", "market"))

        async def attempt() -> httpx.Response:
            return await self._anonymous.post(
                f"/api/v1/consultations/{self.world.consultation_id}/responses",
                json={"answers": {"space": answer}},
                # Each operation is its own resident's phone (the per-device cap counts
                # by the gateway's client key: address and User-Agent).
                headers={"Idempotency-Key": key, "User-Agent": f"resident-phone-{key}"},
            )

        response = await self._with_retries("response", attempt, expect=201)
        if response is not None:
            self.tally.responses[key] = response.json()["id"]
            if response.headers.get("idempotent-replayed") == "true":
                self.tally.replayed_responses += 1

    async def _alert(self) -> None:
        self._alerts += 1
        number = self._alerts
        body = {
            "kind": "country_visit",
            "stage": "announced",
            "country": COUNTRY,
            "mechanism": self.world.mandate,
            "title": {"en": f"Country visit {number} of the {self.world.mandate}"},
            "starts_on": "2026-09-01",
            "ends_on": "2026-09-12",
        }

        async def attempt() -> httpx.Response:
            return await self.world.publisher.client.post(
                "/api/v1/alerts", json=body, timeout=self._timeout
            )

        response = await self._with_retries("alert", attempt, expect=201)
        if response is not None:
            self.tally.alerts.add(response.json()["id"])

    async def _input(self, officer_index: int, recommendation_id: str) -> None:
        officer = self.world.officers[officer_index]
        pair = (str(officer.institution_id), recommendation_id)
        body = {
            "recommendation_id": recommendation_id,
            "status": "in_progress",
            "measures_taken": f"Ordinance {uuid4().hex[:6]} gives every district an equality desk",
            "indicators": [
                {
                    "name": "Residents served by the equality desks",
                    "value": random.randint(50, 500),
                    "period": "2025",
                    "disaggregation": [],
                }
            ],
        }

        async def attempt() -> httpx.Response:
            self.tally.input_attempts[pair] += 1
            return await officer.client.post(
                f"/api/v1/exercises/{self.world.exercise_id}/inputs",
                json=body,
                timeout=self._timeout,
            )

        response = await self._with_retries("input", attempt, expect=(200, 201))
        if response is not None:
            self.tally.inputs.add(pair)

    # -- retries --------------------------------------------------------------------------

    async def _with_retries(
        self,
        op: str,
        attempt: Callable[[], Awaitable[httpx.Response]],
        *,
        expect: int | tuple[int, ...],
    ) -> httpx.Response | None:
        wanted = (expect,) if isinstance(expect, int) else expect
        deadline = time.monotonic() + self._op_deadline
        backoff = 0.2
        while True:
            began = time.monotonic()
            status: int | None = None
            try:
                response = await attempt()
            except httpx.ConnectError as exc:
                # Nothing listens (the gateway is down): the request never left.
                error = f"connect_error: {exc}"
            except httpx.TimeoutException as exc:
                error = f"timeout: {type(exc).__name__}"
                self._maybe_applied(op)
            except httpx.TransportError as exc:
                error = f"transport_error: {type(exc).__name__}: {exc}"
                self._maybe_applied(op)
            else:
                if response.status_code in wanted:
                    self.tally.acknowledged[op] += 1
                    self.tally.acknowledged_at.append((op, time.monotonic()))
                    return response
                status = response.status_code
                error = response.text[:300]
                if status < 500:
                    self.tally.rejected.append(f"{op}: {status} {error}")
                    return None
                if status != 503:
                    self._maybe_applied(op)
            now = time.monotonic()
            self.tally.failures.append(FailedAttempt(op, status, error, now - began, now))
            if now > deadline:
                self.tally.abandoned.append(f"{op}: last {status} {error}")
                return None
            await asyncio.sleep(backoff * (0.5 + random.random()))
            backoff = min(backoff * 2, 2.0)

    def _maybe_applied(self, op: str) -> None:
        if op == "alert":
            self.tally.alert_maybe_applied += 1


def statuses_of(failures: list[FailedAttempt]) -> set[Any]:
    """The distinct outcomes of failed attempts: HTTP statuses, or the kind of error."""
    return {f.status if f.status is not None else f.error.split(":")[0] for f in failures}
