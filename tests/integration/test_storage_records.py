"""Feeds, source-record versions and links in storage (invariant 4: nothing lost)."""

from __future__ import annotations

import gc
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, insert, select
from sqlalchemy.exc import IntegrityError

from app_fixtures import TEST_CIPHER
from childindex.domain.child import Child, Sex
from childindex.domain.ids import ChildId
from childindex.domain.source_record import RecordError, Source, SourceRecord, VersionOutcome
from childindex.services.ports import RawLine
from childindex.storage.models import (
    FeedLoadRow,
    LinkRow,
    RawRecordRow,
    SourceRecordRow,
    VersionRow,
)
from childindex.storage.repositories.records import payload_hash
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def record(record_id: str = "H1", updated_at: datetime | None = T0, **payload: Any) -> SourceRecord:
    return SourceRecord(
        source=Source.HEALTH,
        record_id=record_id,
        payload={"given_name": "Amara", "family_name": "Okafor", **payload},
        updated_at=updated_at,
    )


def new_load(uow_factory: SqlUnitOfWorkFactory, lines: int) -> list[int]:
    """A load with ``lines`` raw records; their ids."""
    with uow_factory() as uow:
        load_id = uow.feeds.start_load(
            source=Source.HEALTH, filename="h.jsonl", content_sha256="0" * 64
        )
        raw_ids = [
            uow.feeds.store_raw(load_id=load_id, line_no=n, text=f"line {n}")
            for n in range(1, lines + 1)
        ]
        uow.commit()
    return raw_ids


def put(uow_factory: SqlUnitOfWorkFactory, rec: SourceRecord, raw_id: int) -> VersionOutcome:
    with uow_factory() as uow:
        outcome = uow.records.put_version(record=rec, raw_id=raw_id)
        uow.commit()
    return outcome


