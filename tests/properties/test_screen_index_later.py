"""The screen's index held in memory (``services/screen_index.py``) sorts a name key's year,
and a day and month's children, only when first asked for them. A load's walks keep the index
as the store is (``LoadMemory.after``), so children are replaced in it between questions,
before and after those parts are sorted: whatever the order, it answers as an index built at
once from the children held now."""

from __future__ import annotations

from collections import Counter
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from childindex.domain.shield import ScreenProfile, blocking_keys
from childindex.services.ports import ScreenEntry
from childindex.services.screen_index import ShieldedIndex
from screen_worlds import FAMILY, GIVEN, entry

CHILDREN = [f"C{n}" for n in range(6)]
# Within one year: the same day, the same month, the same day of another month, neither;
# the same day and month a year on; unknown. Most pairs share one key or none, so a child
# missed by one part of the index is not found by another.
DATES = [
    date(2015, 3, 14),
    date(2015, 3, 20),
    date(2015, 7, 14),
    date(2015, 9, 9),
    date(2016, 3, 14),
    None,
]


@st.composite
def profiles(draw: st.DrawFn, child_id: str = "probe") -> ScreenProfile:
    born: date | None = draw(st.sampled_from(DATES))
    return ScreenProfile(
        child_id=child_id,
        given_name=draw(st.sampled_from(GIVEN)),
        family_name=draw(st.sampled_from(FAMILY)),
        birth_date=born,
        sex=draw(st.sampled_from(["F", "M", None])),
    )


@st.composite
def held(draw: st.DrawFn, child_id: str) -> list[ScreenEntry]:
    """One child's entries: the identity it shows and up to two others."""
    return [entry(p) for p in draw(st.lists(profiles(child_id), min_size=1, max_size=3))]


# A step: ask about a profile (dates alone or not), or replace one child's entries.
STEPS = st.one_of(
    st.tuples(st.just("ask"), profiles(), st.booleans()),
    st.sampled_from(CHILDREN).flatmap(
        lambda child_id: st.tuples(st.just("replace"), st.just(child_id), held(child_id))
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    start=st.tuples(*(held(child_id) for child_id in CHILDREN)),
    steps=st.lists(STEPS, max_size=20),
)
def test_an_index_kept_by_replacing_answers_as_one_built_at_once(
    start: tuple[list[ScreenEntry], ...],
    steps: list[tuple[object, ...]],
) -> None:
    index = ShieldedIndex(e for entries in start for e in entries)
    now = {entries[0].profile.child_id: entries for entries in start}
    for step in steps:
        if step[0] == "replace":
            _, child_id, entries = step
            assert isinstance(child_id, str)
            assert isinstance(entries, list)
            index.replace([child_id], entries)
            now[child_id] = entries
            continue
        _, probe, dates_alone = step
        assert isinstance(probe, ScreenProfile)
        assert isinstance(dates_alone, bool)
        keys = blocking_keys(probe)
        fresh = ShieldedIndex(e for entries in now.values() for e in entries)
        assert Counter(index.candidates(keys, dates_alone=dates_alone)) == Counter(
            fresh.candidates(keys, dates_alone=dates_alone)
        )
