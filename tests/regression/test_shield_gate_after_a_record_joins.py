"""The model's gate (ADR 0019) asked again when a shielded child gains a record, a regression
test forever.

The gate lifts a caution when the model's best weight over two children's records is below
``SCREEN_GATE_BITS``. A record that joins a shielded child can only raise that best weight,
so a visible namesake the gate had lifted may now be one she might be. The feed path skipped
the walk from her shown identity whenever the write left it as it was (`before`), so the
namesake stayed visible beside a second record of hers at his own address: the screen's
answer for the pair had changed, and nothing asked it again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from app_fixtures import TEST_CIPHER, load_health_records, make_health_record
from childindex.bootstrap import Container
from childindex.domain.ids import ChildId
from childindex.domain.source_record import Source
from childindex.matching.engine import ModelMatchEngine
from childindex.matching.thresholds import SCREEN_GATE_BITS
from childindex.services.shield_monitor import monitor
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory
from matching_model import hand_model
from shield_fixtures import la_record, load_la

MODEL = ModelMatchEngine({**hand_model(), "prior": 1e-6})

HER = la_record(
    record_id="L1",
    given_name="Marlowe",
    family_name="Quennell",
    sex="F",
    birth_date="2016-07-21",
    shield={"reason": "refuge"},
)
# Born the same day with a forename like hers: the rule cautions him, the model lifts it.
NAMESAKE = make_health_record(
    record_id="H1",
    given_name="Marla",
    family_name="Smith",
    sex="M",
    birth_date="2016-07-21",
    address_line1="1 Far Lane",
    postcode="ZZ9 9ZZ",
    nhs_number="9990000034",
)
# Her again, from the council, placed at his address. The council's own older record keeps
# the address she shows (same source, same date: the first record ID), so her shown
# identity does not change, and this one resembles it too closely to be another.
HER_AT_HIS_ADDRESS = la_record(
    record_id="L2",
    given_name="Marlowe",
    family_name="Quennell",
    sex="F",
    birth_date="2016-07-21",
    address_line1="1 Far Lane",
    postcode="ZZ9 9ZZ",
)


def _weight(left: dict[str, Any], right: dict[str, Any]) -> float:
    return MODEL.weight(
        {k: v for k, v in left.items() if k != "record_id"},
        {k: v for k, v in right.items() if k != "record_id"},
    )


@pytest.fixture
def gated(container: Container, engine: Engine) -> Container:
    """The container with the model's gate, as ``bootstrap.build`` wires it."""
    weigher = SqlUnitOfWorkFactory(engine, cipher=TEST_CIPHER, weigher=MODEL)
    return replace(container, uow_factory=weigher)


def _child(container: Container, source: Source, record_id: str) -> tuple[ChildId, bool]:
    with container.uow_factory() as uow:
        child_id = uow.records.linked_child(source=source, record_id=record_id)
        assert child_id is not None
        child = uow.children.get(child_id)
        assert child is not None
        return child_id, child.shielded


def test_a_record_joining_a_shielded_child_asks_the_gate_again(gated: Container) -> None:
    # The premise: the gate lifts the namesake against her first record, not her second.
    assert _weight(NAMESAKE, HER) < SCREEN_GATE_BITS <= _weight(NAMESAKE, HER_AT_HIS_ADDRESS)
    load_la(gated, [HER], engine=MODEL)
    load_health_records(gated, [NAMESAKE], engine=MODEL)
    assert not _child(gated, Source.HEALTH, "H1")[1], "the premise: the gate lifts him"
    with gated.uow_factory() as uow:
        before = uow.shields.profile(_child(gated, Source.LA, "L1")[0].value)

    load_la(gated, [HER_AT_HIS_ADDRESS], engine=MODEL)

    her, shielded = _child(gated, Source.LA, "L2")
    assert (her, shielded) == (_child(gated, Source.LA, "L1")[0], True), "joined to her"
    with gated.uow_factory() as uow:
        assert uow.shields.profile(her.value) == before, "the premise: she shows the same"
    # The screen's own answer now, asked afresh of every visible child: none is left.
    found = monitor(uow=gated.uow_factory(), actor="test", now=datetime(2026, 12, 5, tzinfo=UTC))
    assert found.hits == ()
    assert _child(gated, Source.HEALTH, "H1")[1], "the namesake must be shielded now"
