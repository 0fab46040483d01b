"""Feed loads and raw records: every record is stored as received before anything else."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from sqlalchemy import Index, bindparam, func, insert, select, update

from childindex.domain.source_record import LoadCheckpoint
from childindex.storage.bulk import insert_rows
from childindex.storage.cipher import FieldCipher
from childindex.storage.models import (
    LOAD_FINISHED,
    LOAD_RUNNING,
    Base,
    BlockingKeyRow,
    ChildRow,
    FeedLoadRow,
    LinkRow,
    RawRecordRow,
    SearchKeyRow,
    ShieldIdentityRow,
    SourceRecordRow,
    VersionRow,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from sqlalchemy.orm import Session

    from childindex.domain.source_record import RecordError, Source
    from childindex.services.ports import RawLine
    from childindex.storage.clock import Clock

# Built once: store_raw runs for every line of every feed.
_START = insert(FeedLoadRow).returning(FeedLoadRow.id)
_STORE_RAW = insert(RawRecordRow).returning(RawRecordRow.id)
# Many lines go straight to the driver (``storage/bulk.py``); their ids are read back by
# the unique (load, line).
_RAW_IDS = select(RawRecordRow.line_no, RawRecordRow.id).where(
    RawRecordRow.load_id == bindparam("load"),
    RawRecordRow.line_no.in_(bindparam("lines", expanding=True)),
)
_REJECT = (
    update(RawRecordRow)
    .where(RawRecordRow.id == bindparam("raw"))
    .values(rejected=True, errors=bindparam("found"))
)
_CHECKPOINT = (
    update(FeedLoadRow)
    .where(FeedLoadRow.id == bindparam("load"))
    .values(checkpoint_line=bindparam("line"), summary=bindparam("counts"))
)
_FINISH = (
    update(FeedLoadRow)
    .where(FeedLoadRow.id == bindparam("load"))
    .values(
        status=LOAD_FINISHED,
        finished_at=bindparam("now"),
        summary=bindparam("counts"),
        checkpoint_line=select(func.coalesce(func.max(RawRecordRow.line_no), 0))
        .where(RawRecordRow.load_id == bindparam("load"))
        .scalar_subquery(),
    )
)


# What a load writes to (names from the models, never from input).
_LOADED_TABLES = tuple(
    model.__tablename__
    for model in (
        RawRecordRow,
        SourceRecordRow,
        VersionRow,
        BlockingKeyRow,
        LinkRow,
        ChildRow,
        SearchKeyRow,
        ShieldIdentityRow,
    )
)


# Indexes a first load builds after its rows (``defer_indexes``): each keyed by a digest or
# a name's sound, so rows land at random places in them, and nothing the load writes with
# reads them. Those its writes read (a child's links and identities, the unique ones) stay.
_DEFERRED: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    (BlockingKeyRow.__tablename__, ("ix_record_blocking_keys_key",)),
    (SearchKeyRow.__tablename__, None),  # all of them
    (ChildRow.__tablename__, ("ix_children_shielded_la_code",)),
)


def _deferred() -> list[Index]:
    return [
        index
        for table, names in _DEFERRED
        for index in sorted(Base.metadata.tables[table].indexes, key=lambda i: str(i.name))
        if names is None or index.name in names
    ]


class SqlFeedStore:
    """``FeedStore`` on ``feed_loads`` and ``raw_records``; one statement per call."""

    def __init__(self, session: Session, clock: Clock, cipher: FieldCipher) -> None:
        self._session = session
        self._clock = clock
        self._cipher = cipher

    def start_load(self, *, source: Source, filename: str, content_sha256: str) -> int:
        """Record the start of a load; return its id."""
        load_id: int = (
            self._session.connection()
            .execute(
                _START,
                {
                    "source": source.value,
                    "filename": filename,
                    "content_sha256": content_sha256,
                    "started_at": self._clock(),
                    "status": LOAD_RUNNING,
                    "summary": {},
                    "checkpoint_line": 0,
                },
            )
            .scalar_one()
        )
        return load_id

    def store_raw(self, *, load_id: int, line_no: int, text: str) -> int:
        """Store one record exactly as received; return its id. Storing the same line of
        the same load twice fails (unique ``(load_id, line_no)``): nothing is duplicated."""
        raw_id: int = (
            self._session.connection()
            .execute(
                _STORE_RAW,
                {
                    "load_id": load_id,
                    "line_no": line_no,
                    "text": self._cipher.seal_text(text),
                    "received_at": self._clock(),
                    "rejected": False,
                },
            )
            .scalar_one()
        )
        return raw_id

    def store_raw_many(self, *, load_id: int, lines: Sequence[RawLine]) -> list[int]:
        """Store many records exactly as received, the rejected with their errors, in one
        statement; return their ids in the order given."""
        if not lines:
            return []
        now = self._clock()
        seal = self._cipher.seal_text
        connection = self._session.connection()
        insert_rows(
            connection,
            RawRecordRow,
            ("load_id", "line_no", "text", "received_at", "rejected", "errors"),
            (
                (
                    load_id,
                    line.line_no,
                    seal(line.text),
                    now,
                    line.errors is not None,
                    None if line.errors is None else [asdict(e) for e in line.errors],
                )
                for line in lines
            ),
        )
        numbers = [line.line_no for line in lines]
        rows = connection.execute(_RAW_IDS, {"load": load_id, "lines": numbers})
        found: dict[int, int] = {line: key for line, key in rows}  # noqa: C416 - rows of two
        return [found[number] for number in numbers]

    def store_rejection(self, *, raw_id: int, errors: Sequence[RecordError]) -> None:
        """Mark the raw record rejected and keep each error (file, line, field, message)."""
        found = [asdict(error) for error in errors]
        self._session.connection().execute(_REJECT, {"raw": raw_id, "found": found})

    def checkpoint(self, *, load_id: int, line: int, summary: Mapping[str, int]) -> None:
        """Note, in the batch's own transaction, that every line up to ``line`` is done."""
        self._session.connection().execute(
            _CHECKPOINT, {"load": load_id, "line": line, "counts": dict(summary)}
        )

    def position(self, load_id: int) -> int | None:
        """The line up to which the unfinished load ``load_id`` is done; None if it has
        finished or there is no such load."""
        line: int | None = self._session.execute(
            select(FeedLoadRow.checkpoint_line).where(
                FeedLoadRow.id == load_id, FeedLoadRow.status == LOAD_RUNNING
            )
        ).scalar_one_or_none()
        return line

    def defer_indexes(self) -> None:
        """Drop the indexes a bulk write into empty tables need not keep up as it goes
        (``_DEFERRED``); ``build_indexes`` makes them again, in this same transaction."""
        connection = self._session.connection()
        for index in _deferred():
            index.drop(connection)

    def build_indexes(self) -> None:
        """Make again every index ``defer_indexes`` dropped, as the migrations made them."""
        connection = self._session.connection()
        for index in _deferred():
            index.create(connection)

    def hold_pages(self, mebibytes: int) -> None:
        """``PRAGMA cache_size`` on SQLite, for this connection; nothing on PostgreSQL."""
        connection = self._session.connection()
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(f"PRAGMA cache_size=-{int(mebibytes) * 1024}")

    def refresh_statistics(self) -> None:
        """ANALYZE the tables a load fills, so that the planner knows them. PostgreSQL
        otherwise goes on costing them as empty (a young table's statistics send it to
        sequential scans). SQLite otherwise takes an equality on any indexed column as
        selective, so it may read the shield screen's keys through the index on the
        ``shielded`` flag (every visible child) rather than the postcode's, or drive the
        identities' part from the children's side (the screen's query for a shielded
        child's visible near twins among 64,000 children: 3.9 s without statistics, 9 ms
        with them). A load calls this again as the tables grow (``services/ingest.py``):
        statistics of a batch's worth of rows led SQLite to answer a batch's 2,000
        identifiers by scanning every child."""
        connection = self._session.connection()
        for table in _LOADED_TABLES:
            connection.exec_driver_sql(f"ANALYZE {table}")

    def unfinished_load(self, *, source: Source, content_sha256: str) -> LoadCheckpoint | None:
        """The latest unfinished load of exactly this content from this source, if any."""
        row = (
            self._session.execute(
                select(FeedLoadRow.id, FeedLoadRow.checkpoint_line, FeedLoadRow.summary)
                .where(
                    FeedLoadRow.source == source.value,
                    FeedLoadRow.content_sha256 == content_sha256,
                    FeedLoadRow.status == LOAD_RUNNING,
                )
                .order_by(FeedLoadRow.id.desc())
                .limit(1)
            )
        ).first()
        if row is None:
            return None
        load_id, line, counts = row
        return LoadCheckpoint(load_id, line, {k: int(v) for k, v in (counts or {}).items()})

    def load_outcome(self, load_id: int) -> tuple[bool, dict[str, int]] | None:
        """Whether the load has finished, and its counts so far; None if there is none."""
        row = self._session.execute(
            select(FeedLoadRow.status, FeedLoadRow.summary).where(FeedLoadRow.id == load_id)
        ).first()
        if row is None:
            return None
        status, counts = row
        return status == LOAD_FINISHED, {k: int(v) for k, v in (counts or {}).items()}

    def finish_load(self, *, load_id: int, summary: Mapping[str, int]) -> None:
        """Record the load's counts, mark it finished, and checkpoint its last line."""
        self._session.connection().execute(
            _FINISH, {"load": load_id, "now": self._clock(), "counts": dict(summary)}
        )
