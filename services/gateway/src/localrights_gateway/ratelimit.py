"""Per-client request rates with the `limits` library (memory by default, Redis by URL).

Most limits use a sliding-window counter: as cheap as a fixed window (two counters per
client) without a fixed window's double burst at the boundary. It is an estimate, though:
just after a window turns, the previous window's count is weighted and rounded down, so
one request more than the limit can pass. Limits named in ``exact`` (the login limit,
which guards passwords and is small) use a moving window instead, which keeps one
timestamp per request and never lets the extra request through. Answers carry the IETF
draft ``RateLimit-*`` headers, and a refusal ``Retry-After``.

The default storage, ``memory://`` (one process's counters), is used through the library's
synchronous strategies: its asyncio flavour starts a new task on almost every call to
expire old counters, which cost a proxied call about a sixth of the gateway's own time;
the synchronous one expires them from a timer thread, and a call is a few dictionary
operations with nothing to await. Other storages (Redis) are used through asyncio.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import cast

from limits import RateLimitItem, WindowStats, parse_many, strategies
from limits.aio import strategies as aio_strategies
from limits.aio.storage import Storage as AsyncStorage
from limits.storage import MemoryStorage, storage_from_string

from localrights_gateway.exceptions import RateLimited


@dataclass(frozen=True)
class Decision:
    """Where a client stands against the tightest of the limits it was checked against."""

    limit: int
    remaining: int
    reset_after: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_after),
        }


def async_storage_uri(uri: str) -> str:
    """``memory://`` -> ``async+memory://``: the gateway runs on asyncio."""
    return uri if uri.startswith("async+") else f"async+{uri}"


class _Counters:
    """The limits' counters in one process's memory, through the synchronous strategies."""

    def __init__(self, exact: frozenset[str]) -> None:
        self.storage = MemoryStorage()
        self._exact = exact
        self._estimate = strategies.SlidingWindowCounterRateLimiter(self.storage)
        self._moving = strategies.MovingWindowRateLimiter(self.storage)

    async def hit(self, item: RateLimitItem, name: str, client: str) -> tuple[bool, WindowStats]:
        strategy = self._moving if name in self._exact else self._estimate
        return strategy.hit(item, name, client), strategy.get_window_stats(item, name, client)

    async def reset(self) -> None:
        self.storage.reset()


class _SharedCounters:
    """The limits' counters in a shared storage (Redis), through asyncio."""

    def __init__(self, uri: str, exact: frozenset[str]) -> None:
        self.storage = cast(AsyncStorage, storage_from_string(async_storage_uri(uri)))
        self._exact = exact
        self._estimate = aio_strategies.SlidingWindowCounterRateLimiter(self.storage)
        self._moving = aio_strategies.MovingWindowRateLimiter(self.storage)

    async def hit(self, item: RateLimitItem, name: str, client: str) -> tuple[bool, WindowStats]:
        strategy = self._moving if name in self._exact else self._estimate
        allowed = await strategy.hit(item, name, client)
        return allowed, await strategy.get_window_stats(item, name, client)

    async def reset(self) -> None:
        await self.storage.reset()


class RateLimiter:
    """Named limits ("default", "responses", "login") checked per client key."""

    def __init__(
        self,
        storage_uri: str,
        limits: dict[str, str],
        *,
        exact: frozenset[str] = frozenset(),
        enabled: bool = True,
    ) -> None:
        self.enabled = enabled
        self._counters: _Counters | _SharedCounters = (
            _Counters(exact)
            if storage_uri.removeprefix("async+") == "memory://"
            else _SharedCounters(storage_uri, exact)
        )
        self._limits: dict[str, list[RateLimitItem]] = {
            name: parse_many(spec) for name, spec in limits.items()
        }

    async def hit(self, name: str, client: str) -> Decision | None:
        """Count one request of ``client`` against the limit ``name``; RateLimited when over."""
        if not self.enabled:
            return None
        tightest: Decision | None = None
        for item in self._limits[name]:
            allowed, stats = await self._counters.hit(item, name, client)
            reset_after = max(1, math.ceil(stats.reset_time - time.time()))
            decision = Decision(item.amount, max(0, stats.remaining), reset_after)
            if not allowed:
                headers = {**decision.headers(), "Retry-After": str(reset_after)}
                raise RateLimited(
                    f"too many requests: the limit is {item}; try again in {reset_after} s",
                    headers=headers,
                )
            if tightest is None or decision.remaining < tightest.remaining:
                tightest = decision
        return tightest

    async def reset(self) -> None:
        await self._counters.reset()
