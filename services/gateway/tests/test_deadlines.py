"""The proxy's deadlines: one timer cuts off every call past its time, as asyncio.timeout would."""

from __future__ import annotations

import asyncio

import pytest

from localrights_gateway.deadlines import Deadlines

SECONDS = 0.2


async def _call(deadlines: Deadlines, lasts: float) -> str:
    with deadlines.bound():
        await asyncio.sleep(lasts)
    return "done"


async def test_a_call_past_its_deadline_raises_timeout_error_and_not_before() -> None:
    deadlines = Deadlines(SECONDS, tick=0.05)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(TimeoutError):
        await _call(deadlines, 30)
    assert loop.time() - started >= SECONDS
    assert len(deadlines) == 0


async def test_only_the_calls_past_their_deadlines_are_cut_off() -> None:
    deadlines = Deadlines(SECONDS, tick=0.05)
    slow = asyncio.create_task(_call(deadlines, 30))
    await asyncio.sleep(SECONDS / 2)
    # Started later: past the slow call's deadline, still within its own.
    quick = asyncio.create_task(_call(deadlines, SECONDS * 0.75))
    in_time = [asyncio.create_task(_call(deadlines, 0.01)) for _ in range(3)]

    assert [await task for task in in_time] == ["done"] * 3
    with pytest.raises(TimeoutError):
        await slow
    assert await quick == "done"
    assert len(deadlines) == 0


async def test_a_call_cancelled_from_elsewhere_is_cancelled_not_timed_out() -> None:
    deadlines = Deadlines(SECONDS, tick=0.05)
    call = asyncio.create_task(_call(deadlines, 30))
    await asyncio.sleep(0.01)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert len(deadlines) == 0


async def test_the_same_deadlines_serve_calls_after_the_timer_has_stopped() -> None:
    deadlines = Deadlines(SECONDS, tick=0.05)
    assert await _call(deadlines, 0.01) == "done"
    await asyncio.sleep(SECONDS * 1.5)  # the timer ran and, nothing running, was not set again
    with pytest.raises(TimeoutError):
        await _call(deadlines, 30)


async def test_a_timed_out_task_goes_on_uncancelled() -> None:
    deadlines = Deadlines(SECONDS, tick=0.05)

    async def times_out_then_waits() -> str:
        with pytest.raises(TimeoutError):
            await _call(deadlines, 30)
        task = asyncio.current_task()
        assert task is not None and task.cancelling() == 0
        await asyncio.sleep(0.01)  # not cancelled again
        return "went on"

    assert await times_out_then_waits() == "went on"
