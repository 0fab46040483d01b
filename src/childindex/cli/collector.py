"""Python's cyclic garbage collector during a load that holds a country in memory.

A first or bulk load keeps millions of long-lived objects (records, features, scored pairs,
the screen's indexes) and makes millions more as it goes. The collector, left to itself,
walks all of the long-lived ones again each time they grow by a quarter: at 1,000,000
children that was about a fifth of a bulk load's time (BENCHMARKS.md). Almost nothing a
load makes is cyclic garbage that lives long: at the phase boundaries of a 100,000-child
bulk load, a full collection found 16,000 objects at most, against 3,000,000 kept.

So, for the length of the command, only the young generations are collected as they fill
(young cycles, such as Splink's per-chunk objects, still go at once); the oldest is
collected at each phase boundary, which then freezes what survives (``gc.freeze``), so
that the next boundary walks only what is new. Switching the collector off altogether
was as fast, but cost 1.8 GB more at its peak at 1,000,000 children: cycles that die after
reaching the oldest generation waited for the next boundary.

This belongs to the CLI, which owns its process; the service may run inside the web
server, where a process-wide change would be wrong.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# Collections of the middle generation before the oldest is collected: never, in effect.
_OLDEST_NEVER = 1 << 30


@contextmanager
def collected_at_boundaries() -> Iterator[Callable[[], None]]:
    """Collect only the young generations as they fill; yield ``boundary()``, which
    collects all of them once and freezes what survived. On leaving (also on an error),
    what was frozen goes back to the collector, and its thresholds are as they were."""
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], _OLDEST_NEVER)

    def boundary() -> None:
        gc.collect()
        gc.freeze()

    try:
        yield boundary
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
