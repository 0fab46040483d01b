"""Two runs of one feed load at once: the command started twice, or started again to resume
while the first run still goes on. Both find the same unfinished load; without a check each
would process the lines after the checkpoint it read, and the later of the two would fail on
raw lines the other had stored (a database error, mid-batch). The run whose checkpoint the
other moved on stops with a clear error before it stores anything more; the other finishes
the load; the database ends as one clean load leaves it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from app_fixtures import FIXED_NOW, make_health_record
from childindex.domain.errors import LoadTaken
from childindex.domain.source_record import ParsedLine, Source
from childindex.feeds.health import read_health
from childindex.services import ingest
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory
from feed_state import delete_all_rows, load_lines, state, valid_nhs

BATCH = 20
FORENAMES = ("Amara", "Bram", "Cora", "Dev", "Esme", "Finn")
LINES = [
    json.dumps(
        make_health_record(
            record_id=f"H{i}",
            given_name=FORENAMES[i % len(FORENAMES)],
            family_name=f"Family{i // 3}",
            nhs_number=nhs,
        )
    )
    for i, nhs in enumerate(valid_nhs(90))
]
DATA = ("\n".join(LINES) + "\n").encode()


def _run(factory: SqlUnitOfWorkFactory, lines: Iterator[ParsedLine]) -> ingest.LoadReport:
    return ingest.load_feed(
        uow_factory=factory,
        source=Source.HEALTH,
        filename="health.jsonl",
        data=DATA,
        lines=lines,
        actor="test",
        now=FIXED_NOW,
        batch_size=BATCH,
    )


def _parsed() -> Iterator[ParsedLine]:
    return read_health(DATA, file="health.jsonl", now=FIXED_NOW)


def _loads(engine: Engine) -> list[tuple[str, int]]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT status, checkpoint_line FROM feed_loads"))
        return [(status, line) for status, line in rows]


@pytest.mark.parametrize("second_starts_at", [BATCH * 2 + 5, BATCH * 3])
def test_a_second_run_of_the_same_load_stops_the_first_cleanly(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory, second_starts_at: int
) -> None:
    delete_all_rows(engine)
    load_lines(uow_factory, LINES, batch_size=BATCH)
    clean = state(engine)
    delete_all_rows(engine)
    second: list[ingest.LoadReport] = []

    def first_run_lines() -> Iterator[ParsedLine]:
        for parsed in _parsed():
            if parsed.line == second_starts_at:
                # The first run has committed its first batches; the second resumes the
                # same load from its checkpoint and runs it to the end.
                second.append(_run(uow_factory, _parsed()))
            yield parsed

    with pytest.raises(LoadTaken, match=r"being run by another process too: it has finished"):
        _run(uow_factory, first_run_lines())
    (report,) = second
    assert report.resumed_after_line == (second_starts_at - 1) // BATCH * BATCH
    assert report.accepted == len(LINES)  # the whole file, as one load reports it
    assert state(engine) == clean
    assert _loads(engine) == [("finished", len(LINES))]
