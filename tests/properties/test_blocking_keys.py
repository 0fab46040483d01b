"""Blocking keys: the spelt-out ``index_keys`` makes exactly the keys of its rules."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from childindex.matching.blocking import MONTHS, index_keys
from childindex.matching.features import Features

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
