"""The collector of a long load (``cli/collector.py``): young garbage goes as before, old
garbage at each boundary, and the process gets its collector back as it was, also after an
error."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from childindex.cli.collector import collected_at_boundaries


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def _cycle() -> weakref.ref[_Node]:
    """A reference cycle only the cyclic collector can free; a weak reference to it."""
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    return weakref.ref(a)


@pytest.fixture(autouse=True)
def _collector_as_found() -> Iterator[None]:
    was, thresholds = gc.isenabled(), gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    if was:
        gc.enable()
    else:
        gc.disable()


def _allocate() -> None:
    """Enough new container objects to set off every generation of an enabled collector."""
    kept = [_Node() for _ in range(200_000)]
    del kept


def test_a_young_cycle_goes_without_waiting_for_a_boundary() -> None:
    gc.enable()
    with collected_at_boundaries():
        young = _cycle()
        _allocate()
        assert young() is None


def test_an_old_cycle_waits_for_the_boundary_which_frees_it() -> None:
    gc.enable()
    with collected_at_boundaries() as boundary:
        held = _cycle()
        kept = held()
        gc.collect()  # it survives into the oldest generation
        del kept
        _allocate()
        assert held() is not None  # the oldest generation is not walked on its own
        boundary()
        assert held() is None
        assert gc.get_freeze_count() > 0  # what survived is not walked again


def test_leaving_gives_the_collector_back_and_unfreezes() -> None:
    gc.enable()
    before = gc.get_threshold()
    with collected_at_boundaries() as boundary:
        assert gc.get_threshold() != before
        boundary()
    assert gc.isenabled()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def _failing_load() -> None:
    with collected_at_boundaries() as boundary:
        boundary()
        raise RuntimeError("the load failed")


def test_an_error_gives_the_collector_back_too() -> None:
    gc.enable()
    before = gc.get_threshold()
    with pytest.raises(RuntimeError, match="the load failed"):
        _failing_load()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
