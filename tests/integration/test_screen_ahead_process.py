"""The second process of a load's walks (``services/screen_ahead.py``): it works out the
first step of each walk from a fork, gives each when the load reaches it, and nothing for a
child it has not worked out; then which visible children might be a shielded child no walk
starts from."""

from __future__ import annotations

import time
from datetime import date

from childindex.domain.shield import ScreenProfile
from childindex.services.screen_ahead import ScreenAhead, first_step
from childindex.services.screen_index import ShieldedIndex
from childindex.services.shield_screen import DEFAULT_RULE, LoadMemory
from screen_worlds import entry


def _profile(
    child_id: str, given: str, family: str, born: date, *, shielded: bool
) -> ScreenProfile:
    return ScreenProfile(
        child_id, given, family, born, shielded=shielded, strength=1.0 if shielded else 0.0
    )


def _memory() -> LoadMemory:
    """A shielded child with a visible near twin; another shielded child like nobody."""
    return LoadMemory(
        visible=ShieldedIndex(
            [entry(_profile("V", "Amarah", "Okafor", date(2015, 3, 14), shielded=False))]
        ),
        shielded=ShieldedIndex(
            [
                entry(_profile("S", "Amara", "Okafor", date(2015, 3, 14), shielded=True)),
                entry(_profile("Q", "Kwame", "Zimmer", date(2009, 9, 9), shielded=True)),
            ]
        ),
        weight=None,
    )


# Time enough for the fork to work out these few steps (milliseconds): a child the load
# reaches before the fork has its step, the load steps from itself, and the fork skips.
SETTLE_S = 2.0


def test_the_fork_gives_each_first_step_as_worked_out_here() -> None:
    memory = _memory()
    ahead = ScreenAhead(memory, DEFAULT_RULE, ["Q", "S", "Q", "unheld"])
    try:
        time.sleep(SETTLE_S)
        steps = [ahead.steps(number) for number in (1, 2)]
        unheld = ahead.steps(3)
    finally:
        ahead.close()
    assert steps == [first_step(memory, DEFAULT_RULE, c) for c in ("S", "Q")]
    # S's first step finds V; Q's finds nobody; a child not held shielded has none.
    (found,) = steps[0].values()  # type: ignore[union-attr]
    assert set(found) == {"V"}
    assert all(not hits for hits in steps[1].values())  # type: ignore[union-attr]
    assert unheld is None


def test_a_child_passed_or_closed_has_no_step_from_the_fork() -> None:
    ahead = ScreenAhead(_memory(), DEFAULT_RULE, ["S", "Q", "S"])
    try:
        time.sleep(SETTLE_S)
        assert ahead.steps(1) is not None
        assert ahead.steps(0) is None  # passed: the load took it itself
    finally:
        ahead.close()
    assert ahead.steps(2) is None


def test_the_fork_names_the_visible_children_that_might_be_a_shielded_one_apart() -> None:
    memory = _memory()
    # The walks start from Q: S is apart, and V, its near twin, might be S.
    ahead = ScreenAhead(memory, DEFAULT_RULE, ["Q"], visible=["V"])
    try:
        time.sleep(SETTLE_S)
        assert ahead.answers_for(memory.shielded.profiles_of("S"))
        assert not ahead.answers_for(memory.shielded.profiles_of("Q"))  # walked: not compared
        found = ahead.might_be(0)
    finally:
        ahead.close()
    assert found == {"V"}


def test_the_fork_names_none_when_the_walks_start_from_every_look_alike() -> None:
    ahead = ScreenAhead(_memory(), DEFAULT_RULE, ["S", "Q"], visible=["V"])
    try:
        time.sleep(SETTLE_S)
        assert ahead.might_be(0) == frozenset()  # answered: nobody apart to be
    finally:
        ahead.close()


def test_a_chunk_passed_has_no_answer_from_the_fork() -> None:
    ahead = ScreenAhead(_memory(), DEFAULT_RULE, ["Q"], visible=["V"])
    try:
        time.sleep(SETTLE_S)
        assert ahead.might_be(1) is None  # no such chunk
        assert ahead.might_be(0) is None  # passed: the load compares them itself
    finally:
        ahead.close()
