"""Children in storage: the JSON codec, save and get, and search under invariant 3."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from childindex.domain.child import Address, Carer, Child, Involvement, Setting, Sex, SourceRef
from childindex.domain.errors import InvalidChildId
from childindex.domain.identifiers import nhs_check_digit
from childindex.domain.ids import ALPHABET, ChildId
from childindex.domain.names import name_key
from childindex.policy.criteria import SearchCriteria, SearchPlan, plan_search
from childindex.storage.codec import child_from_json, child_to_json
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory

# --- strategies -------------------------------------------------------------------------

ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=12)  # any text JSON can hold
NAME_TEXT = st.text(st.sampled_from("abcxyzABCéöÆß' -"), max_size=24)
CODE_TEXT = st.text(st.sampled_from("0123456789ABCZ "), max_size=8)
DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2035, 12, 31))


def _with_check(payload: str) -> ChildId:
    for symbol in ALPHABET:
        try:
            return ChildId(payload + symbol)
        except InvalidChildId:
            continue
    raise AssertionError(payload)


T = TypeVar("T")


def _opt(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


CHILD_IDS = st.text(st.sampled_from(ALPHABET), min_size=11, max_size=11).map(_with_check)


def children_strategy(
    names: st.SearchStrategy[str] = ANY_TEXT, codes: st.SearchStrategy[str] = ANY_TEXT
) -> st.SearchStrategy[Child]:
    """Children with every field varied; ``names`` and ``codes`` feed the search keys."""
    text = ANY_TEXT
    setting = st.builds(Setting, code=_opt(codes), name=_opt(text), phone=_opt(text))
    carer = st.builds(
        Carer,
        given_name=text,
        family_name=text,
        relationship=_opt(text),
        parental_responsibility=_opt(st.booleans()),
        phone=_opt(text),
        email=_opt(text),
    )
    involvement = st.builds(
        Involvement,
        service_type=text,
        organisation=_opt(text),
        practitioner_name=_opt(text),
        phone=_opt(text),
        email=_opt(text),
        lead_professional=st.booleans(),
        assessment_in_place=st.booleans(),
        sensitive=st.booleans(),
        start_date=_opt(DATES),
        end_date=_opt(DATES),
    )
    return st.builds(
        Child,
        child_id=CHILD_IDS,
        given_name=names,
        family_name=names,
        sex=st.sampled_from(Sex),
        birth_date=_opt(DATES),
        other_given_names=_opt(text),
        address=_opt(
            st.builds(Address, line1=text, line2=_opt(text), town=_opt(text), postcode=_opt(codes))
        ),
        nhs_number=_opt(codes),
        upn=_opt(codes),
        gp_practice=_opt(setting),
        school=_opt(setting),
        carers=st.lists(carer, max_size=3).map(tuple),
        involvements=st.lists(involvement, max_size=3).map(tuple),
        la_code=_opt(codes),
        shielded=st.booleans(),
        deceased_date=_opt(DATES),
        field_sources=st.dictionaries(text, st.builds(SourceRef, text, text), max_size=4),
    )


# --- helpers ----------------------------------------------------------------------------


def nhs_number(seed: int) -> str:
    """The first valid NHS number at or after ``999`` followed by ``seed``."""
    n = seed
    while True:
        first_nine = f"999{n:06d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"
        n += 1


def make_child(given: str, family: str, born: date | None, **fields: Any) -> Child:
    return dataclasses.replace(
        Child(
            child_id=ChildId.new(),
            given_name=given,
            family_name=family,
            sex=Sex.FEMALE,
            birth_date=born,
        ),
        **fields,
    )


def save(uow_factory: SqlUnitOfWorkFactory, *children: Child) -> None:
    with uow_factory() as uow:
        for child in children:
            uow.children.save(child)
        uow.commit()


def search(
    uow_factory: SqlUnitOfWorkFactory,
    plan: SearchPlan,
    limit: int = 50,
) -> tuple[list[str], int]:
    with uow_factory() as uow:
        found, total = uow.children.search(plan, limit=limit)
    return [c.child_id.value for c in found], total


def plan(cleared: frozenset[str] = frozenset(), **criteria: Any) -> SearchPlan:
    return plan_search(SearchCriteria.build(**criteria), cleared_las=cleared)


# --- codec ------------------------------------------------------------------------------


@given(children_strategy())
def test_codec_round_trip_is_exact(child: Child) -> None:
    assert child_from_json(child_to_json(child)) == child


def test_codec_writes_every_field_of_child() -> None:
    child = make_child("Amara", "Okafor", date(2015, 3, 14))
    written = set(child_to_json(child)) - {"format"}
    assert written == {f.name for f in dataclasses.fields(Child)}


def test_codec_refuses_an_unknown_format() -> None:
    data = child_to_json(make_child("Amara", "Okafor", None)) | {"format": 99}
    with pytest.raises(ValueError, match="format"):
        child_from_json(data)


# --- save and get -----------------------------------------------------------------------


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(child=children_strategy(names=NAME_TEXT, codes=CODE_TEXT))
def test_saved_child_comes_back_equal(uow_factory: SqlUnitOfWorkFactory, child: Child) -> None:
    save(uow_factory, child)
    with uow_factory() as uow:
        assert uow.children.get(child.child_id) == child


def test_save_replaces_the_child_and_its_search_keys(uow_factory: SqlUnitOfWorkFactory) -> None:
    child = make_child(
        "Amara", "Okafor", date(2015, 3, 14), address=Address("1 Row", None, None, "ZZ1 1AA")
    )
    save(uow_factory, child)
    moved = dataclasses.replace(child, address=Address("2 Lane", None, None, "ZZ9 9ZZ"))
    save(uow_factory, moved)
    with uow_factory() as uow:
        assert uow.children.get(child.child_id) == moved
    assert search(uow_factory, plan(family_name="Okafor", postcode="ZZ1 1AA")) == ([], 0)
    assert search(uow_factory, plan(family_name="Okafor", postcode="ZZ9 9ZZ")) == (
        [child.child_id.value],
        1,
    )


def test_get_of_an_unknown_child_is_none(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.children.get(ChildId.new()) is None


def test_by_identifier_finds_the_child_holding_it(uow_factory: SqlUnitOfWorkFactory) -> None:
    child = make_child("Amara", "Okafor", None, nhs_number=nhs_number(1))
    save(uow_factory, child)
    with uow_factory() as uow:
        assert uow.children.by_identifier("nhs_number", nhs_number(1)) == [child.child_id]
        assert uow.children.by_identifier("nhs_number", nhs_number(2)) == []


# --- search: invariant 3 ----------------------------------------------------------------

HOME = Address("1 Testing Row", None, "Exampleton", "ZZ1 1AA")
BORN = date(2016, 1, 2)


@pytest.fixture
def shielded(uow_factory: SqlUnitOfWorkFactory) -> Child:
    """A shielded child of LA 902 sharing a postcode with an unshielded neighbour."""
    child = make_child(
        "Zoë",
        "O'Brien",
        BORN,
        address=HOME,
        nhs_number=nhs_number(10),
        upn="A123456789012",
        school=Setting("100001", "Example School"),
        la_code="902",
        shielded=True,
    )
    neighbour = make_child("Amara", "Okafor", date(2015, 3, 14), address=HOME, la_code="901")
    save(uow_factory, child, neighbour)
    return child


@pytest.mark.parametrize(
    "criteria",
    [
        {"family_name": "O'Brien", "postcode": "ZZ1 1AA"},
        {"nhs_number": nhs_number(10)},
        {"upn": "A123456789012"},
        {"school_urn": "100001"},
        {"family_name": "O'Brien"},
        {"given_name": "Zoe", "family_name": "O'Brien"},
        {"family_name": "O'Brien", "birth_date": BORN},
        {"given_name": "Zoe", "family_name": "O'Brien", "birth_date": BORN, "postcode": "ZZ1 1AA"},
    ],
    ids=[
        "postcode",
        "nhs",
        "upn",
        "school",
        "family",
        "names",
        "family-dob",
        "exact-plus-postcode",
    ],
)
def test_uncleared_search_by_hidden_or_partial_criteria_never_matches_a_shielded_child(
    uow_factory: SqlUnitOfWorkFactory, shielded: Child, criteria: dict[str, object]
) -> None:
    ids, total = search(uow_factory, plan(cleared=frozenset({"901"}), **criteria))
    assert shielded.child_id.value not in ids
    assert total == len(ids)


def test_exact_name_and_birth_date_finds_a_shielded_child(
    uow_factory: SqlUnitOfWorkFactory, shielded: Child
) -> None:
    exact = plan(given_name="  ZOE ", family_name="o'brien", birth_date=BORN)
    assert search(uow_factory, exact) == ([shielded.child_id.value], 1)
    wrong_day = plan(given_name="Zoe", family_name="O'Brien", birth_date=date(2016, 1, 3))
    assert search(uow_factory, wrong_day) == ([], 0)


def test_exact_match_finds_a_shielded_child_with_no_local_authority(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    child = make_child("Kit", "Marlow", BORN, address=HOME, shielded=True)
    save(uow_factory, child)
    assert search(uow_factory, plan(given_name="Kit", family_name="Marlow", birth_date=BORN)) == (
        [child.child_id.value],
        1,
    )
    assert search(uow_factory, plan(cleared=frozenset({"901"}), family_name="Marlow")) == ([], 0)


@pytest.mark.parametrize(
    "criteria",
    [
        {"family_name": "O'Brien", "postcode": "ZZ1 1AA"},
        {"nhs_number": nhs_number(10)},
        {"school_urn": "100001"},
        {"family_name": "o'brien"},
    ],
    ids=["postcode", "nhs", "school", "family"],
)
def test_a_cleared_authority_finds_its_shielded_child_by_any_criterion(
    uow_factory: SqlUnitOfWorkFactory, shielded: Child, criteria: dict[str, object]
) -> None:
    ids, total = search(uow_factory, plan(cleared=frozenset({"902"}), **criteria))
    assert ids == [shielded.child_id.value]
    assert total == 1


def test_a_postcode_search_is_the_same_whether_or_not_a_shielded_child_lives_there(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    neighbours = [
        make_child(g, "Okafor", date(2015, 3, 14), address=HOME) for g in ("Ada", "Ben", "Cy")
    ]
    save(uow_factory, *neighbours)
    by_postcode = plan(family_name="Okafor", postcode="ZZ1 1AA")
    before = search(uow_factory, by_postcode, limit=2)
    save(
        uow_factory,
        make_child("Ada", "Okafor", date(2015, 3, 14), address=HOME, shielded=True, la_code="902"),
    )
    assert search(uow_factory, by_postcode, limit=2) == before
    assert before[1] == 3


def test_results_are_ordered_by_family_given_birth_date_and_id_with_the_full_total(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    family = ["O'Brien", "O Brien", "Obrien", "ÖBRIEN", "O-Brien"]
    children = [
        make_child(given, name, born)
        for name in family
        for given, born in (("Zoe", BORN), ("Ana", None), ("Ana", date(2014, 5, 6)), ("ana", BORN))
    ]
    save(uow_factory, *children)
    expected = sorted(
        children,
        key=lambda c: (
            name_key(c.family_name),
            name_key(c.given_name),
            c.birth_date is None,
            c.birth_date or date.min,
            c.child_id.value,
        ),
    )
    wanted = [c.child_id.value for c in expected if name_key(c.family_name) == "obrien"]
    assert search(uow_factory, plan(family_name="obrien"), limit=3) == (wanted[:3], len(wanted))
    everyone = SearchPlan(criteria=SearchCriteria(), cleared_las=frozenset(), shielded_match=None)
    assert search(uow_factory, everyone, limit=100) == ([c.child_id.value for c in expected], 20)
