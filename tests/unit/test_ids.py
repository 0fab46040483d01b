"""Child IDs: opaque, with a check character that catches typing mistakes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from childindex.domain.errors import InvalidChildId
from childindex.domain.ids import ALPHABET, ChildId

payloads = st.text(alphabet=ALPHABET, min_size=11, max_size=11)


def _with_check(payload: str) -> str:
    # Find the one symbol that makes a valid ID, by asking the type itself.
    for symbol in ALPHABET:
        try:
            return ChildId(payload + symbol).value
        except InvalidChildId:
            continue
    raise AssertionError("no check symbol found")


def test_new_ids_parse_back_from_their_printed_form() -> None:
    for _ in range(200):
        cid = ChildId.new()
        assert ChildId.parse(str(cid)) == cid
        assert ChildId.parse(str(cid).lower().replace("-", " ")) == cid


@given(payloads)
def test_an_id_read_back_from_the_store_equals_the_checked_one(payload: str) -> None:
    value = _with_check(payload)
    stored = ChildId.stored(value)
    assert stored == ChildId(value)
    assert hash(stored) == hash(ChildId(value))
    assert str(stored) == str(ChildId.parse(value))


def test_new_ids_are_distinct() -> None:
    assert len({ChildId.new() for _ in range(5000)}) == 5000


@given(payloads)
def test_exactly_one_check_symbol_is_valid_for_any_payload(payload: str) -> None:
    valid = []
    for symbol in ALPHABET:
        try:
            ChildId(payload + symbol)
            valid.append(symbol)
        except InvalidChildId:
            pass
    assert len(valid) == 1


@given(payloads, st.integers(0, 11), st.sampled_from(ALPHABET))
def test_any_single_mistyped_symbol_is_rejected(payload: str, position: int, symbol: str) -> None:
    good = _with_check(payload)
    typo = good[:position] + symbol + good[position + 1 :]
    if typo == good:
        return
    with pytest.raises(InvalidChildId, match="mistyped"):
        ChildId.parse(typo)


@given(payloads, st.integers(0, 10))
def test_any_adjacent_transposition_is_rejected(payload: str, position: int) -> None:
    good = _with_check(payload)
    swapped = good[:position] + good[position + 1] + good[position] + good[position + 2 :]
    if swapped == good:
        return
    with pytest.raises(InvalidChildId):
        ChildId.parse(swapped)


@pytest.mark.parametrize("text", ["", "ABC", "7KQ2-M9XD-4RTW-1", "7KQ2-M9XD-4RU!", "'; DROP TABLE"])
def test_malformed_ids_are_rejected_with_the_field_named(text: str) -> None:
    with pytest.raises(InvalidChildId) as caught:
        ChildId.parse(text)
    assert caught.value.field == "child_id"


def test_crockford_look_alikes_are_read_as_digits() -> None:
    cid = ChildId.new()
    text = str(cid).replace("0", "O").replace("1", "I")
    assert ChildId.parse(text) == cid


def test_every_adjacent_transposition_of_every_pair_is_rejected_exhaustively() -> None:
    # Regression: Luhn mod 32 missed swapping the alphabet's first and last symbols ("0"/"Z").
    for position in range(11):  # swap symbols position and position + 1 (11 is the check)
        for a in ALPHABET:
            for b in ALPHABET:
                payload = ["0"] * 11
                payload[position] = a
                if position + 1 < 11:
                    payload[position + 1] = b
                good = _with_check("".join(payload))
                swapped = (
                    good[:position] + good[position + 1] + good[position] + good[position + 2 :]
                )
                if swapped != good:
                    with pytest.raises(InvalidChildId):
                        ChildId(swapped)
