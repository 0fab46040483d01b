"""Twins kept apart through the feed path (ADR 0024), on SQLite and PostgreSQL: a record of
one twin that carries a slip of the birth date, or the other twin's address and a nickname of
his name, never lands on the other twin; it goes to an officer. In one batch or record by
record alike."""

from __future__ import annotations

from typing import Any

import pytest

from childindex.bootstrap import Container
from childindex.domain.ids import ChildId
from childindex.domain.source_record import Source
from childindex.matching.engine import ModelMatchEngine
from matching_model import hand_model
from shield_fixtures import la_record, load_la

ENGINE = ModelMatchEngine(hand_model())  # Aidan and Aiden are both common names in it
BOY = {"family_name": "Wieczorek", "sex": "M", "birth_date": "2015-07-02"}
HOME = {"address_line1": "128 Linnet Rise", "postcode": "ZZ1 4NL"}
AWAY = {"address_line1": "17 Linnet Court", "postcode": "ZY2 8SY"}  # another district


def _twins(first: str, second: str) -> list[dict[str, Any]]:
    return [
        la_record(record_id="L1", given_name=first, **BOY, **HOME, nhs_number="9990000018"),
        la_record(record_id="L2", given_name=second, **BOY, **AWAY, nhs_number="9990000026"),
    ]


CASES = {
    # Theodore's record at his twin Theo's home: "Theodore" is Theo's formal name.
    "nickname at the other twin's home": (
        _twins("Theo", "Theodore"),
        la_record(record_id="L3", given_name="Theodore", **BOY, **HOME),
    ),
    # Aiden's record with the day and month of birth swapped and no sex, at his twin Aidan's
    # home: as far from his own records as Sara Elmi's was from hers (synthetic).
    "birth date swapped at the other twin's home": (
        _twins("Aidan", "Aiden"),
        la_record(
            record_id="L3",
            given_name="Aiden",
            **{**BOY, "birth_date": "2015-02-07", "sex": "U"},
            **HOME,
        ),
    ),
}


def _child(container: Container, record_id: str) -> ChildId | None:
    with container.uow_factory() as uow:
        return uow.records.linked_child(source=Source.LA, record_id=record_id)


@pytest.mark.parametrize("batch_size", [1, 1000])
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_twins_record_never_lands_on_the_other_twin(
    container: Container, case: str, batch_size: int
) -> None:
    twins, record = CASES[case]
    load_la(container, twins, engine=ENGINE, batch_size=batch_size)
    first, second = _child(container, "L1"), _child(container, "L2")
    assert first is not None
    assert second not in {None, first}
    report = load_la(container, [record], engine=ENGINE, batch_size=batch_size)
    assert _child(container, "L3") != first
    assert (report.linked, report.review, report.joined) == (0, 1, 0)
    with container.uow_factory() as uow:
        queued = {i.candidate_child_id for i in uow.reviews.all_open() if i.record_id == "L3"}
    assert first in queued  # the officer sees the twin the record was pulled to
