"""The rate limiter across a window boundary, where the estimate and the exact limit part."""

from __future__ import annotations

import asyncio
import time

import pytest

from localrights_gateway.exceptions import RateLimited
from localrights_gateway.ratelimit import RateLimiter

WINDOW_SECONDS = 2


async def _just_before_a_window_turns() -> None:
    """Sleep until the last tenth of a window (windows are aligned to the epoch)."""
    into_window = time.time() % WINDOW_SECONDS
    await asyncio.sleep((WINDOW_SECONDS * 0.9 - into_window) % WINDOW_SECONDS)


async def _refused(limiter: RateLimiter, name: str) -> bool:
    try:
        await limiter.hit(name, "client")
    except RateLimited:
        return True
    return False


async def test_an_exact_limit_holds_across_a_window_boundary() -> None:
    spec = f"2 per {WINDOW_SECONDS} seconds"
    limiter = RateLimiter("memory://", {"login": spec, "default": spec}, exact=frozenset({"login"}))
    await _just_before_a_window_turns()
    for name in ("login", "default"):
        assert not await _refused(limiter, name)
        assert not await _refused(limiter, name)
    await asyncio.sleep(WINDOW_SECONDS * 0.15)  # into the next window

    # Both hits are still within the last two seconds: the third login must wait ...
    assert await _refused(limiter, "login")
    # ... where the estimate, rounding the previous window's weight down, lets it through.
    # This half shows the test really crossed a boundary.
    assert not await _refused(limiter, "default")


class _Clock:
    """A settable wall clock (seconds since the epoch), for windows turning on demand."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def _hit(limiter: RateLimiter, name: str = "default") -> dict[str, str]:
    """The headers of one hit: the answer's on success, the refusal's (with Retry-After)."""
    try:
        decision = await limiter.hit(name, "client")
    except RateLimited as refusal:
        return dict(refusal.headers or {})
    assert decision is not None
    return decision.headers()


def _local(spec: str, clock: _Clock) -> RateLimiter:
    return RateLimiter("memory://", {"default": spec}, clock=clock)


def test_memory_storage_counts_in_the_process_and_other_uris_with_limits() -> None:
    assert RateLimiter("memory://", {"default": "1/minute"}).local
    # limits' own memory storage stands here for a shared one (Redis): the same code path.
    assert not RateLimiter("async+memory://", {"default": "1/minute"}).local


async def test_the_local_counter_refuses_the_hit_over_the_limit_with_retry_after() -> None:
    clock = _Clock(1_000_050.0)  # half-way into a minute's window
    limiter = _local("3/minute", clock)
    answers = [await _hit(limiter) for _ in range(4)]

    assert [a["RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert {a["RateLimit-Limit"] for a in answers} == {"3"}
    assert "Retry-After" not in answers[2]
    # A hit frees up when this window has passed, 30 s on (as limits reckons it).
    assert answers[3]["Retry-After"] == answers[3]["RateLimit-Reset"] == "30"


async def test_the_local_counter_weighs_the_last_window_and_forgets_older_ones() -> None:
    clock = _Clock(1_000_050.0)
    limiter = _local("4/minute", clock)
    for _ in range(4):
        await _hit(limiter)
    clock.now = 1_000_095.0  # a quarter into the next window: 4 x 0.75 = 3 still weigh
    assert (await _hit(limiter))["RateLimit-Remaining"] == "0"
    assert "Retry-After" in await _hit(limiter)
    clock.now = 1_000_215.0  # two windows on: nothing weighs any more
    assert (await _hit(limiter))["RateLimit-Remaining"] == "3"


async def test_the_tightest_of_several_limits_is_reported_and_enforced() -> None:
    clock = _Clock(1_000_050.0)
    limiter = _local("2/second;100/minute", clock)
    first = await _hit(limiter)
    assert (first["RateLimit-Limit"], first["RateLimit-Remaining"]) == ("2", "1")
    await _hit(limiter)
    refused = await _hit(limiter)
    assert refused["RateLimit-Limit"] == "2" and refused["Retry-After"] == "1"
    clock.now += 2  # the second's limit is free again, the minute's still counts
    again = await _hit(limiter)
    assert (again["RateLimit-Limit"], again["RateLimit-Remaining"]) == ("2", "1")


async def test_counters_of_windows_that_no_longer_weigh_are_dropped() -> None:
    clock = _Clock(1_000_050.0)
    limiter = RateLimiter("memory://", {"default": "5/minute"}, clock=clock)
    assert limiter._local is not None
    for client in ("a", "b", "c"):
        await limiter.hit("default", client)
    assert len(limiter._local) == 3
    clock.now += 61  # the next window: the three still weigh
    await limiter.hit("default", "a")
    assert len(limiter._local) == 3
    clock.now += 61  # two windows on: b's and c's counts weigh nothing
    await limiter.hit("default", "a")
    assert len(limiter._local) == 1


async def test_the_local_counter_answers_as_limits_does_hit_by_hit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same hits at the same moments, through limits' strategy and the local counter:
    the same refusals, remaining counts and resets, across several windows turning."""
    clock = _Clock(1_000_007.25)
    monkeypatch.setattr(time, "time", clock)  # limits reads time.time()
    spec = "5 per 10 seconds"
    local = RateLimiter("memory://", {"default": spec}, clock=clock)
    library = RateLimiter("async+memory://", {"default": spec})
    assert local.local and not library.local
    steps = [0.3, 0.1, 0.9, 0.4, 0.2, 0.05, 1.7, 2.9, 0.6, 3.3, 0.2, 0.7, 4.1, 0.4, 0.1]
    for step in steps * 3:
        clock.now += step
        assert await _hit(local) == await _hit(library), clock.now
