"""Source records, every version of each, and their links to children with history.

The statements run for every record of a bulk load are built once, at import.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    CursorResult,
    Select,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import aliased

from childindex.domain.ids import ChildId
from childindex.domain.source_record import Source, SourceRecord, VersionOutcome
from childindex.domain.survivorship import asks_for_shield
from childindex.storage.bulk import expect as _expect
from childindex.storage.bulk import insert_rows
from childindex.storage.cipher import FieldCipher
from childindex.storage.models import (
    CHILD_ACTIVE,
    LINK_DECISIONS,
    BlockingKeyRow,
    ChildRow,
    LinkRow,
    SourceRecordRow,
    VersionRow,
)

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    from childindex.services.ports import NewLinkedRecord, Prepared
    from childindex.storage.clock import Clock

SR = SourceRecordRow
_CURRENT = aliased(VersionRow)
_THIS_RECORD = and_(SR.source == bindparam("source"), SR.record_id == bindparam("record_id"))
# Records of one source among many ids.
_THESE_RECORDS = and_(
    SR.source == bindparam("source"), SR.record_id.in_(bindparam("record_ids", expanding=True))
)
_LIVE_LINK = and_(LinkRow.source_record_id == SR.id, LinkRow.ended_at.is_(None))

_FIND_RECORD = (
    select(
        SR.id,
        _CURRENT.content_hash,
        _CURRENT.source_updated_at,
        select(func.max(VersionRow.version_no))
        .where(VersionRow.source_record_id == SR.id)
        .scalar_subquery(),
    )
    .outerjoin(_CURRENT, _CURRENT.id == SR.current_version_id)
    .where(_THIS_RECORD)
)
_INSERT_RECORD = insert(SR).returning(SR.id)
_INSERT_VERSION = insert(VersionRow).returning(VersionRow.id)
# A batch of records never held before is inserted by ``storage/bulk.py``; their keys back:
_KEYS_OF = select(SR.record_id, SR.id).where(
    SR.source == bindparam("source"), SR.record_id.in_(bindparam("record_ids", expanding=True))
)
_IN_KEYS = SR.id.in_(bindparam("keys", expanding=True))
_MAKE_FIRST_CURRENT = (
    update(SR)
    .where(_IN_KEYS)
    .values(
        current_version_id=select(VersionRow.id)
        .where(VersionRow.source_record_id == SR.id, VersionRow.version_no == 1)
        .scalar_subquery()
    )
)
_SHIELD_IF_LINKED_SHIELDED = (
    update(SR)
    .where(
        _IN_KEYS,
        SR.shielded.is_(False),
        exists().where(
            LinkRow.source_record_id == SR.id,
            LinkRow.ended_at.is_(None),
            ChildRow.child_id == LinkRow.child_id,
            ChildRow.shielded.is_(True),
        ),
    )
    .values(shielded=True)
)
_HELD = (
    select(SR.record_id, _CURRENT.content_hash)
    .outerjoin(_CURRENT, _CURRENT.id == SR.current_version_id)
    .where(_THESE_RECORDS)
)
# A source's flag shields; nothing here ever unshields.
_MAKE_CURRENT = (
    update(SR)
    .where(SR.id == bindparam("key"))
    .values(
        current_version_id=bindparam("version"),
        shielded=or_(SR.shielded, bindparam("shield", type_=Boolean())),
    )
)
_HAS_VERSION = select(
    exists().where(
        VersionRow.source_record_id == bindparam("key"),
        VersionRow.content_hash == bindparam("digest"),
        VersionRow.source_updated_at == bindparam("updated_at"),
    )
)
# Key first, then the live link by the partial unique index: a join here lets PostgreSQL
# pick a scan of every link while the tables are young and their statistics empty.
_LINKED_CHILD = select(LinkRow.child_id).where(
    LinkRow.source_record_id == select(SR.id).where(_THIS_RECORD).scalar_subquery(),
    LinkRow.ended_at.is_(None),
)
_FIND_LINK = (
    select(SR.id, LinkRow.id, LinkRow.child_id, LinkRow.decided_by)
    .outerjoin(LinkRow, _LIVE_LINK)
    .where(_THIS_RECORD)
)
_END_LINK = (
    update(LinkRow)
    .where(LinkRow.id == bindparam("link"))
    .values(ended_at=bindparam("ended"), end_reason=bindparam("reason"))
)
_INSERT_LINK = insert(LinkRow)
_SHIELD_IF_CHILD_SHIELDED = (
    update(SR)
    .where(
        SR.id == bindparam("key"),
        SR.shielded.is_(False),
        exists().where(ChildRow.child_id == bindparam("child"), ChildRow.shielded.is_(True)),
    )
    .values(shielded=True)
)
_CURRENT_RECORDS = (
    select(SR.source, SR.record_id, VersionRow.payload, VersionRow.source_updated_at)
    .join(LinkRow, _LIVE_LINK)
    .join(VersionRow, VersionRow.id == SR.current_version_id)
    .where(LinkRow.child_id == bindparam("child"))
    .order_by(SR.source, SR.record_id)
)

# The same, with whether the (active) child is shielded: what a bulk load's link needs.
_HELD_CHILD = (
    _CURRENT_RECORDS.add_columns(ChildRow.shielded)
    .join(ChildRow, ChildRow.child_id == LinkRow.child_id)
    .where(ChildRow.status == CHILD_ACTIVE)
)

_CURRENT_LINKS = (
    select(SR.source, SR.record_id, LinkRow.child_id, LinkRow.decided_by)
    .join(LinkRow, _LIVE_LINK)
    .order_by(SR.source, SR.record_id)
)
_PLACED_BY_OFFICER = select(LinkRow.id).where(
    LinkRow.child_id == bindparam("child"),
    LinkRow.ended_at.is_(None),
    LinkRow.decided_by == "officer",
)
_ARRIVAL = select(SR.source, SR.record_id).order_by(SR.id)
_ALL_CURRENT = (
    select(SR.source, SR.record_id, VersionRow.payload)
    .join(VersionRow, VersionRow.id == SR.current_version_id)
    .order_by(SR.source, SR.record_id)
)

# Every record on an active child, with that child and whether it is shielded, in the order
# the records arrived: what a bulk load clusters its records around.
_ALL_HELD = (
    select(
        SR.source,
        SR.record_id,
        VersionRow.payload,
        VersionRow.source_updated_at,
        LinkRow.child_id,
        ChildRow.shielded,
    )
    .join(LinkRow, _LIVE_LINK)
    .join(VersionRow, VersionRow.id == SR.current_version_id)
    .join(ChildRow, ChildRow.child_id == LinkRow.child_id)
    .where(ChildRow.status == CHILD_ACTIVE)
    .order_by(SR.id)
)

_PAYLOADS_OF = (
    select(SR.record_id, VersionRow.payload)
    .join(VersionRow, VersionRow.id == SR.current_version_id)
    .where(_THESE_RECORDS)
)


def blocking_digests(keys: Collection[str], cipher: FieldCipher) -> set[str]:
    """Blocking keys as stored: keyed digests, since they carry postcodes and names."""
    return {cipher.digest(key, purpose="blocking") for key in keys}


def _canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def payload_hash(payload: dict[str, Any], cipher: FieldCipher) -> str:
    """Keyed digest of the canonical JSON of ``payload`` (sorted keys, no spaces, ASCII):
    equal payloads compare equal, but the digest cannot be checked against guesses."""
    return cipher.digest(_canonical(payload), purpose="payload")


def _older(candidate: datetime | None, current: datetime | None) -> bool:
    return candidate is not None and current is not None and candidate < current


@dataclass(frozen=True, slots=True)
class _NewLinkedRows:
    """``prepare_new_linked``'s rows: per record, (source, record id, shielded); (raw id,
    sealed payload, content hash, updated at) of its first version; (digest, the record's
    place in ``records``) of every blocking key of them all, in digest order; and (child,
    decided by, score) of its link.

    The keys go in in digest order: each insert then lands beside the one before in the
    index on ``key``, which an insert in record order reaches at random (15-20% slower on
    a 1,000,000-child index; BENCHMARKS.md)."""

    records: list[tuple[str, str, bool]]
    versions: list[tuple[int, str, str, datetime | None]]
    keys: list[tuple[str, int]]
    links: list[tuple[str, str, float | None]]
    actor: str
    now: datetime


class SqlSourceRecordRepository:
    """``SourceRecordRepository`` on ``source_records``, its versions and ``links``."""

    def __init__(self, session: Session, clock: Clock, cipher: FieldCipher) -> None:
        self._session = session
        self._clock = clock
        self._cipher = cipher

    def put_version(self, *, record: SourceRecord, raw_id: int) -> VersionOutcome:
        """Store ``record`` as a version of (source, record_id): one read, then at most
        three writes. A stale version already kept is not kept twice (re-loads change
        nothing)."""
        connection = self._session.connection()
        digest = payload_hash(record.payload, self._cipher)
        shield = asks_for_shield(record)
        this = {"source": record.source.value, "record_id": record.record_id}
        found = connection.execute(_FIND_RECORD, this).first()
        if found is None:
            key = connection.execute(
                _INSERT_RECORD, {**this, "shielded": shield, "created_at": self._clock()}
            ).scalar_one()
            version = self._add(
                connection, key, version_no=1, record=record, raw_id=raw_id, digest=digest
            )
            connection.execute(_MAKE_CURRENT, {"key": key, "version": version, "shield": shield})
            return VersionOutcome.NEW
        key, current_hash, current_updated, latest = found
        if current_hash == digest:
            return VersionOutcome.UNCHANGED
        if _older(record.updated_at, current_updated):
            kept = connection.scalar(
                _HAS_VERSION, {"key": key, "digest": digest, "updated_at": record.updated_at}
            )
            if not kept:
                self._add(
                    connection,
                    key,
                    version_no=(latest or 0) + 1,
                    record=record,
                    raw_id=raw_id,
                    digest=digest,
                )
            return VersionOutcome.STALE
        version = self._add(
            connection,
            key,
            version_no=(latest or 0) + 1,
            record=record,
            raw_id=raw_id,
            digest=digest,
        )
        connection.execute(_MAKE_CURRENT, {"key": key, "version": version, "shield": shield})
        return VersionOutcome.UPDATED

    def _add(
        self,
        connection: Connection,
        key: int,
        *,
        version_no: int,
        record: SourceRecord,
        raw_id: int,
        digest: str,
    ) -> int:
        version: int = connection.execute(
            _INSERT_VERSION,
            {
                "source_record_id": key,
                "version_no": version_no,
                "raw_id": raw_id,
                "payload": self._cipher.seal_json(record.payload),
                "content_hash": digest,
                "source_updated_at": record.updated_at,
                "stored_at": self._clock(),
            },
        ).scalar_one()
        return version

    def linked_child(self, *, source: Source, record_id: str) -> ChildId | None:
        """The child this record is currently linked to, if any."""
        value = self._session.connection().scalar(
            _LINKED_CHILD, {"source": source.value, "record_id": record_id}
        )
        return ChildId(value) if value is not None else None

    def held(self, *, source: Source, records: Sequence[SourceRecord]) -> dict[str, bool]:
        """For each record id of ``records`` already held: whether its current version has
        exactly the content of the first of ``records`` with that id (one query)."""
        if not records:
            return {}
        rows = self._session.connection().execute(
            _HELD, {"source": source.value, "record_ids": sorted({r.record_id for r in records})}
        )
        found: dict[str, str | None] = {row[0]: row[1] for row in rows}
        digest = self._cipher.digest
        held: dict[str, bool] = {}
        for record in records:  # the first of each id: what the database holds before it
            if record.record_id in found and record.record_id not in held:
                current = found[record.record_id]
                held[record.record_id] = current is not None and current == digest(
                    _canonical(record.payload), purpose="payload"
                )
        return held

    def add_new_linked(self, *, items: Sequence[NewLinkedRecord], actor: str) -> None:
        """Store records never held before with their first version, blocking keys and a
        link to their (already saved) child: seven statements for the whole batch,
        the inserts straight to the driver (``storage/bulk.py``). Ends in the state
        ``put_version`` then ``link_record`` leave for each."""
        self.write_new_linked(self.prepare_new_linked(items=items, actor=actor))

    def prepare_new_linked(self, *, items: Sequence[NewLinkedRecord], actor: str) -> Prepared:
        """What :meth:`add_new_linked` writes for ``items``, worked out without the
        database: each record's row, its first version's (sealed), its blocking keys'
        digests and its link's."""
        now = self._clock()
        cipher = self._cipher
        return _NewLinkedRows(
            records=[
                (item.record.source.value, item.record.record_id, asks_for_shield(item.record))
                for item in items
            ],
            versions=[
                (
                    item.raw_id,
                    cipher.seal_json(item.record.payload),
                    payload_hash(item.record.payload, cipher),
                    item.record.updated_at,
                )
                for item in items
            ],
            keys=sorted(
                (digest, place)
                for place, item in enumerate(items)
                for digest in blocking_digests(item.index_keys, cipher)
            ),
            links=[(item.child_id.value, item.decided_by, item.score) for item in items],
            actor=actor,
            now=now,
        )

    def write_new_linked(self, prepared: Prepared) -> None:
        """Write what :meth:`prepare_new_linked` worked out (see :meth:`add_new_linked`)."""
        rows = _expect(prepared, _NewLinkedRows)
        if not rows.records:
            return
        connection = self._session.connection()
        now = rows.now
        insert_rows(
            connection,
            SR,
            ("source", "record_id", "shielded", "created_at"),
            ((*record, now) for record in rows.records),
        )
        keys = self._keys_of(
            connection, [(source, record_id) for source, record_id, _ in rows.records]
        )
        insert_rows(
            connection,
            VersionRow,
            (
                "source_record_id",
                "version_no",
                "raw_id",
                "payload",
                "content_hash",
                "source_updated_at",
                "stored_at",
            ),
            (
                (key, 1, raw_id, payload, digest, updated_at, now)
                for key, (raw_id, payload, digest, updated_at) in zip(
                    keys, rows.versions, strict=True
                )
            ),
        )
        connection.execute(_MAKE_FIRST_CURRENT, {"keys": keys})
        insert_rows(
            connection,
            BlockingKeyRow,
            ("source_record_id", "key"),
            ((keys[place], digest) for digest, place in rows.keys),
        )
        insert_rows(
            connection,
            LinkRow,
            ("source_record_id", "child_id", "decided_by", "actor", "score", "decided_at"),
            (
                (key, child_id, decided_by, rows.actor, score, now)
                for key, (child_id, decided_by, score) in zip(keys, rows.links, strict=True)
            ),
        )
        # A record linked to a shielded child is shielded (as ``link`` does).
        connection.execute(_SHIELD_IF_LINKED_SHIELDED, {"keys": keys})

    @staticmethod
    def _keys_of(connection: Connection, records: Sequence[tuple[str, str]]) -> list[int]:
        """The keys of the just-inserted ``records`` (source, record id), in their order
        (one query per source; each (source, record id) is unique)."""
        wanted: dict[str, list[str]] = {}
        for source, record_id in records:
            wanted.setdefault(source, []).append(record_id)
        found: dict[tuple[str, str], int] = {}
        for source, record_ids in wanted.items():
            rows = connection.execute(_KEYS_OF, {"source": source, "record_ids": record_ids})
            for record_id, key in rows:
                found[(source, record_id)] = key
        return [found[record] for record in records]

    def link(
        self,
        *,
        source: Source,
        record_id: str,
        child_id: ChildId,
        decided_by: str,
        actor: str,
        score: float | None = None,
    ) -> None:
        """Link the record to ``child_id``, ending any current link (kept as history).
        The same decision again changes nothing; linking to a shielded child shields the
        record."""
        if decided_by not in LINK_DECISIONS:
            msg = f"decided_by must be one of {', '.join(LINK_DECISIONS)}, not {decided_by!r}"
            raise ValueError(msg)
        connection = self._session.connection()
        found = connection.execute(
            _FIND_LINK, {"source": source.value, "record_id": record_id}
        ).first()
        if found is None:
            msg = f"no source record {source.value}/{record_id}: store a version before linking"
            raise LookupError(msg)
        key, link, linked_to, how = found
        now = self._clock()
        if link is not None:
            if linked_to == child_id.value and how == decided_by:
                return
            reason = "redecided" if linked_to == child_id.value else "relinked"
            connection.execute(_END_LINK, {"link": link, "ended": now, "reason": reason})
        connection.execute(
            _INSERT_LINK,
            {
                "source_record_id": key,
                "child_id": child_id.value,
                "decided_by": decided_by,
                "actor": actor,
                "score": score,
                "decided_at": now,
            },
        )
        connection.execute(_SHIELD_IF_CHILD_SHIELDED, {"key": key, "child": child_id.value})

    def current_records(self, child_id: ChildId) -> list[SourceRecord]:
        """The current version of every source record linked to ``child_id`` (one query)."""
        rows = self._session.connection().execute(_CURRENT_RECORDS, {"child": child_id.value})
        return [self._current(*row) for row in rows]

    def _current(
        self, source: str, record_id: str, sealed: str, at: datetime | None
    ) -> SourceRecord:
        """A ``_CURRENT_RECORDS`` row as the record it holds."""
        return SourceRecord(Source(source), record_id, self._cipher.open_json(sealed), at)

    def held_child(self, child_id: ChildId) -> tuple[bool, list[SourceRecord]] | None:
        """Whether the active child ``child_id`` is shielded, and ``current_records`` of it,
        in one query without opening the child's details; None if no active child holds a
        record."""
        rows = self._session.connection().execute(_HELD_CHILD, {"child": child_id.value}).all()
        if not rows:
            return None
        return bool(rows[0][4]), [self._current(*row[:4]) for row in rows]

    def all_current(self) -> Iterator[tuple[Source, str, dict[str, Any]]]:
        """``(source, record_id, payload)`` of the current version of every held record."""
        with self._streamed(_ALL_CURRENT) as rows:
            for source, record_id, payload in rows:
                yield Source(source), record_id, self._cipher.open_json(payload)

    def all_held(self) -> Iterator[tuple[ChildId, bool, SourceRecord]]:
        """Every record on an active child (its current version), with the child and whether
        it is shielded, in the order the records arrived; streamed."""
        with self._streamed(_ALL_HELD) as rows:
            for source, record_id, sealed, at, child_id, shielded in rows:
                yield (
                    ChildId.stored(child_id),
                    bool(shielded),
                    self._current(source, record_id, sealed, at),
                )

    def _streamed(self, statement: Select[*tuple[Any, ...]]) -> CursorResult[*tuple[Any, ...]]:
        """``statement``'s rows 5,000 at a time (a server-side cursor on PostgreSQL), as a
        result to read in ``with``: the cursor is closed however the reader stops, one
        that stops early included (PostgreSQL would otherwise keep it open)."""
        return self._session.connection().execute(statement.execution_options(yield_per=5000))

    def current_payloads(
        self, records: Collection[tuple[Source, str]]
    ) -> dict[tuple[Source, str], dict[str, Any]]:
        """The current payload of each of ``records`` held (one query per source)."""
        ids: dict[Source, set[str]] = {}
        for source, record_id in records:
            ids.setdefault(source, set()).add(record_id)
        found: dict[tuple[Source, str], dict[str, Any]] = {}
        connection = self._session.connection()
        for source, wanted in ids.items():
            rows = connection.execute(
                _PAYLOADS_OF, {"source": source.value, "record_ids": sorted(wanted)}
            )
            for record_id, payload in rows:
                found[(source, record_id)] = self._cipher.open_json(payload)
        return found

    def set_blocking_keys(self, *, source: Source, record_id: str, keys: Collection[str]) -> None:
        """Replace the record's blocking keys with ``keys``."""
        connection = self._session.connection()
        key = connection.scalar(
            select(SR.id).where(_THIS_RECORD), {"source": source.value, "record_id": record_id}
        )
        if key is None:
            msg = f"no source record {source.value}/{record_id}"
            raise LookupError(msg)
        connection.execute(delete(BlockingKeyRow).where(BlockingKeyRow.source_record_id == key))
        if keys:
            connection.execute(
                insert(BlockingKeyRow),
                [
                    {"source_record_id": key, "key": k}
                    for k in sorted(blocking_digests(keys, self._cipher))
                ],
            )

    def current_links(self) -> Iterator[tuple[Source, str, ChildId, str]]:
        """``(source, record_id, child_id, decided_by)`` of every current link."""
        with self._streamed(_CURRENT_LINKS) as rows:
            for source, record_id, child_id, decided_by in rows:
                yield Source(source), record_id, ChildId.stored(child_id), decided_by

    def placed_by_officer(self, child_id: ChildId) -> bool:
        """Whether an officer placed any record the child now holds."""
        found = self._session.connection().scalar(
            _PLACED_BY_OFFICER.limit(1), {"child": child_id.value}
        )
        return found is not None

    def holds_any(self) -> bool:
        """Whether any source record is held."""
        return self._session.execute(select(SR.id).limit(1)).first() is not None

    def arrival_order(self) -> Iterator[tuple[Source, str]]:
        """``(source, record_id)`` of every held record, in the order they first arrived
        (source records are numbered as they are first stored)."""
        with self._streamed(_ARRIVAL) as rows:
            for source, record_id in rows:
                yield Source(source), record_id

    def moved_by_merge(self, *, merged: ChildId, into: ChildId) -> list[tuple[Source, str]]:
        """Records now on ``into`` whose previous link, ended by the same move, was to
        ``merged``: what a merge of ``merged`` into ``into`` moved."""
        live, old = aliased(LinkRow), aliased(LinkRow)
        statement = (
            select(SR.source, SR.record_id)
            .join(live, and_(live.source_record_id == SR.id, live.ended_at.is_(None)))
            .join(old, old.source_record_id == SR.id)
            .where(
                live.child_id == into.value,
                old.child_id == merged.value,
                old.ended_at == live.decided_at,
            )
            .order_by(SR.source, SR.record_id)
        )
        return [(Source(s), rid) for s, rid in self._session.connection().execute(statement)]
