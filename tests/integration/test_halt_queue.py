"""The halt queue on a real database: sealed at rest, and a drain that dies at any point
finishes, when run again, in exactly the state of an uninterrupted one."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url

from app_fixtures import FIXED_NOW, make_health_record
from childindex.domain.errors import Conflict
from childindex.domain.halt import QueuedFeed
from childindex.domain.source_record import ParsedLine
from childindex.feeds.formats import read_queued
from childindex.services import feed_intake, operations
from childindex.services.ports import UnitOfWork
from childindex.storage.models import QUEUE_DONE, FeedQueueRow
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory
from halt_helpers import State, body_of, delete_all_rows, drain, snapshot, submit

SECRET_ADDRESS = "23 Pellucid Gardens"
SECRET_POSTCODE = "ZZ9 4QT"
HALT_REASON = "Marker reason for the halt 7731"


def _database_bytes(database_url: str) -> bytes:
    """Everything the database holds on disk (SQLite: file + WAL) or in a dump (PostgreSQL)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        assert url.database
        files = [Path(url.database), Path(url.database + "-wal")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    dump = subprocess.run(
        [
            "pg_dump",
            "-h",
            url.host or "127.0.0.1",
            "-U",
            url.username or "postgres",
            url.database or "",
        ],
        check=True,
        capture_output=True,
    )
    return dump.stdout


def _halt(uow_factory: SqlUnitOfWorkFactory) -> None:
    operations.halt_on(uow=uow_factory(), actor="admin", reason=HALT_REASON, now=FIXED_NOW)


def test_a_queued_feed_is_sealed_at_rest(
    database_url: str, uow_factory: SqlUnitOfWorkFactory
) -> None:
    _halt(uow_factory)
    record = make_health_record(address_line1=SECRET_ADDRESS, postcode=SECRET_POSTCODE)
    queued = submit(uow_factory, body_of([record]), now=FIXED_NOW)
    assert isinstance(queued, feed_intake.Queued)
    raw = _database_bytes(database_url)
    # A positive control: the halt's reason is kept in clear, and the scan sees it.
    assert HALT_REASON.encode() in raw
    # Only values no other test stores: the session's database file keeps freed pages.
    for value in (SECRET_ADDRESS, SECRET_POSTCODE):
        assert value.encode() not in raw, f"{value!r} is readable in the database files"
    # ... and it opens again to exactly what was sent.
    with uow_factory() as uow:
        item = uow.queue.next_waiting()
    assert item is not None
    assert item.data == body_of([record])


def test_halt_off_when_running_is_refused_and_changes_nothing(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    with pytest.raises(Conflict, match="not halted"):
        drain(uow_factory, now=FIXED_NOW)


def test_feeds_sent_while_draining_wait_behind_the_queue(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    """A feed sent while the queue is being drained is queued after it, not loaded first."""
    _halt(uow_factory)
    submit(uow_factory, body_of([make_health_record(town="First")]), now=FIXED_NOW)
    sent_during: list[object] = []

    def read_and_send(item: QueuedFeed) -> Iterator[ParsedLine]:
        if not sent_during:
            body = body_of([make_health_record(town="Third")])
            sent_during.append(submit(uow_factory, body, now=FIXED_NOW))
        yield from read_queued(item)

    submit(uow_factory, body_of([make_health_record(town="Second")]), now=FIXED_NOW)
    report = feed_intake.halt_off(
        uow_factory=uow_factory, actor="admin", reason=None, now=FIXED_NOW, read=read_and_send
    )
    [during] = sent_during
    assert isinstance(during, feed_intake.Queued)
    assert during.position == 3  # behind "Second" and "First" (being loaded, not yet done)
    assert [item.item_id for item, _ in report.loaded] == sorted(
        item.item_id for item, _ in report.loaded
    )
    assert len(report.loaded) == 3
    with uow_factory() as uow:
        [(_, _, payload)] = list(uow.records.all_current())
        assert uow.system.halt() is None
        assert uow.queue.waiting() == 0
    assert payload["town"] == "Third"


class Crash(Exception):
    """The process died here."""


class CrashingFactory:
    """Units of work as usual, until the ``at``-th: there the process "dies" (nothing after
    runs; whatever was not committed is gone, as after ``kill -9`` between transactions)."""

    def __init__(self, real: SqlUnitOfWorkFactory, at: int) -> None:
        self.real = real
        self.at = at
        self.calls = 0

    def __call__(self) -> UnitOfWork:
        self.calls += 1
        if self.calls == self.at:
            raise Crash
        return self.real()


FEEDS = [
    [
        make_health_record(record_id=f"H{n}", nhs_number=None, given_name=f"Kid{n}")
        for n in (1, 2, 3)
    ],
    [make_health_record(record_id="H2", nhs_number=None, given_name="Kid2", town="Moved")],
    [
        make_health_record(record_id="H1", nhs_number=None, given_name="Kid1", town="Back"),
        make_health_record(record_id="H4", nhs_number=None, given_name="Kid4"),
    ],
]


def _queue_all(uow_factory: SqlUnitOfWorkFactory) -> None:
    _halt(uow_factory)
    for records in FEEDS:
        submit(uow_factory, body_of(records), now=FIXED_NOW)


def _clean(uow_factory: SqlUnitOfWorkFactory, engine: Engine) -> tuple[State, int]:
    """The state after an uninterrupted drain, and how many units of work it used."""
    delete_all_rows(engine)
    _queue_all(uow_factory)
    counting = CrashingFactory(uow_factory, at=0)
    drain(counting, now=FIXED_NOW, batch_size=1)  # type: ignore[arg-type]
    state = snapshot(uow_factory, engine)
    delete_all_rows(engine)
    return state, counting.calls


def test_a_drain_that_dies_at_any_point_finishes_exactly_when_run_again(
    uow_factory: SqlUnitOfWorkFactory, engine: Engine
) -> None:
    clean, calls = _clean(uow_factory, engine)
    assert calls > 10
    # The same three feeds loaded with no halt: the drain is nothing but a delayed load.
    for records in FEEDS:
        submit(uow_factory, body_of(records), now=FIXED_NOW)
    assert snapshot(uow_factory, engine) == clean
    for at in range(1, calls + 1):
        delete_all_rows(engine)
        _queue_all(uow_factory)
        with pytest.raises(Crash):
            drain(CrashingFactory(uow_factory, at=at), now=FIXED_NOW, batch_size=1)  # type: ignore[arg-type]
        with uow_factory() as uow:
            assert uow.system.halt() is not None, (
                f"the halt lifted before the queue was done ({at})"
            )
        drain(uow_factory, now=FIXED_NOW, batch_size=1)
        assert snapshot(uow_factory, engine) == clean, f"crash at unit of work {at}"
        with engine.connect() as connection:
            statuses = connection.execute(select(FeedQueueRow.status)).scalars().all()
        assert statuses == [QUEUE_DONE] * len(FEEDS)
