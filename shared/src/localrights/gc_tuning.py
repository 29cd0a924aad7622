"""The cyclic garbage collector, set for a long-running service process.

Python runs its youngest generation every 700 net allocations and, every hundred runs,
scans every object the process holds, the whole app built at start-up included. In the
notifications service one such full scan took 0.25-0.3 s on our machines, during which
no webhook is sent; a fan-out that keeps a thousand calls open to hanging endpoints (each
holding its request objects alive) set off several of them, and that, more than the
hanging calls themselves, is what delayed the healthy deliveries.

So once a service has started: what start-up built is frozen (moved out of every scan
for good, as the ``gc.freeze`` documentation suggests for long-lived objects), and the
youngest generation is collected every ``YOUNG_THRESHOLD`` allocations. Reference counting
still frees almost everything at once; only cycles wait longer, a few megabytes at most.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 50_000


def tune_for_service() -> None:
    """Freeze the objects start-up built and collect young objects less often."""
    gc.collect()  # what start-up left as garbage is not frozen with the rest
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)
