"""While updates are halted every service that edits child data refuses, before it changes
anything; after the halt lifts the same edits go through."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app_fixtures import FIXED_NOW, make_health_record
from childindex.bootstrap import Container
from childindex.domain.errors import Halted
from childindex.domain.ids import ChildId
from childindex.domain.source_record import Source
from childindex.feeds.formats import read_queued
from childindex.matching.exact import ExactIdentifierEngine
from childindex.services import feed_intake, operations, rescore
from childindex.services.merging import merge_children, relink_record, split_child, undo_merge
from childindex.services.ports import UnitOfWork

Edit = Callable[[UnitOfWork, ChildId, ChildId], object]

EDITS: dict[str, Edit] = {
    "merge": lambda uow, a, b: merge_children(uow=uow, child_id=b, into=a, actor="officer"),
    "undo merge": lambda uow, _a, b: undo_merge(uow=uow, child_id=b, actor="officer"),
    "relink": lambda uow, a, _b: relink_record(
        uow=uow, source=Source.HEALTH, record_id="H2", into=a, actor="officer"
    ),
    "split": lambda uow, a, _b: split_child(
        uow=uow, child_id=a, records=[(Source.HEALTH, "H1")], actor="officer"
    ),
}


def _children(
    container: Container, load: Callable[[list[dict[str, Any]]], Any]
) -> tuple[ChildId, ChildId]:
    load([make_health_record(), make_health_record(record_id="H2", nhs_number="9990000026")])
    with container.uow_factory() as uow:
        a = uow.records.linked_child(source=Source.HEALTH, record_id="H1")
        b = uow.records.linked_child(source=Source.HEALTH, record_id="H2")
    assert a is not None
    assert b is not None
    return a, b


def _links(container: Container) -> list[tuple[str, str, str]]:
    with container.uow_factory() as uow:
        return sorted((str(s), r, str(c)) for s, r, c, _ in uow.records.current_links())


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_merging_and_splitting_refuse_while_halted(
    container: Container, load_health: Callable[[list[dict[str, Any]]], Any], edit: str
) -> None:
    a, b = _children(container, load_health)
    before = _links(container)
    operations.halt_on(uow=container.uow_factory(), actor="admin", reason="hold", now=FIXED_NOW)
    with (
        container.uow_factory() as uow,
        pytest.raises(Halted, match=r"updates are halted \(hold\)"),
    ):
        EDITS[edit](uow, a, b)
    assert _links(container) == before


def test_rescore_refuses_while_halted_and_runs_after(
    container: Container, load_health: Callable[[list[dict[str, Any]]], Any]
) -> None:
    _children(container, load_health)
    operations.halt_on(uow=container.uow_factory(), actor="admin", reason="hold", now=FIXED_NOW)
    engine = ExactIdentifierEngine()
    with pytest.raises(Halted):
        rescore.rescore(uow_factory=container.uow_factory, engine=engine, actor="rescore")
    feed_intake.halt_off(
        uow_factory=container.uow_factory,
        actor="admin",
        reason=None,
        now=FIXED_NOW,
        read=read_queued,
    )
    report = rescore.rescore(uow_factory=container.uow_factory, engine=engine, actor="rescore")
    assert report.examined == 2


def test_a_merge_goes_through_once_the_halt_is_lifted(
    container: Container, load_health: Callable[[list[dict[str, Any]]], Any]
) -> None:
    a, b = _children(container, load_health)
    operations.halt_on(uow=container.uow_factory(), actor="admin", reason="hold", now=FIXED_NOW)
    feed_intake.halt_off(
        uow_factory=container.uow_factory,
        actor="admin",
        reason=None,
        now=FIXED_NOW,
        read=read_queued,
    )
    with container.uow_factory() as uow:
        merge_children(uow=uow, child_id=b, into=a, actor="officer")
        uow.commit()
    assert {c for _, _, c in _links(container)} == {str(a)}
