"""Per-client request rates: counted in the process by default, in Redis (`limits`) by URL.

Most limits use a sliding-window counter: as cheap as a fixed window (two counters per
client) without a fixed window's double burst at the boundary. It is an estimate, though:
just after a window turns, the previous window's count is weighted and rounded down, so
one request more than the limit can pass. Limits named in ``exact`` (the login limit,
which guards passwords and is small) use a moving window instead, which keeps one
timestamp per request and never lets the extra request through. Answers carry the IETF
draft ``RateLimit-*`` headers, and a refusal ``Retry-After``.

Storage: with ``memory://`` (one gateway process) the sliding-window counters are
``LocalWindowCounters``, a dict in this process, counted in one pass per limit with the
same arithmetic as `limits`' own; the `limits` library's strategies took two async storage
passes per limit and about a sixth of the gateway's CPU per proxied call. Any other URI
(``redis://`` shared by several gateway processes, or ``async+memory://`` for `limits`' own
memory storage) and every exact limit go through `limits`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import NamedTuple, Protocol, cast

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

LOCAL_STORAGE_URI = "memory://"


# Named tuples, not frozen dataclasses: two are made per request, and a frozen dataclass
# sets each field through object.__setattr__.
class Decision(NamedTuple):
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


class Count(NamedTuple):
    """One limit's answer to one hit: allowed, what is left, seconds until a hit frees up."""

    allowed: bool
    remaining: int
    reset_in: float


class Counter(Protocol):
    """Counts hits of one client against one limit, named ``name``."""

    async def hit(self, item: RateLimitItem, name: str, client: str) -> Count: ...


def async_storage_uri(uri: str) -> str:
    """``memory://`` -> ``async+memory://``: the gateway runs on asyncio."""
    return uri if uri.startswith("async+") else f"async+{uri}"


class LibraryCounter:
    """A `limits` strategy: its hit, then its window's statistics (two storage passes)."""

    def __init__(self, strategy: Strategy) -> None:
        self._strategy = strategy

    async def hit(self, item: RateLimitItem, name: str, client: str) -> Count:
        allowed = await self._strategy.hit(item, name, client)
        stats = await self._strategy.get_window_stats(item, name, client)
        return Count(allowed, max(0, stats.remaining), stats.reset_time - time.time())


class LocalWindowCounters:
    """`limits`' sliding-window counter, kept in a dict of this process, in one pass.

    Per (limit, name, client): the window's index (time / the limit's period), the hits in
    it and in the window before. Counters of windows that no longer weigh are dropped once
    per period of the shortest limit seen, so memory follows the clients of the last two
    windows.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        # (limit's period, its amount, name, client): [window's index, hits, previous hits]
        self._windows: dict[tuple[int, int, str, str], list[int]] = {}
        self._sweep_at = 0.0
        self._sweep_every = math.inf

    async def hit(self, item: RateLimitItem, name: str, client: str) -> Count:
        now = self.clock()
        period = item.get_expiry()
        if now >= self._sweep_at or period < self._sweep_every:
            self._sweep(now, period)
        window = int(now / period)
        key = (period, item.amount, name, client)
        counts = self._windows.get(key)
        if counts is None:
            counts = self._windows[key] = [window, 0, 0]
        elif counts[0] != window:  # a later window: the last one's hits weigh, older none
            counts[2] = counts[1] if counts[0] == window - 1 else 0
            counts[0], counts[1] = window, 0
        current, previous = counts[1], counts[2]
        # The same arithmetic as limits' storages and SlidingWindowCounterRateLimiter.
        previous_ttl = (1 - (((now - period) / period) % 1)) * period if previous else 0.0
        weighted = previous * previous_ttl / period + current
        allowed = math.floor(weighted) + 1 <= item.amount
        if allowed:
            current = counts[1] = current + 1
            weighted += 1
        remaining = max(0, item.amount - math.floor(weighted))
        reset_in = math.inf
        if previous:
            reset_in = previous_ttl % (period / previous)
        if current:
            reset_in = min(reset_in, ((1 - ((now / period) % 1)) * period + period) % period)
        return Count(allowed, remaining, 0.0 if reset_in == math.inf else reset_in)

    def _sweep(self, now: float, period: float) -> None:
        self._sweep_every = min(self._sweep_every, period)
        self._sweep_at = now + self._sweep_every
        stale = [key for key, counts in self._windows.items() if counts[0] < int(now / key[0]) - 1]
        for key in stale:
            del self._windows[key]

    def __len__(self) -> int:
        return len(self._windows)

    def reset(self) -> None:
        self._windows.clear()


class RateLimiter:
    """Named limits ("default", "responses", "login") checked per client key."""

    def __init__(
        self,
        storage_uri: str,
        limits: dict[str, str],
        *,
        exact: frozenset[str] = frozenset(),
        enabled: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.enabled = enabled
        self._storage = cast(AsyncStorage, storage_from_string(async_storage_uri(storage_uri)))
        moving = LibraryCounter(MovingWindowRateLimiter(self._storage))
        self._local: LocalWindowCounters | None = None
        estimate: Counter
        if storage_uri == LOCAL_STORAGE_URI:
            estimate = self._local = LocalWindowCounters(clock)
        else:
            estimate = LibraryCounter(SlidingWindowCounterRateLimiter(self._storage))
        self._counters: dict[str, Counter] = {
            name: moving if name in exact else estimate for name in limits
        }
        self._limits: dict[str, list[RateLimitItem]] = {
            name: parse_many(spec) for name, spec in limits.items()
        }

    @property
    def local(self) -> bool:
        """Whether the estimated limits are counted in this process (``memory://``)."""
        return self._local is not None

    async def hit(self, name: str, client: str) -> Decision | None:
        """Count one request of ``client`` against the limit ``name``; RateLimited when over."""
        if not self.enabled:
            return None
        tightest: Decision | None = None
        counter = self._counters[name]
        for item in self._limits[name]:
            count = await counter.hit(item, name, client)
            reset_after = max(1, math.ceil(count.reset_in))
            decision = Decision(item.amount, count.remaining, reset_after)
            if not count.allowed:
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
        if self._local is not None:
            self._local.reset()
