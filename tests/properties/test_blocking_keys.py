"""Blocking keys: the spelt-out ``index_keys`` makes exactly the keys of its rules."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from childindex.domain.nicknames import NICKNAMES
from childindex.matching.blocking import KEY_RULES, MONTHS, index_keys, keys_version
from childindex.matching.features import Features, features_of

maybe = st.one_of(st.none(), st.text(alphabet="ab1 |:", min_size=1, max_size=6))
# The rules as the module's docstring states them: a key when every part is present.
RULES = (
    ("ds", ("dob", "surname_sdx")),
    ("df", ("dob", "forename_canon")),
    ("dd", ("dob", "pc_district")),
    ("sp", ("surname", "postcode")),
    ("fp", ("forename_canon", "postcode")),
    ("nhs", ("nhs_number",)),
    ("upn", ("upn",)),
)


def by_the_rules(features: Features) -> frozenset[str]:
    keys = set()
    for kind, names in RULES:
        parts = [getattr(features, name) for name in names]
        if all(part is not None for part in parts):
            keys.add(f"{kind}:{'|'.join(parts)}")
    # Forename and surname with the month of birth: every month when the date is missing.
    if features.forename_canon is not None and features.surname is not None:
        names = f"fsm:{features.forename_canon}|{features.surname}"
        if features.dob is not None:
            keys.add(f"{names}|{features.dob[5:7]}")
        else:
            keys.update(f"{names}|{month}" for month in MONTHS)
    return frozenset(keys)


@given(st.builds(Features, **dict.fromkeys(Features.__slots__, maybe)))
def test_index_keys_are_the_rules_keys(features: Features) -> None:
    assert index_keys(features) == by_the_rules(features)


# Records whose keys pin the rules (synthetic; every field present or missing by turns).
_PINNING = (
    {"given_name": "Ollie Jack", "family_name": "O'Neil", "birth_date": "2015-04-03",
     "postcode": "LS6 2AB", "nhs_number": "9990000018", "upn": "A123456789012"},
    {"given_name": "Zara", "family_name": "Smith-Jones", "birth_date": "2019-12-31"},
    {"given_name": "Harry", "family_name": "White", "postcode": "M1 1AA"},
    {"family_name": "Ng", "birth_date": "2012-01-09", "postcode": "B15 2TT"},
)  # fmt: skip
# KEY_RULES -> digest of the keys of ``_PINNING`` under those rules.
_PINNED = {"2026-12-03.fsm-month": "48408ea37b36115d"}


def test_a_change_to_the_keys_changes_the_keys_version() -> None:
    made = sorted(k for record in _PINNING for k in index_keys(features_of(record)))
    digest = hashlib.sha256("\n".join(made).encode()).hexdigest()[:16]
    assert _PINNED.get(KEY_RULES) == digest, (
        "the blocking keys changed: stored keys must be recomputed on upgrade, so change "
        f"KEY_RULES in matching/blocking.py and pin {digest} under it here"
    )


def test_the_keys_version_changes_with_the_nickname_table(monkeypatch: pytest.MonkeyPatch) -> None:
    before = keys_version()
    monkeypatch.setitem(NICKNAMES, "zeb", "zebedee")
    keys_version.cache_clear()
    try:
        assert keys_version() != before
    finally:
        monkeypatch.undo()
        keys_version.cache_clear()
    assert keys_version() == before
