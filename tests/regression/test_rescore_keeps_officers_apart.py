"""Regression: a rescore joined again two children an officer had set apart (ADR 0035).

Only a not-a-match on a match item was remembered. After each of these, a rescore
re-decided the first record of a child the machine had shaped and found the other child at
LINK, so it merged the two:

- **a split**: only the record moved was linked as the officer's; the records left behind
  kept the machine's links;
- **an undone merge**: likewise, the child it had been merged into;
- **not a match on a caution item**, and **a lift** of the screen's shield: the pair was
  cleared for the screen, not for matching.

Each is an officer's decision undone, which ``matching rescore`` must never do (issue 5,
item 8). The first two were found while the load state machines were taught officers'
splits and undone merges (``tests/loaded_state.py``); the others by reading the code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app_fixtures import FIXED_NOW, linked_child
from childindex.bootstrap import Container
from childindex.domain.ids import ChildId
from childindex.domain.review import ReviewAction
from childindex.domain.source_record import Source
from childindex.matching.engine import ModelMatchEngine
from childindex.services import areas, merging, review, shielding
from childindex.services.ingest import LoadReport
from childindex.services.rescore import rescore
from matching_model import hand_model
from shield_fixtures import officer

Load = Callable[[list[dict[str, Any]]], LoadReport]


@pytest.fixture(autouse=True)
def _authority_901(container: Container) -> None:
    """Children at ZZ1 are authority 901's: its officer decides their items."""
    areas.load_areas(uow=container.uow_factory(), areas={"ZZ1": "901"}, actor="t", now=FIXED_NOW)


def _look_alike_of_a_shielded_child(
    container: Container, load_health: Load, health_record: Callable[..., dict[str, Any]]
) -> tuple[ChildId, ChildId]:
    """Two children to the exact-identifier engine (two NHS numbers), one to the model: the
    second shielded by its source, the first shielded by the screen at caution against it.
    Return the two."""
    load_health(
        [
            health_record(record_id="H1"),
            health_record(record_id="H2", nhs_number="9990000026", sensitive=True),
        ]
    )
    visible, shielded = linked_child(container, "H1"), linked_child(container, "H2")
    assert visible is not None
    assert shielded is not None
    assert visible != shielded
    return visible, shielded


def test_a_rescore_leaves_apart_the_children_an_officer_split(
    container: Container, load_health: Load, health_record: Callable[..., dict[str, Any]]
) -> None:
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


def test_a_rescore_leaves_apart_a_child_an_officer_cleared_of_a_shielded_one(
    container: Container, load_health: Load, health_record: Callable[..., dict[str, Any]]
) -> None:
    visible, shielded = _look_alike_of_a_shielded_child(container, load_health, health_record)
    (item,) = review.list_review(
        uow=container.uow_factory(), viewer=officer("901"), now=FIXED_NOW
    ).items
    assert (item.kind, item.record_child_id) == ("caution", str(visible))
    review.decide_review(
        uow=container.uow_factory(),
        viewer=officer("901"),
        item_id=item.item_id,
        action=ReviewAction.NOT_A_MATCH,
        now=FIXED_NOW,
    )

    rescore(uow_factory=container.uow_factory, engine=ModelMatchEngine(hand_model()), actor="t")

    assert (linked_child(container, "H1"), linked_child(container, "H2")) == (visible, shielded)


def test_a_rescore_leaves_apart_a_child_whose_caution_shield_an_officer_lifted(
    container: Container, load_health: Load, health_record: Callable[..., dict[str, Any]]
) -> None:
    visible, shielded = _look_alike_of_a_shielded_child(container, load_health, health_record)
    # The screen shielded the look-alike; the officer judges it is not the shielded child.
    lifted = shielding.lift_shield(
        uow=container.uow_factory(),
        viewer=officer("901"),
        child_id=visible,
        reason="not the same child",
        now=FIXED_NOW,
    )
    assert not lifted.shielded

    rescore(uow_factory=container.uow_factory, engine=ModelMatchEngine(hand_model()), actor="t")

    assert (linked_child(container, "H1"), linked_child(container, "H2")) == (visible, shielded)


def test_a_split_of_a_shielded_child_asks_no_officer_about_its_two_parts(
    container: Container, load_health: Load, health_record: Callable[..., dict[str, Any]]
) -> None:
    # Not a rescore: straight after the split, the screen cautioned each part against the
    # other (both shielded), asking the officer what they had just said.
    load_health([health_record(record_id=f"H{n}", sensitive=n == 1) for n in (1, 2)])
    child = linked_child(container, "H1")
    assert child is not None
    review.split(
        uow=container.uow_factory(),
        viewer=officer("901"),
        child_id=child,
        records=[(Source.HEALTH, "H1")],
        now=FIXED_NOW,
    )
    listed = review.list_review(uow=container.uow_factory(), viewer=officer("901"), now=FIXED_NOW)
    assert listed.items == []


@pytest.mark.parametrize(
    ("record_id", "is_not"),
    [("H3", "H1"), ("H1", "H3")],
    ids=["a record of the child moved", "a record of the target"],
)
def test_a_rescore_moves_no_child_holding_a_record_an_officer_said_is_not_the_target(
    container: Container,
    load_health: Load,
    health_record: Callable[..., dict[str, Any]],
    record_id: str,
    is_not: str,
) -> None:
    # H2 and H3 are one child by their NHS number; H1 another to the exact-identifier
    # engine. An officer said H3 is not H1's child, or H1 is not H3's. The rescore's model
    # links H2, the first record of H3's child, to H1's child: moving the whole child
    # would put H3 with H1.
    load_health(
        [
            health_record(record_id="H1"),
            health_record(record_id="H2", nhs_number="9990000026"),
            health_record(record_id="H3", nhs_number="9990000026"),
        ]
    )
    first, second = linked_child(container, "H1"), linked_child(container, "H3")
    assert first is not None
    assert second is not None
    assert linked_child(container, "H2") == second != first
    not_child = linked_child(container, is_not)
    assert not_child is not None
    with container.uow_factory() as uow:
        uow.reviews.remember_not_a_match(
            source=Source.HEALTH, record_id=record_id, child_id=not_child, actor="o", now=FIXED_NOW
        )
        uow.commit()

    rescore(uow_factory=container.uow_factory, engine=ModelMatchEngine(hand_model()), actor="t")

    assert linked_child(container, "H3") != linked_child(container, "H1")


def test_a_not_a_match_follows_the_child_it_names_into_a_merge(
    container: Container, load_health: Load, health_record: Callable[..., dict[str, Any]]
) -> None:
    # Three children to the exact-identifier engine, arriving H3, H2, H1. An officer said
    # H1 is not H2's child; a feed's join then merged H2's child into H3's. The rescore's
    # model links H1 to H3's child, which now holds H2: the memory must follow the merge.
    load_health(
        [
            health_record(record_id="H3", nhs_number="9990000034"),
            health_record(record_id="H2", nhs_number="9990000026"),
            health_record(record_id="H1"),
        ]
    )
    third, second = linked_child(container, "H3"), linked_child(container, "H2")
    assert third is not None
    assert second is not None
    with container.uow_factory() as uow:
        uow.reviews.remember_not_a_match(
            source=Source.HEALTH, record_id="H1", child_id=second, actor="o", now=FIXED_NOW
        )
        merging.merge_children(
            uow=uow, child_id=second, into=third, actor="feed", decided_by="score"
        )
        uow.commit()

    rescore(uow_factory=container.uow_factory, engine=ModelMatchEngine(hand_model()), actor="t")

    assert linked_child(container, "H1") != linked_child(container, "H2")
