"""The screen's pure similarity functions."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from childindex.domain.shield import _NameParts
from childindex.domain.similarity import (
    date_closeness,
    initials,
    jaro_winkler,
    letters,
    sound_key,
    swapped,
)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("martha", "marhta", 0.961), ("dwayne", "duane", 0.84), ("dixon", "dicksonx", 0.813)],
)
def test_jaro_winkler_matches_the_published_examples(a: str, b: str, expected: float) -> None:
    assert jaro_winkler(a, b) == pytest.approx(expected, abs=0.001)


def test_jaro_winkler_is_one_for_equal_and_zero_for_empty_or_disjoint() -> None:
    assert jaro_winkler("amara", "amara") == 1.0
    assert jaro_winkler("", "amara") == 0.0
    assert jaro_winkler("abc", "xyz") == 0.0


@pytest.mark.parametrize(
    ("a", "b"), [("Quennell", "Quenel"), ("Catherine", "Katherine"), ("Smith", "Smyth")]
)
def test_names_that_sound_alike_share_a_sound_key(a: str, b: str) -> None:
    assert sound_key(a) == sound_key(b)


def test_different_names_have_different_sound_keys() -> None:
    assert sound_key("Okafor") != sound_key("Quennell")


def test_initials_ignore_case_accents_and_punctuation() -> None:
    assert initials("Zoë", "O'Brien") == "zo"


def test_day_and_month_swap_is_recognised_only_where_it_is_a_date() -> None:
    assert swapped(date(2016, 7, 3)) == date(2016, 3, 7)
    assert swapped(date(2016, 7, 21)) is None


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (date(2016, 7, 21), date(2016, 7, 21), 1.0),
        (date(2016, 7, 3), date(2016, 3, 7), 0.85),
        (date(2016, 7, 21), date(2016, 7, 12), 0.6),  # adjacent digits exchanged
        (date(2016, 7, 21), date(2016, 7, 27), 0.6),  # one digit wrong
        (date(2016, 7, 21), date(2016, 7, 2), 0.4),  # same year and month
        (date(2016, 7, 21), None, 0.6),
        (date(2019, 7, 21), date(2020, 7, 21), 0.6),  # the year one off
        (date(2019, 7, 21), date(2021, 7, 21), 0.0),
        (date(2016, 7, 21), date(2013, 2, 9), 0.0),
    ],
)
def test_date_closeness(a: date, b: date | None, expected: float) -> None:
    assert date_closeness(a, b) == expected
    assert date_closeness(b, a) == expected


NAMES = st.sampled_from(["Amara", "amara", "Amarah", "O'Brien", "Zoë Ann", "Kwame", "", "Li"])


@given(pairs=st.lists(st.tuples(NAMES, NAMES), min_size=1, max_size=30))
def test_name_parts_remembered_are_the_parts_worked_out_even_past_the_limit(
    pairs: list[tuple[str, str]],
) -> None:
    # The screen's memo of name parts forgets everything past its limit: small here, so a
    # run of pairs crosses it. Every answer, remembered or not, is the part itself.
    memo = _NameParts(limit=3)
    for a, b in pairs * 2:
        part = memo.get(a, b)
        assert part == max(0.0, (jaro_winkler(letters(a), letters(b)) - 0.7) / 0.3)
        assert memo.held <= 3
        assert sum(map(len, memo.rows.values())) <= 3
