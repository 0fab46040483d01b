"""Regression: a rescore joined again two children an officer had set apart.

- **A split.** An officer splits a child's first record off onto a new child. Only the
  record moved was linked as the officer's; the records left behind kept the machine's
  links. A rescore then re-decided the first record left behind against the earlier
  children, found the split-off child (the same names, the same birth date) at LINK, and
  merged the two again.
- **An undone merge.** The same with the child an undone merge had been merged into: its
  records kept the machine's links, and its first record linked to the earlier child the
  undo had made active again.

Each is an officer's decision undone, which ``matching rescore`` must never do (issue 5,
item 8). Found while the load state machines were taught officers' splits and undone
merges (``tests/loaded_state.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app_fixtures import FIXED_NOW, linked_child
from childindex.bootstrap import Container
from childindex.domain.ids import ChildId
from childindex.domain.source_record import Source
from childindex.matching.engine import ModelMatchEngine
from childindex.services import areas, merging, review
from childindex.services.ingest import LoadReport
from childindex.services.rescore import rescore
from matching_model import hand_model
from shield_fixtures import officer

Load = Callable[[list[dict[str, Any]]], LoadReport]


def test_a_rescore_leaves_apart_the_children_an_officer_split(
    container: Container, load_health: Load, health_record: Callable[..., dict[str, Any]]
) -> None:
    areas.load_areas(uow=container.uow_factory(), areas={"ZZ1": "901"}, actor="t", now=FIXED_NOW)
    # One child's three records, by the NHS number they share.
    load_health([health_record(record_id=f"H{n}") for n in (1, 2, 3)])
    child = linked_child(container, "H1")
    assert child is not None
    assert {linked_child(container, r) for r in ("H2", "H3")} == {child}

    split = review.split(
        uow=container.uow_factory(),
        viewer=officer("901"),
        child_id=child,
        records=[(Source.HEALTH, "H1")],
        now=FIXED_NOW,
    )
    assert linked_child(container, "H1") == ChildId.parse(split.new_child_id)

    rescore(uow_factory=container.uow_factory, engine=ModelMatchEngine(hand_model()), actor="t")

    assert linked_child(container, "H1") == ChildId.parse(split.new_child_id)
    assert linked_child(container, "H2") == linked_child(container, "H3") == child


def test_a_rescore_leaves_apart_the_children_of_an_undone_merge(
    container: Container, load_health: Load, health_record: Callable[..., dict[str, Any]]
) -> None:
    areas.load_areas(uow=container.uow_factory(), areas={"ZZ1": "901"}, actor="t", now=FIXED_NOW)
    # Two children to the exact-identifier engine (two NHS numbers), one to the model.
    load_health(
        [health_record(record_id="H1"), health_record(record_id="H2", nhs_number="9990000026")]
    )
    first, second = linked_child(container, "H1"), linked_child(container, "H2")
    assert first is not None
    assert second is not None
    assert first != second
    with container.uow_factory() as uow:
        merging.merge_children(uow=uow, child_id=first, into=second, actor="officer-901")
        uow.commit()
    review.undo_merge_child(
        uow=container.uow_factory(), viewer=officer("901"), child_id=first, now=FIXED_NOW
    )
    assert (linked_child(container, "H1"), linked_child(container, "H2")) == (first, second)

    rescore(uow_factory=container.uow_factory, engine=ModelMatchEngine(hand_model()), actor="t")

    assert (linked_child(container, "H1"), linked_child(container, "H2")) == (first, second)
