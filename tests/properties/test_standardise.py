"""Standard forms: idempotent, insensitive to case, spacing and punctuation noise."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from childindex.matching.standardise import (
    canonical_forename,
    date_candidates,
    day_month_swap,
    house_number,
    postcode_levels,
    soundex,
    standard_address,
    standard_name,
)

names = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCXYZéèüöçñøłß '-\u2019 "), max_size=30
)


@given(names)
def test_standard_name_is_idempotent(name: str) -> None:
    once = standard_name(name)
    assert standard_name(once) == once


@given(names)
def test_standard_name_ignores_case_and_spacing(name: str) -> None:
    assert standard_name(name.upper()) == standard_name(f"  {name.lower()} ")


@given(names)
def test_standard_name_holds_only_plain_letters_and_single_spaces(name: str) -> None:
    out = standard_name(name)
    assert set(out) <= set("abcdefghijklmnopqrstuvwxyz ")
    assert "  " not in out
    assert out == out.strip()


def test_standard_name_folds_accents_hyphens_and_apostrophes() -> None:
    assert standard_name("Zoë") == standard_name("ZOE") == "zoe"
    assert standard_name("O'Brien") == standard_name("O\u2019BRIEN") == "obrien"
    assert standard_name("Smith-Jones") == standard_name("Smith  Jones") == "smith jones"
    assert standard_name("Łukasz") == "lukasz"
    assert standard_name(None) == ""


def test_nicknames_map_to_their_formal_name() -> None:
    assert canonical_forename("Ollie") == "oliver"
    assert canonical_forename("LIZZIE") == "elizabeth"
    assert canonical_forename("Zara") == "zara"
    assert canonical_forename("") == ""


@given(names)
def test_soundex_is_a_letter_and_three_digits_or_empty(name: str) -> None:
    code = soundex(name)
    assert code == "" or (len(code) == 4 and code[0].isupper() and code[1:].isdigit())


def test_soundex_groups_sound_alikes() -> None:
    assert soundex("Robert") == soundex("Rupert") == "R163"
    assert soundex("Ashcraft") == "A261"
    assert soundex("Smith") == soundex("Smyth")


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)))
def test_day_month_swap_is_its_own_inverse(value: date) -> None:
    swapped = day_month_swap(value)
    if swapped is None:
        assert value.day > 12 or value.day == value.month
    else:
        assert swapped != value
        assert day_month_swap(swapped) == value


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)))
def test_date_candidates_start_with_the_date_as_written(value: date) -> None:
    candidates = date_candidates(value.isoformat())
    assert candidates[0] == value
    assert len(candidates) in {1, 2}


def test_date_candidates_of_nonsense_are_empty() -> None:
    assert date_candidates("2020-13-45") == ()
    assert date_candidates(None) == ()
    assert date_candidates("2020-03-04") == (date(2020, 3, 4), date(2020, 4, 3))


outward = st.from_regex(r"\A[A-Z]{1,2}[0-9][A-Z0-9]?\Z")
inward = st.from_regex(r"\A[0-9][A-Z]{2}\Z")


@given(outward, inward, st.sampled_from(["", " ", "  "]), st.booleans())
def test_postcode_levels_ignore_case_and_spacing(out: str, inw: str, gap: str, lower: bool) -> None:
    written = f"{out}{gap}{inw}"
    levels = postcode_levels(written.lower() if lower else written)
    assert levels.full == f"{out} {inw}"
    assert levels.sector == f"{out} {inw[0]}"
    assert levels.district == out
    assert levels.full.startswith(levels.sector)
    assert levels.sector.startswith(levels.district)


@given(st.text(max_size=12))
def test_postcode_levels_of_anything_never_raise(value: str) -> None:
    levels = postcode_levels(value)
    assert (levels.full == "") == (levels.sector == "") == (levels.district == "")


def test_address_spells_out_street_abbreviations() -> None:
    assert standard_address("20 Woodland Rd", None) == standard_address("20 woodland road")
    assert standard_address("Flat 2", "20 Woodland Rd") == "flat 2 20 woodland road"
    assert house_number("flat 2 20 woodland road") == "2"
    assert house_number("woodland road") == ""
