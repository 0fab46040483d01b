"""Search criteria and invariant 3: which criteria may find a shielded child."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from childindex.domain.errors import InvalidCriteria, InvalidIdentifier
from childindex.policy.criteria import SearchCriteria, ShieldedMatch, plan_search

DOB = date(2015, 3, 14)


def test_a_search_needs_a_name_or_an_identifier() -> None:
    with pytest.raises(InvalidCriteria) as caught:
        SearchCriteria.build(birth_date=DOB, postcode="ZZ1 1AA")
    assert caught.value.field == "family_name"


def test_bad_identifiers_in_criteria_name_the_field() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        SearchCriteria.build(nhs_number="1234567890")
    assert caught.value.field == "nhs_number"


def test_names_are_compared_in_normal_form() -> None:
    criteria = SearchCriteria.build(given_name="  ZOË ", family_name="O'Brien")
    assert criteria.given_name == "zoe"
    assert criteria.family_name == "o'brien"


def test_exact_full_name_and_birth_date_alone_may_find_a_shielded_child() -> None:
    plan = plan_search(
        SearchCriteria.build(given_name="Amara", family_name="Okafor", birth_date=DOB),
        cleared_las=frozenset(),
    )
    assert plan.shielded_match == ShieldedMatch("amara", "okafor", DOB)


optional = st.one_of(st.none(), st.just(True))


@given(
    given=optional,
    family=optional,
    dob=optional,
    postcode=optional,
    nhs=optional,
    upn=optional,
    urn=optional,
)
def test_any_other_combination_never_reaches_a_shielded_child(
    given: bool | None,
    family: bool | None,
    dob: bool | None,
    postcode: bool | None,
    nhs: bool | None,
    upn: bool | None,
    urn: bool | None,
) -> None:
    kwargs = {
        "given_name": "Amara" if given else None,
        "family_name": "Okafor" if family else None,
        "birth_date": DOB if dob else None,
        "postcode": "ZZ1 1AA" if postcode else None,
        "nhs_number": "9990000018" if nhs else None,
        "upn": "H801201014001" if upn else None,
        "school_urn": "912345" if urn else None,
    }
    try:
        criteria = SearchCriteria.build(**kwargs)  # type: ignore[arg-type]
    except InvalidCriteria:
        return
    plan = plan_search(criteria, cleared_las=frozenset())
    exact_only = given and family and dob and not (postcode or nhs or upn or urn)
    assert (plan.shielded_match is not None) == bool(exact_only)


def test_criteria_used_lists_names_never_values() -> None:
    criteria = SearchCriteria.build(family_name="Okafor", postcode="zz11aa")
    assert criteria.used() == ["family_name", "postcode"]
