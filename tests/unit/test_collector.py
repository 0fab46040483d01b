"""The collector pause of a long load (``cli/collector.py``): garbage is still collected at
each boundary, and the process gets its collector back as it was, also after an error."""

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
    was = gc.isenabled()
    yield
    gc.unfreeze()
    if was:
        gc.enable()
    else:
        gc.disable()


def test_between_boundaries_a_cycle_waits_and_a_boundary_frees_it() -> None:
    gc.enable()
    with collected_at_boundaries() as boundary:
        assert not gc.isenabled()
        alive = _cycle()
        for _ in range(100_000):  # enough allocations to set off an enabled collector
            _Node()
        assert alive() is not None
        boundary()
        assert alive() is None
        assert gc.get_freeze_count() > 0  # what survived is not walked again


def test_leaving_gives_the_collector_back_and_unfreezes() -> None:
    gc.enable()
    with collected_at_boundaries() as boundary:
        boundary()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def _failing_load() -> None:
    with collected_at_boundaries() as boundary:
        boundary()
        raise RuntimeError("the load failed")


def test_an_error_gives_the_collector_back_too() -> None:
    gc.enable()
    with pytest.raises(RuntimeError, match="the load failed"):
        _failing_load()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_collector_off_before_stays_off() -> None:
    gc.disable()
    with collected_at_boundaries() as boundary:
        boundary()
    assert not gc.isenabled()
    assert gc.get_freeze_count() == 0
