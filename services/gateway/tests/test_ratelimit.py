"""The rate limiter across a window boundary, where the estimate and the exact limit part."""

from __future__ import annotations

import asyncio
import time
from typing import Any

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


async def test_counting_in_memory_starts_no_task_per_request() -> None:
    """The in-memory counters are counted without a task per call (the library's asyncio
    memory storage started one on almost every call to expire old counters)."""
    limiter = RateLimiter(
        "memory://", {"default": "1000/minute", "login": "1000/minute"}, exact=frozenset({"login"})
    )
    loop = asyncio.get_running_loop()
    started: list[object] = []
    factory = loop.get_task_factory()

    def counting(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        started.append(coro)
        if factory is not None:
            return factory(loop, coro, **kwargs)  # type: ignore[return-value]
        return asyncio.Task(coro, loop=loop, **kwargs)

    loop.set_task_factory(counting)
    try:
        for _ in range(50):
            decision = await limiter.hit("default", "client")
            await limiter.hit("login", "client")
            await asyncio.sleep(0.001)  # long enough for an expiry task to have finished
    finally:
        loop.set_task_factory(factory)
    assert started == []
    assert decision is not None
    assert (decision.limit, decision.remaining) == (1000, 1000 - 50)
