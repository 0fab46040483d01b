"""The shield screen's outcome does not depend on random child IDs (ADR 0011, order).

The same health lines, loaded one record at a time into an empty database with the same
trained engine, end in the same shields (who, origin, strength, reason) and caution items
(child, the shielded child it might be, score, status) whether ``ChildId.new`` hands out
IDs in ascending or descending order: the order in which the screen meets children.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from app_fixtures import FIXED_NOW, make_health_record
from childindex.services.shield_monitor import monitor
from childindex.services.shielding import reminders
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory
from feed_state import (
    NHS,
    TRAINED,
    delete_all_rows,
    health_line,
    load_lines,
    ordered_child_ids,
    state,
)


def _loaded(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory, lines: list[str], *, descending: bool
) -> tuple[dict[str, int], dict[str, Any]]:
    delete_all_rows(engine)
    with ordered_child_ids(descending=descending):
        counts = load_lines(uow_factory, lines, batch_size=1, engine=TRAINED)
    # Shields and caution items in full: strengths, reasons (naming the shielded child by
    # its records), scores.
    loaded = state(engine, scored=True)
    # And fail closed: no visible child at or above caution against any shielded child.
    assert monitor(uow=uow_factory(), actor="test", now=FIXED_NOW).hits == ()
    return counts, loaded


def _line(record_id: str, given_name: str, family_name: str, **fields: object) -> str:
    record = make_health_record(
        record_id=record_id, given_name=given_name, family_name=family_name, **fields
    )
    return json.dumps(record)


# Look-alikes first, then a protected child: the screen walks out from it, and the first
# look-alike is reached along two chains of different strength (through the second and the
# third), never directly; the third is reached directly, and more strongly through the first.
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

# Two shielded children alike in every identity field (H3 went to review for its NHS number,
# as another child, then was corrected), and a look-alike of both, equally strong: the
# caution's reason named the first of the two by random child ID.
TWO_ALIKE = [
    _line("H1", "Amara", "Okafor", nhs_number=NHS[0], sensitive=True),
    _line("H3", "Bram", "Zimmer", nhs_number=NHS[0], birth_date="2013-06-01", sensitive=True),
    _line(
        "H3",
        "Amara",
        "Okafor",
        nhs_number=NHS[0],
        sensitive=True,
        updated_at="2026-02-01T00:00:00Z",
    ),
    _line("H4", "Amara", "Okafur", nhs_number=NHS[2]),
]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(lines=LOOK_ALIKES)
@example(lines=TWO_ALIKE)
@given(lines=st.lists(health_line(), min_size=1, max_size=12))
def test_the_screen_ends_the_same_whichever_order_it_meets_children(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory, lines: list[str]
) -> None:
    ascending = _loaded(engine, uow_factory, lines, descending=False)
    descending = _loaded(engine, uow_factory, lines, descending=True)
    assert descending == ascending


def test_children_reached_along_several_chains_take_the_strongest_and_an_item_for_each(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory
) -> None:
    # Resemblances: H4-H1 1.0, H6-H1 0.47, H2-H4 0.6, H2-H6 0.89, H2-H1 and H6-H4 0.
    expected_shields = [
        ("<health/H2>", 0.6, "might be shielded child <health/H4> (score 0.60)"),
        # H1 -> H4 -> H2 -> H6 (1.0 x 0.6 x 0.89) is stronger than H1 -> H6 (0.47).
        ("<health/H4>", 1.0, "might be shielded child <health/H1> (score 1.00)"),
        ("<health/H6>", 0.5333, "might be shielded child <health/H2> (score 0.53)"),
    ]
    expected_items = [
        ("<health/H2>", "<health/H4>", 0.6),
        ("<health/H2>", "<health/H6>", 0.474),  # 0.89 x H6's 0.53
        ("<health/H4>", "<health/H1>", 1.0),
        ("<health/H4>", "<health/H2>", 0.36),  # each pair at or above caution, either way
        ("<health/H6>", "<health/H1>", 0.4667),
        ("<health/H6>", "<health/H2>", 0.5333),
    ]
    for descending in (False, True):
        _, screened = _loaded(engine, uow_factory, LOOK_ALIKES, descending=descending)
        shields = [(c, strength, why) for c, origin, strength, why, *_ in screened["shields"]]
        assert shields[1:] == expected_shields  # after H1's own, by its source
        items = [(c, shielded, score) for _, c, shielded, _, score, _ in screened["cautions"]]
        assert items == expected_items


def test_a_child_the_screen_shields_more_strongly_later_is_due_for_review_once(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory
) -> None:
    # H6 is shielded directly against H1 (0.47); later H2 is shielded against H4 and the
    # walk reaches H6 again through H2, more strongly (0.6 x 0.89): a second screen shield.
    protected, far, near, between = LOOK_ALIKES[3], LOOK_ALIKES[2], LOOK_ALIKES[1], LOOK_ALIKES[0]
    delete_all_rows(engine)
    load_lines(uow_factory, [protected, far, near, between], batch_size=1, engine=TRAINED)
    screened = state(engine, scored=True)["shields"]
    on_far = [s for s in screened if s[0] == "<health/H6>"]
    assert [round(s[2], 2) for s in on_far] == [0.47, 0.53]  # the weaker kept as history

    due = reminders(uow=uow_factory(), actor="test", now=FIXED_NOW)
    children = [s.child_id for s in due]
    assert len(children) == len(set(children)) == 4  # H1 (its source), H2, H4, H6: each once
