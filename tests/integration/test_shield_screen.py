"""The shield screen on a real database, driven through ingest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from childindex.bootstrap import Container
from childindex.domain.ids import ChildId
from childindex.domain.shield import resemblance
from childindex.domain.shield_records import ShieldOrigin
from childindex.domain.source_record import Source
from childindex.matching.thresholds import CAUTION
from shield_fixtures import la_record, load_la


def _child_by_record(container: Container, source: Any, record_id: str) -> Any:
    with container.uow_factory() as uow:
        child_id = uow.records.linked_child(source=source, record_id=record_id)
        assert child_id is not None
        return uow.children.get(child_id)


def test_a_visible_near_twin_is_shielded_and_queued_when_a_shield_arrives_later(
    container: Container,
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
) -> None:
    load_health(
        [
            health_record(
                record_id="H1",
                given_name="Marlow",
                family_name="Quenel",
                birth_date="2016-07-21",
                nhs_number="9990000050",
            ),
            health_record(
                record_id="H2",
                given_name="Oliver",
                family_name="Smith",
                birth_date="2016-07-21",
                nhs_number="9990000034",
            ),
        ]
    )
    assert not _child_by_record(container, Source.HEALTH, "H1").shielded
    report = load_la(
        container,
        [
            la_record(
                record_id="L1",
                given_name="Marlowe",
                family_name="Quennell",
                birth_date="2016-07-21",
                la_code="901",
                shield={"reason": "refuge"},
            )
        ],
    )
    assert report.shielded == 1
    twin = _child_by_record(container, Source.HEALTH, "H1")
    assert twin.shielded, "the visible near twin must be shielded by the guard"
    assert not _child_by_record(container, Source.HEALTH, "H2").shielded
    shielded = _child_by_record(container, Source.LA, "L1")
    with container.uow_factory() as uow:
        items = uow.shields.caution_items(la_codes=frozenset({"901"}))
        assert [(i.child_id, i.shielded_child_id) for i in items] == [
            (twin.child_id.value, shielded.child_id.value)
        ]
        assert uow.shields.caution_items(la_codes=frozenset({"902"})) == []
        origins = {s.origin for s in uow.shields.active_shields(twin.child_id.value)}
        assert origins == {ShieldOrigin.CAUTION}
        assert {s.origin for s in uow.shields.active_shields(shielded.child_id.value)} == {
            ShieldOrigin.SOURCE
        }


def test_reloading_and_updating_a_shielded_childs_records_never_lifts_the_shield(
    container: Container,
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
) -> None:
    load_health([health_record(record_id="H1", sensitive=True)])
    load_health([health_record(record_id="H1", sensitive=True)])
    report = load_health([health_record(record_id="H1", sensitive=False, town="Elsewhere")])
    assert report.shielded == 1
    child = _child_by_record(container, Source.HEALTH, "H1")
    assert child.shielded
    with container.uow_factory() as uow:
        assert len(uow.shields.active_shields(child.child_id.value)) == 1
        assert uow.children.get(ChildId(child.child_id.value)) == child


def test_a_near_twin_of_a_near_twin_is_shielded_too(
    container: Container,
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
) -> None:
    # B resembles A (name typos). C shares B's names and postcode but not A's birth date
    # or postcode: it scores below caution against A, above it against B.
    load_health(
        [
            health_record(
                record_id="B",
                given_name="Marlow",
                family_name="Quenel",
                birth_date="2016-07-21",
                nhs_number="9990000050",
                postcode="ZZ5 5EE",
            ),
            health_record(
                record_id="C",
                given_name="Marlow",
                family_name="Quenel",
                birth_date="2016-03-05",
                nhs_number="9990000034",
                postcode="ZZ5 5EE",
            ),
        ]
    )
    load_la(
        container,
        [
            la_record(
                record_id="A",
                given_name="Marlowe",
                family_name="Quennell",
                birth_date="2016-07-21",
                la_code="901",
                shield={"reason": "refuge"},
            )
        ],
    )
    a_id = _child_by_record(container, Source.LA, "A").child_id.value
    c_id = _child_by_record(container, Source.HEALTH, "C").child_id.value
    with container.uow_factory() as uow:
        a = uow.shields.profile(a_id)
        c = uow.shields.profile(c_id)
    assert a is not None
    assert c is not None
    assert resemblance(c, a) < CAUTION, "C must be reachable only through B"
    for record_id in ("B", "C"):
        assert _child_by_record(container, Source.HEALTH, record_id).shielded, record_id


@pytest.mark.parametrize("shield_first", [True, False])
def test_doubt_passed_along_a_chain_of_near_twins_fades_instead_of_spreading(
    container: Container,
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
    shield_first: bool,
) -> None:
    """Regression (ADR 0011): B might be shielded A (same birth date and forename), C might be
    B (same birth date and surname), D might be C (same birth date and forename). D shares
    nothing with A but a birth date. Chaining "might be" at full strength shielded D too — and,
    on a synthetic country of 20,000, cascades of thousands of children from one shield."""
    born = "2016-07-21"
    chain = [
        health_record(
            record_id=record_id,
            given_name=given,
            family_name=family,
            birth_date=born,
            nhs_number=nhs,
            postcode=postcode,
        )
        for record_id, given, family, nhs, postcode in [
            ("B", "Marlowe", "Xu", "9990000050", "ZZ2 1AA"),
            ("C", "Yara", "Xu", "9990000034", "ZZ3 1AA"),
            ("D", "Yara", "Okoro", "9990000042", "ZZ4 1AA"),
        ]
    ]
    protected = la_record(
        record_id="A",
        given_name="Marlowe",
        family_name="Quennell",
        birth_date=born,
        la_code="901",
        shield={"reason": "refuge"},
    )
    if shield_first:
        load_la(container, [protected])
        load_health(chain)
    else:
        load_health(chain)
        load_la(container, [protected])
    shielded = {r: _child_by_record(container, Source.HEALTH, r).shielded for r in ("B", "C", "D")}
    assert shielded == {"B": True, "C": True, "D": False}


@pytest.mark.parametrize("shield_first", [True, False])
def test_a_weak_links_near_twin_by_a_mistyped_birth_date_is_shielded(
    container: Container,
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
    shield_first: bool,
) -> None:
    """B might be shielded A at 0.425 (the birth date's day and month swapped, the forename
    alike, the surname not). C is B with the day of birth mistyped: 0.6 against B, so 0.255
    through B, and nothing against A. A walk from B must still ask for children found by a
    name within the year, not only by a birth date: below a strength of 1/3 only a birth
    date (or an identifier) can reach caution, and the walk asks for nothing else then."""
    twins = [
        health_record(
            record_id=record_id,
            given_name="Amara",
            family_name="Zimmer",
            birth_date=born,
            nhs_number=nhs,
            postcode=postcode,
        )
        for record_id, born, nhs, postcode in [
            ("B", "2015-04-03", "9990000050", "ZZ2 1AA"),
            ("C", "2015-04-08", "9990000034", "ZZ3 1AA"),
        ]
    ]
    protected = la_record(
        record_id="A",
        given_name="Amara",
        family_name="Okafor",
        birth_date="2015-03-04",
        la_code="901",
        shield={"reason": "refuge"},
    )
    if shield_first:
        load_la(container, [protected])
        load_health(twins)
    else:
        load_health(twins)
        load_la(container, [protected])
    ids = {
        r: _child_by_record(container, source, r).child_id.value
        for source, r in ((Source.LA, "A"), (Source.HEALTH, "B"), (Source.HEALTH, "C"))
    }
    with container.uow_factory() as uow:
        a, b, c = (uow.shields.profile(ids[r]) for r in "ABC")
    assert a is not None
    assert b is not None
    assert c is not None
    assert resemblance(c, a) == 0.0, "C must be reachable only through B"
    assert (b.shielded, b.strength) == (True, 0.425)
    assert c.shielded
    assert c.strength == pytest.approx(0.6 * 0.425, abs=1e-4)
