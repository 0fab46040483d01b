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

from datetime import UTC, datetime

from sqlalchemy import Engine

from app_fixtures import load_health_records
from childindex.bootstrap import Container
from childindex.domain.source_record import Source
from childindex.matching.thresholds import SCREEN_GATE_BITS
from childindex.services.shield_monitor import monitor
from gate_fixtures import MODEL, NAMESAKE, gated, linked, weight
from gate_fixtures import SHIELDED as HER
from shield_fixtures import la_record, load_la

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


def test_a_record_joining_a_shielded_child_asks_the_gate_again(
    container: Container, engine: Engine
) -> None:
    wired = gated(container, engine)
    # The premise: the gate lifts the namesake against her first record, not her second.
    assert weight(NAMESAKE, HER) < SCREEN_GATE_BITS <= weight(NAMESAKE, HER_AT_HIS_ADDRESS)
    load_la(wired, [HER], engine=MODEL)
    load_health_records(wired, [NAMESAKE], engine=MODEL)
    assert not linked(wired, Source.HEALTH, "H1")[1], "the premise: the gate lifts him"
    with wired.uow_factory() as uow:
        before = uow.shields.profile(linked(wired, Source.LA, "L1")[0].value)

    load_la(wired, [HER_AT_HIS_ADDRESS], engine=MODEL)

    her, shielded = linked(wired, Source.LA, "L2")
    assert (her, shielded) == (linked(wired, Source.LA, "L1")[0], True), "joined to her"
    with wired.uow_factory() as uow:
        assert uow.shields.profile(her.value) == before, "the premise: she shows the same"
    # The screen's own answer now, asked afresh of every visible child: none is left.
    found = monitor(uow=wired.uow_factory(), actor="test", now=datetime(2026, 12, 5, tzinfo=UTC))
    assert found.hits == ()
    assert linked(wired, Source.HEALTH, "H1")[1], "the namesake must be shielded now"
