"""NHS numbers, UPNs and postcodes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from childindex.domain.errors import InvalidIdentifier
from childindex.domain.identifiers import (
    UPN_LETTERS,
    is_valid_nhs_number,
    is_valid_upn,
    nhs_check_digit,
    normalise_nhs_number,
    normalise_postcode,
    normalise_upn,
    postcode_district,
    postcode_sector,
    upn_check_letter,
)


def test_known_valid_nhs_numbers_from_the_test_range() -> None:
    # Worked by hand: 9*10+9*9+9*8+0*7+0*6+0*5+0*4+0*3+1*2 = 245; 245 % 11 = 3; 11-3 = 8.
    assert is_valid_nhs_number("9990000018")
    assert not is_valid_nhs_number("9990000017")


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_nhs_check_digit_round_trips(first_nine: str) -> None:
    check = nhs_check_digit(first_nine)
    if check is None:
        assert not any(is_valid_nhs_number(first_nine + str(d)) for d in range(10))
    else:
        assert is_valid_nhs_number(first_nine + str(check))
        wrong = (check + 1) % 10
        assert not is_valid_nhs_number(first_nine + str(wrong))


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(0, 8))
def test_a_single_changed_digit_fails_the_nhs_check(first_nine: str, position: int) -> None:
    check = nhs_check_digit(first_nine)
    if check is None:
        return
    number = first_nine + str(check)
    changed = str((int(number[position]) + 1) % 10)
    assert not is_valid_nhs_number(number[:position] + changed + number[position + 1 :])


@pytest.mark.parametrize(
    ("text", "message"),
    [("999 000 0018x", "10 digits"), ("9990000017", "check digit"), ("", "10 digits")],
)
def test_bad_nhs_numbers_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier, match=message) as caught:
        normalise_nhs_number(text)
    assert caught.value.field == "nhs_number"


def test_nhs_number_spacing_is_normalised() -> None:
    assert normalise_nhs_number("999 000 0018") == "9990000018"


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_upn_check_letter_round_trips(body: str) -> None:
    upn = upn_check_letter(body) + body
    assert is_valid_upn(upn)
    assert normalise_upn(upn.lower()) == upn
    other = UPN_LETTERS[(UPN_LETTERS.index(upn[0]) + 1) % 23]
    assert not is_valid_upn(other + body)


def test_upn_known_example() -> None:
    # 8,0,1,2,0,1,0,1,4,0,0,1 weighted 2..13: 16+0+4+10+0+7+0+9+40+0+0+13 = 99;
    # 99 % 23 = 7 -> the eighth letter of ABCDEFGHJ..., "H" (DfE's algorithm).
    assert upn_check_letter("801201014001") == "H"


def test_bad_upn_names_the_field() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        normalise_upn("A12")
    assert caught.value.field == "upn"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        (" M1  1AE ", "M1 1AE"),
        ("b338th", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
    ],
)
def test_postcodes_are_normalised(text: str, expected: str) -> None:
    assert normalise_postcode(text) == expected


@pytest.mark.parametrize("text", ["", "12345", "SW1A", "SW1A 1AAA", "SW1A 1CA", "Q"])
def test_malformed_postcodes_are_rejected(text: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        normalise_postcode(text)
    assert caught.value.field == "postcode"


def test_postcode_levels() -> None:
    assert postcode_sector("SW1A 1AA") == "SW1A 1"
    assert postcode_district("SW1A 1AA") == "SW1A"
