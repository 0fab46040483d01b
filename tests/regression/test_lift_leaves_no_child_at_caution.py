"""Regression: an officer's lift left a child visible that the shield screen would shield
(found by the feed-load state machine once it drew officers' lifts,
``tests/loaded_state.py``).

A look-alike child is shielded by the screen against a shielded child A, and an item
queued. Then a second shielded child C arrives, like them both; the screen queues an item
for it against the look-alike (C might be the shielded look-alike). An officer judges the
look-alike is not A and lifts its shield: the items *of* the look-alike are cleared, but
nobody has judged it is not C, which it resembles at caution. It was left visible. A lift is
a write like any other now: the screen runs from the child, and shields it again against a
shielded child no officer has judged it apart from, with the pair queued for review.
"""

from __future__ import annotations

from childindex.bootstrap import Container
from childindex.domain.ids import ChildId
from childindex.domain.shield_records import CautionStatus
from childindex.services import shielding
from childindex.services.shield_screen import screen_child
from feed_state import load_look_alike_of_two_shielded
from shield_fixtures import ADMIN


def _cautioned_now(container: Container, child_id: ChildId) -> tuple[str, ...]:
    """The shielded children the screen would caution ``child_id`` against now (rolled
    back)."""
    with container.uow_factory() as uow:
        cautions = screen_child(uow, child_id).cautions
        uow.rollback()
    return tuple(c.shielded_child_id for c in cautions)


def _lift(container: Container, child_id: ChildId) -> shielding.ShieldState:
    return shielding.lift_shield(
        uow=container.uow_factory(),
        viewer=ADMIN,
        child_id=child_id,
        reason="not the shielded child it was queued against",
        now=container.clock(),
    )


def test_a_lifted_child_like_a_shielded_child_nobody_judged_is_shielded_again(
    container: Container,
) -> None:
    children = load_look_alike_of_two_shielded(container)
    a, look_alike, c = children["A"], children["L"], children["C"]
    with container.uow_factory() as uow:
        assert uow.children.get(look_alike).shielded, "the screen shields the look-alike"
    assert len({a, c, look_alike}) == 3

    state = _lift(container, look_alike)

    # Judged apart from A only: it might still be C, so it is shielded, and the pair is
    # open for an officer.
    assert state.shielded
    with container.uow_factory() as uow:
        assert uow.children.get(look_alike).shielded
        assert a.value in uow.shields.cleared_pairs(look_alike.value)
        open_pairs = {
            frozenset((item.child_id, item.shielded_child_id))
            for item in uow.shields.caution_items(la_codes=None)
            if item.status is CautionStatus.OPEN
        }
    assert frozenset((look_alike.value, c.value)) in open_pairs

    # Judged apart from C too, it is lifted for good: visible, and at caution against none.
    with container.uow_factory() as uow:
        for item in uow.shields.caution_items(la_codes=None):
            if {item.child_id, item.shielded_child_id} == {look_alike.value, c.value}:
                uow.shields.close_item(
                    item_id=item.item_id,
                    status=CautionStatus.CLEARED,
                    decided_by=ADMIN.username,
                    at=container.clock(),
                )
        uow.commit()
    assert not _lift(container, look_alike).shielded
    assert _cautioned_now(container, look_alike) == ()
