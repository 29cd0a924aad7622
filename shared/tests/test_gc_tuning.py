"""The garbage collector as a service process sets it (localrights.gc_tuning)."""

from __future__ import annotations

import gc
import os

from localrights.gc_tuning import YOUNG_THRESHOLD, tune_for_service


def test_start_up_objects_are_frozen_and_young_ones_collected_less_often(
    restored_gc: None,
) -> None:
    built_at_start_up = {"a": [1, 2, 3]}
    middle, oldest = gc.get_threshold()[1:]
    tune_for_service()
    assert gc.get_freeze_count() > 0
    assert gc.is_tracked(built_at_start_up)
    # Frozen objects are out of every generation a collection scans.
    assert not any(o is built_at_start_up for o in gc.get_objects())
    assert gc.get_threshold() == (YOUNG_THRESHOLD, middle, oldest)


def test_test_processes_leave_the_collector_alone() -> None:
    # The plugin's default: hundreds of apps per process would otherwise freeze their garbage.
    assert os.environ["GC_TUNING"] == "false"
    assert gc.get_freeze_count() == 0
