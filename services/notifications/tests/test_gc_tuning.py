"""A service tunes its process's garbage collector once started, unless told not to."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from localrights.gc_tuning import YOUNG_THRESHOLD


async def test_a_started_service_has_frozen_what_start_up_built(
    start_service: Callable[..., Any], restored_gc: None
) -> None:
    async with start_service(gc_tuning=True) as service:
        assert gc.get_freeze_count() > 0
        # The app itself is among the frozen objects: no collection scans it again.
        assert not any(o is service.app for o in gc.get_objects())
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD


async def test_with_tuning_off_the_collector_is_left_as_it_was(
    start_service: Callable[..., Any], restored_gc: None
) -> None:
    thresholds = gc.get_threshold()
    async with start_service(gc_tuning=False):
        assert gc.get_freeze_count() == 0
        assert gc.get_threshold() == thresholds
