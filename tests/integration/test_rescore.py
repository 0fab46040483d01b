"""``matching rescore``: new matches after a model change, officers' decisions kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from childindex.bootstrap import Container
from childindex.domain.ids import ChildId
from childindex.domain.source_record import Source
from childindex.matching.engine import ModelMatchEngine
from childindex.services.ingest import LoadReport
from childindex.services.rescore import rescore
from matching_model import hand_model
from shield_fixtures import la_record, load_la

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
Load = Callable[[list[dict[str, Any]]], LoadReport]


def _child(container: Container, record_id: str) -> ChildId | None:
    with container.uow_factory() as uow:
        return uow.records.linked_child(source=Source.HEALTH, record_id=record_id)


def test_rescore_links_a_record_the_exact_engine_left_alone(
    container: Container, load_health: Load, health_record: Callable[..., dict[str, Any]]
) -> None:
    # The exact-identifier engine cannot tell these are one child: two children.
    load_health(
        [
            health_record(record_id="H1"),
            health_record(record_id="H2", nhs_number="9990000026", given_name="Amara"),
        ]
    )
    assert _child(container, "H1") != _child(container, "H2")
    report = rescore(
        uow_factory=container.uow_factory, engine=ModelMatchEngine(hand_model()), actor="t"
    )
    assert report.examined == 2
    assert report.relinked == 1
    assert _child(container, "H1") == _child(container, "H2")


def test_rescore_never_undoes_an_officer_decision(
    container: Container, load_health: Load, health_record: Callable[..., dict[str, Any]]
) -> None:
    load_health(
        [
            health_record(record_id="H1"),
            health_record(record_id="H2", nhs_number="9990000026"),
        ]
    )
    apart = _child(container, "H2")
    assert apart is not None
    with container.uow_factory() as uow:
        uow.records.link(
            source=Source.HEALTH, record_id="H2", child_id=apart, decided_by="officer", actor="o"
        )
        uow.commit()
    report = rescore(
        uow_factory=container.uow_factory, engine=ModelMatchEngine(hand_model()), actor="t"
    )
    assert report.officer_kept == 1
    assert _child(container, "H2") == apart


def test_rescore_never_proposes_a_remembered_not_a_match(
    container: Container, load_health: Load, health_record: Callable[..., dict[str, Any]]
) -> None:
    load_health(
        [
            health_record(record_id="H1"),
            health_record(record_id="H2", nhs_number="9990000026"),
        ]
    )
    first = _child(container, "H1")
    assert first is not None
    with container.uow_factory() as uow:
        uow.reviews.remember_not_a_match(
            source=Source.HEALTH, record_id="H2", child_id=first, actor="o", now=NOW
        )
        uow.commit()
    rescore(uow_factory=container.uow_factory, engine=ModelMatchEngine(hand_model()), actor="t")
    assert _child(container, "H2") != first


def _la_child(container: Container, record_id: str) -> ChildId | None:
    with container.uow_factory() as uow:
        return uow.records.linked_child(source=Source.LA, record_id=record_id)


def test_copies_loaded_before_any_model_become_one_child(container: Container) -> None:
    # One child sent three times with no identifier, before a model existed: three children.
    for record_id in ("L1", "L2", "L3"):
        load_la(container, [la_record(record_id=record_id)])
    assert len({_la_child(container, r) for r in ("L1", "L2", "L3")}) == 3
    report = rescore(
        uow_factory=container.uow_factory, engine=ModelMatchEngine(hand_model()), actor="t"
    )
    # Each record is re-decided against the children that were there before it arrived,
    # so the later copies are not torn between two equal candidates.
    assert len({_la_child(container, r) for r in ("L1", "L2", "L3")}) == 1
    assert _la_child(container, "L1") is not None
    assert report.relinked == 2


def test_a_child_placed_by_the_machine_moves_whole(container: Container) -> None:
    load_la(container, [la_record(record_id="L1")])
    # A later load: two records sharing a UPN make one child apart from L1's.
    load_la(
        container,
        [
            la_record(record_id="L2", upn="A801200004001"),
            la_record(record_id="L3", upn="A801200004001", address_line1="3 Other Row"),
        ],
    )
    first = _la_child(container, "L1")
    assert _la_child(container, "L2") == _la_child(container, "L3") != first
    rescore(uow_factory=container.uow_factory, engine=ModelMatchEngine(hand_model()), actor="t")
    assert {_la_child(container, r) for r in ("L1", "L2", "L3")} == {first}
    with container.uow_factory() as uow:
        assert first is not None
        assert len(uow.records.current_records(first)) == 3


def test_open_items_follow_a_child_merged_by_rescore(container: Container) -> None:
    load_la(container, [la_record(record_id="L1", shield={"reason": "refuge"})])
    # The same child again, before any model: a second child, shielded by the screen and
    # queued as a caution against the first.
    load_la(container, [la_record(record_id="L2")])
    shielded, copy = _la_child(container, "L1"), _la_child(container, "L2")
    assert shielded is not None
    assert copy is not None
    assert copy != shielded
    with container.uow_factory() as uow:
        pairs = {
            (i.child_id, i.shielded_child_id) for i in uow.shields.caution_items(la_codes=None)
        }
    assert (copy.value, shielded.value) in pairs
    rescore(uow_factory=container.uow_factory, engine=ModelMatchEngine(hand_model()), actor="t")
    assert _la_child(container, "L2") == shielded
    with container.uow_factory() as uow:
        left = [
            i
            for i in uow.shields.caution_items(la_codes=None)
            if copy.value in (i.child_id, i.shielded_child_id)
        ]
        child = uow.children.get(shielded)
    assert left == [], "no open item may point at a child merged away"
    assert child is not None
    assert child.shielded
