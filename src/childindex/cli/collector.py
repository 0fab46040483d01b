"""Python's cyclic garbage collector during a load that holds a country in memory.

A first or bulk load keeps millions of long-lived objects (records, features, scored pairs,
the screen's indexes) and makes millions more as it goes. The collector, left to itself,
walks all of them again each time the long-lived ones grow by a quarter: at 100,000
children that was a fifth of a bulk load's time, and a full walk grows with the country.
Almost nothing a load makes is cyclic garbage: at a phase boundary of a 100,000-child bulk
load, a collection found 16,000 objects at most, against 3,000,000 kept.

So, for the length of the command, the collector does not run on its own: each phase
boundary collects once and freezes what survives (``gc.freeze``), so that the next
collection walks only what is new. This belongs to the CLI, which owns its process; the
service may run inside the web server, where a process-wide pause would be wrong.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def collected_at_boundaries() -> Iterator[Callable[[], None]]:
    """Pause the collector; yield ``boundary()``, which collects once and freezes what
    survived. On leaving (also on an error), what was frozen goes back to the collector,
    and the collector is enabled again if it was."""
    was_enabled = gc.isenabled()
    gc.disable()

    def boundary() -> None:
        gc.collect()
        gc.freeze()

    try:
        yield boundary
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()
