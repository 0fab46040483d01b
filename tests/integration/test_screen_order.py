"""The shield screen's outcome does not depend on random child IDs (ADR 0011, order).

The same health lines, loaded one record at a time into an empty database with the same
trained engine, end in the same shields (who, origin, strength, reason) and caution items
(child, the shielded child it might be, score, status) whether ``ChildId.new`` hands out
IDs in ascending or descending order: the order in which the screen meets children.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from app_fixtures import make_health_record
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory
from feed_state import (
    NHS,
    TRAINED,
    delete_all_rows,
    health_line,
    load_lines,
    ordered_child_ids,
    screen_state,
    state,
)


def _loaded(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory, lines: list[str], *, descending: bool
) -> tuple[dict[str, int], dict[str, object], dict[str, object]]:
    delete_all_rows(engine)
    with ordered_child_ids(descending=descending):
        counts = load_lines(uow_factory, lines, batch_size=1, engine=TRAINED)
    return counts, state(engine, scored=True), screen_state(engine)


def _line(record_id: str, given_name: str, family_name: str, **fields: object) -> str:
    record = make_health_record(
        record_id=record_id, given_name=given_name, family_name=family_name, **fields
    )
    return json.dumps(record)


# Look-alikes first, then a protected child: the screen walks out from it, and the first
# look-alike is reached along two chains of different strength (through the second and the
# third), never directly.
LOOK_ALIKES = [
    _line("H2", "Amara", "Okafor", nhs_number=NHS[1], birth_date="2013-06-01", postcode="ZZ2 2BB"),
    _line("H4", "Amara", "Okafor", nhs_number=NHS[2], postcode="ZZ2 2BB"),
    _line(
        "H6",
        "Amara",
        "Okafur",
        nhs_number=NHS[3],
        sex="M",
        address_line1="1 Far Lane",
        birth_date="2013-06-01",
        postcode="ZZ1 1AA",
        gp_practice_code="Y00002",
    ),
    _line("H1", "Amara", "Okafor", nhs_number=NHS[0], sensitive=True),
]


@pytest.mark.xfail(
    strict=True,
    reason="the screen's walk shields a child reached along two chains at the strength of "
    "the first it meets, and queues an item for that one only (fixed next)",
)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(lines=LOOK_ALIKES)
@given(lines=st.lists(health_line(), min_size=1, max_size=12))
def test_the_screen_ends_the_same_whichever_order_it_meets_children(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory, lines: list[str]
) -> None:
    ascending = _loaded(engine, uow_factory, lines, descending=False)
    descending = _loaded(engine, uow_factory, lines, descending=True)
    assert descending[0] == ascending[0]
    assert descending[2] == ascending[2]  # shields and caution items, scores and all
    assert descending[1] == ascending[1]
