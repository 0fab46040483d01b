"""Password rules: long enough, not a common password, no composition rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from childindex.domain.errors import InvalidInput
from childindex.domain.password_policy import (
    MIN_PASSWORD_LENGTH,
    check_password,
    common_passwords,
)


def test_the_shipped_list_holds_thousands_of_common_passwords() -> None:
    listed = common_passwords()
    assert len(listed) > 10_000
    assert {"password", "123456789000", "justinbieber"} <= listed


@pytest.mark.parametrize("password", ["123456789000", "1q2w3e4r5t6y", "JustinBieber"])
def test_common_passwords_are_refused_whatever_their_case(password: str) -> None:
    with pytest.raises(InvalidInput, match="too common") as caught:
        check_password(password)
    assert caught.value.field == "password"


def test_a_short_password_is_refused_naming_the_minimum() -> None:
    with pytest.raises(InvalidInput, match=str(MIN_PASSWORD_LENGTH)):
        check_password("kx8#Lm2!q"[: MIN_PASSWORD_LENGTH - 1])


def test_the_user_name_is_not_a_password() -> None:
    with pytest.raises(InvalidInput, match="too common"):
        check_password("sam.practitioner", username="Sam.Practitioner")


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=MIN_PASSWORD_LENGTH, max_size=64))
def test_no_composition_rules_a_long_lower_case_phrase_is_fine_unless_listed(text: str) -> None:
    if text.casefold() in common_passwords():
        return
    check_password(text)  # no digits, capitals or symbols demanded