def versions(engine: Engine, record_id: str = "H1") -> list[tuple[int, dict[str, Any], bool]]:
    """(version_no, payload, is current) of every stored version, oldest first."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                VersionRow.version_no,
                VersionRow.payload,
                VersionRow.id == SourceRecordRow.current_version_id,
            )
            .join(SourceRecordRow, SourceRecordRow.id == VersionRow.source_record_id)
            .where(SourceRecordRow.record_id == record_id)
            .order_by(VersionRow.version_no)
        )
        return [(n, TEST_CIPHER.open_json(p), bool(current)) for n, p, current in rows]


def test_versions_are_new_then_unchanged_then_updated(uow_factory: SqlUnitOfWorkFactory) -> None:
    raw = new_load(uow_factory, 3)
    assert put(uow_factory, record(postcode="ZZ1 1AA"), raw[0]) is VersionOutcome.NEW
    assert put(
        uow_factory, record(postcode="ZZ1 1AA", updated_at=T0 + timedelta(days=1)), raw[1]
    ) is (VersionOutcome.UNCHANGED)
    assert put(
        uow_factory, record(postcode="ZZ9 9ZZ", updated_at=T0 + timedelta(days=2)), raw[2]
    ) is (VersionOutcome.UPDATED)
    stored = versions(uow_factory.engine)
    assert [(n, p["postcode"], current) for n, p, current in stored] == [
        (1, "ZZ1 1AA", False),
        (2, "ZZ9 9ZZ", True),
    ]


def test_an_older_version_is_kept_as_history_but_never_made_current(
    uow_factory: SqlUnitOfWorkFactory, engine: Engine
) -> None:
    raw = new_load(uow_factory, 4)
    put(uow_factory, record(postcode="ZZ9 9ZZ", updated_at=T0), raw[0])
    stale = record(postcode="ZZ1 1AA", updated_at=T0 - timedelta(days=30))
    assert put(uow_factory, stale, raw[1]) is VersionOutcome.STALE
    # Loading the same old record again stores nothing more.
    assert put(uow_factory, stale, raw[2]) is VersionOutcome.STALE
    assert [(n, p["postcode"], c) for n, p, c in versions(engine)] == [
        (1, "ZZ9 9ZZ", True),
        (2, "ZZ1 1AA", False),
    ]
    # A version with no source time is taken as the newest.
    assert (
        put(uow_factory, record(postcode="ZZ2 2BB", updated_at=None), raw[3])
        is VersionOutcome.UPDATED
    )
    assert versions(engine)[-1] == (3, record(postcode="ZZ2 2BB").payload, True)


def test_content_hash_is_the_canonical_json_hash_whatever_the_key_order(
    uow_factory: SqlUnitOfWorkFactory, engine: Engine
) -> None:
    assert payload_hash({"a": 1, "b": [1, "é"]}, TEST_CIPHER) == payload_hash(
        {"b": [1, "é"], "a": 1}, TEST_CIPHER
    )
    raw = new_load(uow_factory, 1)
    put(uow_factory, record(), raw[0])
    with engine.connect() as connection:
        stored = connection.scalar(select(VersionRow.content_hash))
    assert stored == payload_hash(record().payload, TEST_CIPHER)


def _child(uow_factory: SqlUnitOfWorkFactory, *, shielded: bool = False) -> ChildId:
    child = Child(
        child_id=ChildId.new(),
        given_name="Amara",
        family_name="Okafor",
        sex=Sex.FEMALE,
        birth_date=None,
        shielded=shielded,
    )
    with uow_factory() as uow:
        uow.children.save(child)
        uow.commit()
    return child.child_id


def _link(uow_factory: SqlUnitOfWorkFactory, child_id: ChildId, decided_by: str) -> None:
    with uow_factory() as uow:
        uow.records.link(
            source=Source.HEALTH,
            record_id="H1",
            child_id=child_id,
            decided_by=decided_by,
            actor="officer-1",
        )
        uow.commit()


def test_relinking_ends_the_old_link_and_keeps_it_as_history(
    uow_factory: SqlUnitOfWorkFactory, engine: Engine
) -> None:
    put(uow_factory, record(), new_load(uow_factory, 1)[0])
    first, second = _child(uow_factory), _child(uow_factory)
    _link(uow_factory, first, "new")
    _link(uow_factory, first, "new")  # the same decision again changes nothing
    _link(uow_factory, second, "officer")
    with uow_factory() as uow:
        assert uow.records.linked_child(source=Source.HEALTH, record_id="H1") == second
        assert uow.records.current_records(first) == []
        assert uow.records.current_records(second) == [record()]
    with engine.connect() as connection:
        history = connection.execute(
            select(
                LinkRow.child_id,
                LinkRow.decided_by,
                LinkRow.actor,
                LinkRow.ended_at.is_not(None),
                LinkRow.end_reason,
            ).order_by(LinkRow.id)
        ).all()
    assert [tuple(row) for row in history] == [
        (first.value, "new", "officer-1", True, "relinked"),
        (second.value, "officer", "officer-1", False, None),
    ]


@pytest.mark.parametrize("shielded", [False, True])
def test_a_held_child_is_read_with_its_shield_and_its_current_records(
    uow_factory: SqlUnitOfWorkFactory, *, shielded: bool
) -> None:
    first, later = new_load(uow_factory, 2)
    put(uow_factory, record(), first)
    newer = record(given_name="Newer", updated_at=T0 + timedelta(days=1))
    put(uow_factory, newer, later)
    child, other = _child(uow_factory, shielded=shielded), _child(uow_factory)
    _link(uow_factory, child, "new")
    with uow_factory() as uow:
        assert uow.records.held_child(child) == (shielded, [newer])
        assert uow.records.held_child(other) is None  # holds no record
        uow.children.mark_merged(child, into=other)
        assert uow.records.held_child(child) is None  # no longer an active child


def test_a_record_can_never_have_two_current_links(
    uow_factory: SqlUnitOfWorkFactory, engine: Engine
) -> None:
    put(uow_factory, record(), new_load(uow_factory, 1)[0])
    child = _child(uow_factory)
    _link(uow_factory, child, "new")
    with engine.connect() as connection:
        record_key = connection.scalar(select(SourceRecordRow.id))
        with pytest.raises(IntegrityError):
            connection.execute(
                insert(LinkRow).values(
                    source_record_id=record_key,
                    child_id=child.value,
                    decided_by="score",
                    actor="x",
                    decided_at=T0,
                )
            )


def test_linking_to_a_shielded_child_shields_the_source_record(
    uow_factory: SqlUnitOfWorkFactory, engine: Engine
) -> None:
    put(uow_factory, record(), new_load(uow_factory, 1)[0])
    _link(uow_factory, _child(uow_factory, shielded=True), "identifier")
    with engine.connect() as connection:
        assert connection.scalar(select(SourceRecordRow.shielded)) is True


def test_a_source_flag_shields_the_source_record(
    uow_factory: SqlUnitOfWorkFactory, engine: Engine
) -> None:
    put(uow_factory, record(sensitive=True), new_load(uow_factory, 1)[0])
    with engine.connect() as connection:
        assert connection.scalar(select(SourceRecordRow.shielded)) is True


def test_linking_an_unknown_record_or_with_an_unknown_decision_fails(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    child = _child(uow_factory)
    with uow_factory() as uow, pytest.raises(LookupError):
        uow.records.link(
            source=Source.HEALTH, record_id="nope", child_id=child, decided_by="new", actor="a"
        )
    with uow_factory() as uow, pytest.raises(ValueError, match="decided_by"):
        uow.records.link(
            source=Source.HEALTH, record_id="H1", child_id=child, decided_by="guess", actor="a"
        )


def test_a_load_keeps_every_raw_record_and_each_rejection_with_its_errors(
    uow_factory: SqlUnitOfWorkFactory, engine: Engine
) -> None:
    with uow_factory() as uow:
        load_id = uow.feeds.start_load(
            source=Source.SCHOOL, filename="s.csv", content_sha256="a" * 64
        )
        good = uow.feeds.store_raw(load_id=load_id, line_no=1, text='{"ok": true}')
        bad = uow.feeds.store_raw(load_id=load_id, line_no=2, text="not json")
        error = RecordError(file="s.csv", line=2, field=None, message="not valid JSON")
        uow.feeds.store_rejection(raw_id=bad, errors=[error])
        uow.feeds.finish_load(load_id=load_id, summary={"read": 2, "rejected": 1})
        uow.commit()
    with engine.connect() as connection:
        raws = connection.execute(
            select(
                RawRecordRow.id, RawRecordRow.text, RawRecordRow.rejected, RawRecordRow.errors
            ).order_by(RawRecordRow.line_no)
        ).all()
        load = connection.execute(select(FeedLoadRow)).one()
    opened = [
        (i, TEST_CIPHER.open_text(text), rejected, errors) for i, text, rejected, errors in raws
    ]
    assert all(not text.startswith(("{", "not")) for _, text, _, _ in raws), "raw is sealed"
    assert opened == [
        (good, '{"ok": true}', False, None),
        (
            bad,
            "not json",
            True,
            [{"file": "s.csv", "line": 2, "field": None, "message": "not valid JSON"}],
        ),
    ]
    assert load.source == "school"
    assert load.status == "finished"
    assert load.summary == {"read": 2, "rejected": 1}
    assert load.checkpoint_line == 2
    assert load.finished_at is not None
    assert load.finished_at.tzinfo is not None


def test_the_same_line_of_a_load_cannot_be_stored_twice(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        load_id = uow.feeds.start_load(
            source=Source.HEALTH, filename="h.jsonl", content_sha256="0" * 64
        )
        uow.feeds.store_raw(load_id=load_id, line_no=1, text="x")
        with pytest.raises(IntegrityError):
            uow.feeds.store_raw(load_id=load_id, line_no=1, text="x")


def test_many_raw_lines_go_in_at_once_with_their_ids_in_the_order_given(
    uow_factory: SqlUnitOfWorkFactory, engine: Engine
) -> None:
    """``store_raw_many`` writes through the driver (``storage/bulk.py``): the rows must read
    back as the ORM would have written them, and a line stored twice must still fail."""
    error = RecordError(file="h.jsonl", line=2, field="birth_date", message="not a date")
    with uow_factory() as uow:
        load_id = uow.feeds.start_load(
            source=Source.HEALTH, filename="h.jsonl", content_sha256="b" * 64
        )
        ids = uow.feeds.store_raw_many(
            load_id=load_id,
            lines=[
                RawLine(3, '{"three": "£3"}'),
                RawLine(1, '{"one": 1}'),
                RawLine(2, "bad", [error]),
            ],
        )
        uow.commit()
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                RawRecordRow.id,
                RawRecordRow.line_no,
                RawRecordRow.text,
                RawRecordRow.received_at,
                RawRecordRow.rejected,
                RawRecordRow.errors,
            ).where(RawRecordRow.load_id == load_id)
        ).all()
    by_line = {
        line: (key, TEST_CIPHER.open_text(text), at, rejected, errors)
        for key, line, text, at, rejected, errors in rows
    }
    assert ids == [by_line[3][0], by_line[1][0], by_line[2][0]]
    assert [by_line[n][1:2] + by_line[n][3:] for n in (1, 2, 3)] == [
        ('{"one": 1}', False, None),
        (
            "bad",
            True,
            [{"file": "h.jsonl", "line": 2, "field": "birth_date", "message": "not a date"}],
        ),
        ('{"three": "£3"}', False, None),
    ]
    received = by_line[1][2]
    assert received.tzinfo is not None
    assert abs(received - datetime.now(UTC)) < timedelta(minutes=5)
    with uow_factory() as uow, pytest.raises(IntegrityError):
        uow.feeds.store_raw_many(load_id=load_id, lines=[RawLine(4, "x"), RawLine(1, "again")])


def test_put_version_costs_a_few_statements(
    uow_factory: SqlUnitOfWorkFactory, engine: Engine
) -> None:
    """Bulk loads run put_version millions of times: one read and at most three writes."""
    raw = new_load(uow_factory, 2)
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if not statement.startswith("BEGIN"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with uow_factory() as uow:
            statements.clear()
            uow.records.put_version(record=record(), raw_id=raw[0])
            new_cost = len(statements)
            statements.clear()
            uow.records.put_version(record=record(postcode="ZZ1 1AA"), raw_id=raw[1])
            update_cost = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert new_cost == 4
    assert update_cost == 3
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(VersionRow)) == 0  # rolled back


def test_current_payloads_are_those_all_current_reads_for_the_records_asked(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    # Rescore reads payloads a batch at a time (a national index's would not fit in
    # memory): the same payloads as the whole read, only the records asked, latest versions.
    raw = new_load(uow_factory, 5)
    put(uow_factory, record("H1", family_name="Okafor"), raw[0])
    put(uow_factory, record("H2", family_name="Mensah"), raw[1])
    put(uow_factory, record("H1", T0 + timedelta(days=1), family_name="Okafor-Bell"), raw[2])
    school = SourceRecord(Source.SCHOOL, "H1", {"given_name": "Ama", "upn": "A1"}, T0)
    put(uow_factory, school, raw[3])
    with uow_factory() as uow:
        every = {(s, rid): p for s, rid, p in uow.records.all_current()}
        asked = [(Source.HEALTH, "H1"), (Source.SCHOOL, "H1"), (Source.HEALTH, "missing")]
        found = uow.records.current_payloads(asked)
    assert found == {key: every[key] for key in asked if key in every}
    assert set(found) == {(Source.HEALTH, "H1"), (Source.SCHOOL, "H1")}
    assert found[(Source.HEALTH, "H1")]["family_name"] == "Okafor-Bell"


def test_a_read_of_every_record_that_stops_early_closes_its_cursor(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    # The whole-store reads stream through a server-side cursor on PostgreSQL; a reader
    # that stops at the first row it wants (a test helper did) left it open, and psycopg
    # warned when it was collected after the transaction (the suite fails on that).
    raw = new_load(uow_factory, 3)
    for n, record_id in enumerate(("H1", "H2", "H3")):
        put(uow_factory, record(record_id), raw[n])
    _link(uow_factory, _child(uow_factory), "new")
    with uow_factory() as uow:
        for read in (uow.records.all_current, uow.records.arrival_order, uow.records.current_links):
            rows = read()
            assert next(rows)[:2] == (Source.HEALTH, "H1")
            rows.close()  # what a ``for`` loop left by ``return`` does
            del rows
        gc.collect()
