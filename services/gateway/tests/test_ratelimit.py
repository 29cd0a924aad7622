"""The rate limiter across a window boundary, where the estimate and the exact limit part."""

from __future__ import annotations

import asyncio
import time

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
