"""Regression: a gap of the shield screen found by the shield state machine (ADR 0008),
closed by ADR 0012.

An officer wrongly merges two different children; the health source then flags the merged-in
child's record sensitive, so the merged child is shielded. Its shown identity (survivorship)
is the *other* child's. A record for the merged-in child with a new address — arriving after
the shield, or already held before it — was compared with the shown identity only, found
nothing alike, and stayed visible. The screen now compares every identity a shielded child's
records carry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from childindex.bootstrap import Container
from childindex.domain.source_record import Source
from childindex.services import merging
from shield_fixtures import la_record, load_la


@pytest.mark.parametrize("update_first", [False, True])
def test_a_new_record_for_a_child_shielded_inside_a_wrong_merge_is_shielded(
    container: Container,
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
    update_first: bool,
) -> None:
    marlowe = health_record(
        record_id="H-0",
        given_name="Marlowe",
        family_name="Quennell",
        birth_date="2016-07-03",
        nhs_number="9990000026",
        updated_at="2026-01-02T00:00:00Z",
    )
    bram = health_record(
        record_id="H-2",
        given_name="Bram",
        family_name="Zimmer",
        birth_date="2012-10-05",
        nhs_number="9990000050",
        updated_at="2026-01-01T00:00:00Z",
    )
    load_health([marlowe, bram])
    with container.uow_factory() as uow:
        into = uow.records.linked_child(source=Source.HEALTH, record_id="H-0")
        wrong = uow.records.linked_child(source=Source.HEALTH, record_id="H-2")
        assert into is not None
        assert wrong is not None
        merging.merge_children(uow=uow, child_id=wrong, into=into, actor="officer")
        uow.commit()
    update = la_record(
        record_id="L-2",
        given_name="Bram",
        family_name="Zimmer",
        birth_date="2012-05-10",  # day and month swapped
        address_line1="4 Hidden Lane",
        town="Refugeford",
        postcode="ZZ4 4HL",
    )
    if update_first:  # held, visible, when the shield comes: the shield must reach it
        assert load_la(container, [update]).shielded == 0
    assert load_health([{**bram, "sensitive": True}]).accepted == 1
    with container.uow_factory() as uow:
        merged = uow.children.get(into)
        assert merged is not None
        assert merged.shielded
    if not update_first:
        assert load_la(container, [update]).shielded == 1
    with container.uow_factory() as uow:
        held = uow.records.linked_child(source=Source.LA, record_id="L-2")
        assert held is not None
        child = uow.children.get(held)
    assert child is not None
    assert child.shielded
