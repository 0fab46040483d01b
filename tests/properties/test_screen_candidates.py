"""The shield screen's candidate query (``ShieldStore.candidates``) finds exactly the children
and other identities that share a screen key with a profile, by the rule in
``domain/shield.py`` (``blocking_keys``), read here straight off the stored rows.

The query runs as one select per key, each answerable from an index; this checks that the
split loses nothing and adds nothing (a candidate missed would be a near twin of a shielded
child left unscreened)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from childindex.domain.child import Child
from childindex.domain.shield import BlockingKeys, blocking_keys
from childindex.domain.similarity import date_closeness, near_years, swapped
from childindex.domain.source_record import SourceRecord
from childindex.services.screen_index import ShieldedIndex
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory
from feed_state import delete_all_rows
from screen_worlds import ON_THE_DATABASE, child_of, identities, worlds


def _rule(row: Any, keys: BlockingKeys, *, dates_alone: bool = False) -> bool:
    """``domain/shield.py``'s candidate rule over one stored row of screen keys, as the store
    narrows it: by a name key within the year, only the same month or day; by the day and
    month, only a year a typo away (the lemma below is why nothing that could resemble is
    lost). ``dates_alone``: a birth date (or its swap), an NHS number or a UPN only."""
    same_date = row.birth_date is not None and str(row.birth_date) in map(str, keys.birth_dates)
    same_id = any(
        value is not None and stored == value
        for stored, value in ((row.nhs_number, keys.nhs_number), (row.upn, keys.upn))
    )
    if dates_alone:
        return same_date or same_id
    names = any(
        value is not None and stored == value
        for stored, value in (
            (row.given_sound, keys.given_sound),
            (row.family_sound, keys.family_sound),
            (row.initials, keys.initials or None),
        )
    )
    born = keys.birth_dates[0] if keys.birth_dates else None
    in_year = (
        row.birth_year is None
        or keys.birth_year is None
        or (
            row.birth_year == keys.birth_year
            and born is not None
            # "MM-DD" (a raw read gives SQLite's dates as text)
            and (
                row.birth_day_month[:2] == f"{born.month:02d}"
                or row.birth_day_month[3:] == f"{born.day:02d}"
            )
        )
    )
    same_day = (
        born is not None
        and keys.birth_day_month is not None
        and row.birth_day_month == keys.birth_day_month
        and row.birth_year in near_years(born)
        and (keys.sex is None or row.sex is None or row.sex == keys.sex)
    )
    return (
        (names and in_year)
        or same_date
        or same_id
        or (keys.postcode is not None and row.postcode == keys.postcode)
        or same_day
    )


COLUMNS = (
    "{t}.child_id, {t}.given_sound, {t}.family_sound, {t}.initials, {t}.birth_year, "
    "{t}.birth_date, {t}.nhs_number, {t}.upn, {t}.postcode, {t}.birth_day_month, {t}.sex"
)


def _expected(
    engine: Engine, keys: BlockingKeys, *, shielded: bool, dates_alone: bool = False
) -> Counter[str]:
    """Each stored row (shown identity or other) of an active child shielded as asked that
    shares a key, by its child ID."""
    queries = (
        f"SELECT {COLUMNS.format(t='k')} FROM child_search_keys k",
        f"SELECT {COLUMNS.format(t='i')} FROM shield_identities i",
    )
    with engine.connect() as connection:
        flags = {
            child: bool(flag)
            for child, flag in connection.execute(
                text(
                    "SELECT k.child_id, k.shielded FROM child_search_keys k "
                    "JOIN children c ON c.child_id = k.child_id WHERE c.status = 'active'"
                )
            )
        }
        rows = [row for query in queries for row in connection.execute(text(query))]
    return Counter(
        row.child_id
        for row in rows
        if flags.get(row.child_id) is shielded and _rule(row, keys, dates_alone=dates_alone)
    )


def _stored(
    uow_factory: SqlUnitOfWorkFactory,
    engine: Engine,
    world: list[tuple[Child, list[SourceRecord]]],
    probe: dict[str, Any],
) -> BlockingKeys:
    """Store ``world`` alone in the database; the screen keys of ``probe``."""
    delete_all_rows(engine)
    with uow_factory() as uow:
        uow.children.save_many(world)
        uow.commit()
    with uow_factory() as uow:
        return blocking_keys(uow.children.screen_profile(child_of(probe, shielded=False)))


@ON_THE_DATABASE
@given(world=worlds(), probe=identities(), shielded=st.booleans(), dates_alone=st.booleans())
def test_candidates_are_exactly_the_rows_sharing_a_screen_key(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    world: list[tuple[Child, list[SourceRecord]]],
    probe: dict[str, Any],
    shielded: bool,
    dates_alone: bool,
) -> None:
    keys = _stored(uow_factory, engine, world, probe)
    with uow_factory() as uow:
        found = Counter(
            p.child_id
            for p in uow.shields.candidates(keys, shielded=shielded, dates_alone=dates_alone)
        )
    assert found == _expected(engine, keys, shielded=shielded, dates_alone=dates_alone)
    delete_all_rows(engine)


@ON_THE_DATABASE
@given(world=worlds(), probe=identities(), shielded=st.booleans(), dates_alone=st.booleans())
def test_memory_finds_the_candidates_the_store_finds(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    world: list[tuple[Child, list[SourceRecord]]],
    probe: dict[str, Any],
    shielded: bool,
    dates_alone: bool,
) -> None:
    # A batch of a feed load screens each new child against the shielded children held in
    # memory (``services/screen_index.py``), and a first load's walks ask the visible ones
    # held in memory (``services/first_load.py``): by the same keys and the same narrowing.
    keys = _stored(uow_factory, engine, world, probe)
    with uow_factory() as uow:
        stored = Counter(uow.shields.candidates(keys, shielded=shielded, dates_alone=dates_alone))
        entries = uow.shields.shielded_entries() if shielded else uow.shields.visible_entries()
        held = Counter(ShieldedIndex(entries).candidates(keys, dates_alone=dates_alone))
    assert held == stored
    delete_all_rows(engine)


@given(st.dates(), st.dates())
def test_the_narrowing_keeps_every_pair_of_dates_that_could_resemble(a: date, b: date) -> None:
    """The lemma the store's narrowing rests on: two known birth dates give the screen
    anything (``date_closeness`` above 0) exactly when they are the same day or its day and
    month swapped, in one year with the same month or the same day, or the same day and
    month a typo of the year or one year apart. Should ``date_closeness`` give something to
    another pair, this fails, and the store's screen keys must widen with it."""
    same_day_and_month = (a.month, a.day) == (b.month, b.day)
    kept = (
        a == b
        or swapped(a) == b
        or (a.year == b.year and (a.month == b.month or a.day == b.day))
        or (same_day_and_month and b.year in near_years(a))
    )
    assert (date_closeness(a, b) > 0.0) == kept


@given(st.dates(), st.integers(min_value=1, max_value=9999))
def test_near_years_are_the_years_one_typo_or_one_year_away(day: date, year: int) -> None:
    try:
        other = day.replace(year=year)
    except ValueError:
        return  # 29 February
    one_typo = year != day.year and date_closeness(day, other) == 0.6
    assert (year in near_years(day)) == one_typo
