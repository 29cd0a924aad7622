"""Per-client request rates with the `limits` library (memory by default, Redis by URL).

Most limits use a sliding-window counter: as cheap as a fixed window (two counters per
client) without a fixed window's double burst at the boundary. It is an estimate, though:
just after a window turns, the previous window's count is weighted and rounded down, so
one request more than the limit can pass. Limits named in ``exact`` (the login limit,
which guards passwords and is small) use a moving window instead, which keeps one
timestamp per request and never lets the extra request through. Answers carry the IETF
draft ``RateLimit-*`` headers, and a refusal ``Retry-After``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import cast

from limits import RateLimitItem, parse_many
from limits.aio.storage import Storage as AsyncStorage
from limits.aio.strategies import (
    MovingWindowRateLimiter,
    SlidingWindowCounterRateLimiter,
)
from limits.aio.strategies import (
    RateLimiter as Strategy,
)
from limits.storage import storage_from_string

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
        self._storage = cast(AsyncStorage, storage_from_string(async_storage_uri(storage_uri)))
        estimate = SlidingWindowCounterRateLimiter(self._storage)
        moving = MovingWindowRateLimiter(self._storage)
        self._strategies: dict[str, Strategy] = {
            name: moving if name in exact else estimate for name in limits
        }
        self._limits: dict[str, list[RateLimitItem]] = {
            name: parse_many(spec) for name, spec in limits.items()
        }

    async def hit(self, name: str, client: str) -> Decision | None:
        """Count one request of ``client`` against the limit ``name``; RateLimited when over."""
        if not self.enabled:
            return None
        tightest: Decision | None = None
        strategy = self._strategies[name]
        for item in self._limits[name]:
            allowed = await strategy.hit(item, name, client)
            stats = await strategy.get_window_stats(item, name, client)
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
        await self._storage.reset()
