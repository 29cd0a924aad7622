"""Deadlines of the proxy's calls to the services: one timer for all of them, not one each.

``asyncio.timeout`` schedules a timer per call and cancels it after (about 6 µs of the
gateway's CPU per proxied call, a twentieth of it; bench/gateway_overhead.py). Every
proxied call has the same time limit, so the calls in flight reach their deadlines in the
order they started: they are kept in a dict (in insertion order), and one timer, while any
call runs, cancels those past their deadline. A cancelled call raises ``TimeoutError``
out of its ``with`` block, as under ``asyncio.timeout`` (whose cancel-count rules this
follows: a cancel from elsewhere still goes on as ``CancelledError``). A call is cut off
between ``seconds`` and ``seconds + tick`` after it started.
"""

from __future__ import annotations

import asyncio
from types import TracebackType


class Deadlines:
    """``with deadlines.bound(): ...`` limits the block's time to ``seconds``."""

    def __init__(self, seconds: float, *, tick: float | None = None) -> None:
        self.seconds = seconds
        self.tick = tick if tick is not None else min(0.5, seconds / 10)
        self._running: dict[Bound, float] = {}  # the calls in flight, and their deadlines
        self._timer: asyncio.TimerHandle | None = None

    def bound(self) -> Bound:
        return Bound(self)

    def __len__(self) -> int:
        return len(self._running)

    def _start(self, bound: Bound) -> None:
        loop = asyncio.get_running_loop()
        self._running[bound] = loop.time() + self.seconds
        if self._timer is None:
            self._timer = loop.call_later(self.seconds, self._cut_off_overdue)

    def _cut_off_overdue(self) -> None:
        self._timer = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        overdue = []
        for bound, deadline in self._running.items():
            if deadline > now:
                break
            overdue.append(bound)
        for bound in overdue:
            del self._running[bound]
            bound.expire()
        if self._running:
            first = next(iter(self._running.values()))
            self._timer = loop.call_later(max(self.tick, first - now), self._cut_off_overdue)


class Bound:
    """One call's deadline: a synchronous context manager (no await of its own)."""

    __slots__ = ("_cancelling", "_deadlines", "_task", "expired")

    def __init__(self, deadlines: Deadlines) -> None:
        self._deadlines = deadlines
        self.expired = False

    def __enter__(self) -> Bound:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("Deadlines need a running task")
        self._task = task
        self._cancelling = task.cancelling()
        self._deadlines._start(self)
        return self

    def expire(self) -> None:
        self.expired = True
        self._task.cancel()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._deadlines._running.pop(self, None)
        if (
            self.expired
            and self._task.uncancel() <= self._cancelling
            and exc_type is asyncio.CancelledError
        ):
            raise TimeoutError from exc
