"""Rescore and the review queue as a property (issue 5 items 7 and 8), on a real database:
for random copies of one child loaded before any model, rescored again and again with
officers refusing some of the queued pairs in between, the queue never holds a pair twice,
never a pair an officer refused, and never a record paired with its own child."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from childindex.bootstrap import Container
from childindex.domain.review import ReviewStatus
from childindex.matching.engine import ModelMatchEngine
from childindex.services.rescore import rescore
from halt_helpers import delete_all_rows
from matching_model import hand_model, review_band_pair
from shield_fixtures import load_la

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ENGINE = ModelMatchEngine(hand_model())
FIRST, LATER = review_band_pair()
# Each field of a copy is the first record's or the doubtful one's: copies then fall on
# either side of the thresholds, and some between them.
FIELDS = ("birth_date", "address_line1", "sex", "la_code")
copies = st.lists(st.tuples(*(st.booleans() for _ in FIELDS)), min_size=1, max_size=4)


def _copy(number: int, doubtful: tuple[bool, ...]) -> dict[str, Any]:
    record = dict(FIRST, record_id=f"L{number}")
    record.update({f: LATER[f] for f, pick in zip(FIELDS, doubtful, strict=True) if pick})
    return record


def _open_pairs(container: Container) -> list[tuple[str, str, str]]:
    """(record, candidate child, record's child) of every open match item."""
    with container.uow_factory() as uow:
        return [
            (i.record_id, i.candidate_child_id.value, i.record_child_id.value)
            for i in uow.reviews.all_open()
        ]


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(copies=copies, refusals=st.lists(st.booleans(), min_size=3, max_size=3))
def test_rescored_queue_never_repeats_or_reproposes_a_refused_pair(
    container: Container, engine: Engine, copies: list[tuple[bool, ...]], refusals: list[bool]
) -> None:
    delete_all_rows(engine)
    for number, doubtful in enumerate([(False,) * len(FIELDS), *copies], start=1):
        load_la(container, [_copy(number, doubtful)])
    refused: set[tuple[str, str]] = set()
    for refuse in refusals:
        rescore(uow_factory=container.uow_factory, engine=ENGINE, actor="t", now=NOW)
        pairs = _open_pairs(container)
        assert len({(record, candidate) for record, candidate, _ in pairs}) == len(pairs)
        assert not {(record, candidate) for record, candidate, _ in pairs} & refused
        assert all(candidate != held for _, candidate, held in pairs)
        if not refuse:
            continue
        # An officer says not-a-match to everything open, as the review service records it.
        with container.uow_factory() as uow:
            for item in uow.reviews.all_open():
                uow.reviews.remember_not_a_match(
                    source=item.source,
                    record_id=item.record_id,
                    child_id=item.candidate_child_id,
                    actor="officer",
                    now=NOW,
                )
                uow.reviews.close(
                    item_id=item.item_id, status=ReviewStatus.NOT_A_MATCH, actor="officer", now=NOW
                )
                refused.add((item.record_id, item.candidate_child_id.value))
            uow.commit()
