"""Survivorship (issue 5, point 6): each field a child shows comes from the most trusted
source that has it, the most recently updated record of that source first, and names that
record; a source's shield flag shields the child whatever else its records say."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from childindex.domain.child import SourceRef
from childindex.domain.ids import ChildId
from childindex.domain.source_record import Source, SourceRecord
from childindex.domain.survivorship import TRUST, face, project

H, S, B, L = Source.HEALTH, Source.SCHOOL, Source.BENEFIT, Source.LA
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _payload(n: int) -> st.SearchStrategy[dict[str, Any]]:
    """A record's fields: the names always (every feed requires them), the rest maybe;
    each value says which record it came from."""
    maybe = {
        "sex": st.sampled_from(["F", "M", "U"]),
        "birth_date": st.dates(date(2008, 1, 1), date(2026, 1, 1)).map(str),
        "postcode": st.just(f"ZZ{n} 1AA"),
        "address_line1": st.just(f"{n} Record Row"),
        "nhs_number": st.just(f"nhs-{n}"),
        "upn": st.just(f"upn-{n}"),
        "la_code": st.just(f"9{n:02d}"),
        "school_urn": st.just(f"urn-{n}"),
        "sensitive": st.booleans(),
        "shield": st.booleans(),
    }
    required = {"given_name": st.just(f"Given{n}"), "family_name": st.just(f"Family{n}")}
    return st.fixed_dictionaries(required, optional=maybe)


@st.composite
def record_sets(draw: st.DrawFn) -> list[SourceRecord]:
    count = draw(st.integers(1, 6))
    records = []
    for n in range(count):
        hours = draw(st.none() | st.integers(0, 5))  # ties are common: record_id breaks them
        records.append(
            SourceRecord(
                source=draw(st.sampled_from(list(Source))),
                record_id=draw(st.sampled_from(["A", "B", "C"])) + str(n),
                payload=draw(_payload(n)),
                updated_at=None if hours is None else T0 + timedelta(hours=hours),
            )
        )
    return records


def _winner(records: list[SourceRecord], field: str, has: Any) -> SourceRecord | None:
    """The rule, stated directly: of the records of a trusted source that have the field,
    the one of the most trusted source, then the latest update (none is oldest), then the
    first record ID."""
    trusted = TRUST[field]
    holding = [r for r in records if r.source in trusted and has(r.payload)]
    if not holding:
        return None
    return min(
        holding,
        key=lambda r: (
            trusted.index(r.source),
            -((r.updated_at or datetime(1970, 1, 1, tzinfo=UTC)).timestamp()),
            r.record_id,
        ),
    )


FIELDS = {
    # field -> (does a payload have it, what the child shows of it, the same from a payload)
    "name": (
        lambda p: "given_name" in p,  # every record has names
        lambda c: c.given_name,
        lambda p: p["given_name"],
    ),
    "sex": (lambda p: bool(p.get("sex")), lambda c: c.sex.value, lambda p: p["sex"]),
    "birth_date": (
        lambda p: bool(p.get("birth_date")),
        lambda c: c.birth_date,
        lambda p: date.fromisoformat(p["birth_date"]),
    ),
    "address": (
        lambda p: bool(p.get("postcode") or p.get("address_line1")),
        lambda c: (c.address.line1, c.address.postcode),
        lambda p: (p.get("address_line1") or "", p.get("postcode")),
    ),
    "nhs_number": (
        lambda p: bool(p.get("nhs_number")),
        lambda c: c.nhs_number,
        lambda p: p["nhs_number"],
    ),
    "upn": (lambda p: bool(p.get("upn")), lambda c: c.upn, lambda p: p["upn"]),
    "la_code": (lambda p: bool(p.get("la_code")), lambda c: c.la_code, lambda p: p["la_code"]),
    "school": (
        lambda p: bool(p.get("school_urn")),
        lambda c: c.school.code,
        lambda p: p["school_urn"],
    ),
}


@given(records=record_sets())
def test_each_field_comes_from_the_most_trusted_then_latest_record_and_names_it(
    records: list[SourceRecord],
) -> None:
    child = project(ChildId.new(), records, shielded=False)
    for field, (has, shown, value) in FIELDS.items():
        winner = _winner(records, field, has)
        if winner is None:
            assert field not in child.field_sources, field
            continue
        assert shown(child) == value(winner.payload), field
        assert child.field_sources[field] == SourceRef(winner.source.value, winner.record_id)


@given(records=record_sets(), held=st.booleans())
def test_a_source_flag_shields_and_nothing_here_lifts_a_shield(
    records: list[SourceRecord], *, held: bool
) -> None:
    flagged = any(r.payload.get("sensitive") or r.payload.get("shield") for r in records)
    assert project(ChildId.new(), records, shielded=held).shielded == (held or flagged)


@given(records=record_sets())
def test_the_order_records_arrive_in_changes_nothing(records: list[SourceRecord]) -> None:
    child_id = ChildId.new()
    assert project(child_id, records, shielded=False) == project(
        child_id, list(reversed(records)), shielded=False
    )


@given(records=record_sets())
def test_a_face_is_the_names_and_birth_date_the_child_shows(records: list[SourceRecord]) -> None:
    # Whether a record shows another identity than its child asks these first (ADR 0012).
    child = project(ChildId.new(), records, shielded=False)
    assert face(records) == (child.given_name, child.family_name, child.birth_date)
    for record in records:
        alone = project(child.child_id, [record], shielded=True)
        assert face([record]) == (alone.given_name, alone.family_name, alone.birth_date)


def test_health_outranks_a_newer_school_record_and_the_newer_of_two_school_records_wins() -> None:
    old_health = SourceRecord(H, "H1", {"given_name": "Amara", "family_name": "Okafor"}, T0)
    school = {"given_name": "Amarah", "family_name": "Okafor", "upn": "upn-old"}
    older = SourceRecord(S, "S1", school, T0 + timedelta(days=1))
    newer = SourceRecord(S, "S2", dict(school, upn="upn-new"), T0 + timedelta(days=2))
    child = project(ChildId.new(), [newer, older, old_health], shielded=False)
    assert (child.given_name, child.field_sources["name"]) == ("Amara", SourceRef("health", "H1"))
    assert (child.upn, child.field_sources["upn"]) == ("upn-new", SourceRef("school", "S2"))


def test_an_address_from_benefits_outranks_one_from_school_and_la_codes_come_from_la_only() -> None:
    # TRUST["address"]: health, then benefit, then school, then the LA.
    base = {"given_name": "Amara", "family_name": "Okafor"}
    school = SourceRecord(S, "S1", base | {"postcode": "ZZ1 1AA", "la_code": "901"}, T0)
    benefit = SourceRecord(B, "B1", base | {"postcode": "ZZ2 2BB"}, T0 - timedelta(days=300))
    child = project(ChildId.new(), [school, benefit], shielded=False)
    assert child.address is not None
    assert (child.address.postcode, child.field_sources["address"].source) == ("ZZ2 2BB", "benefit")
    assert child.la_code is None  # a school's word on the authority is not taken
