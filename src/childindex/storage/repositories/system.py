"""The halt switch (``system_state``) and the feed queue it fills (``feed_queue``); the
version of the stored blocking keys (``system_state``, ``services/key_rules.py``).

Queueing a feed and lifting the halt both run under one lock (``SqlSystemState.lock``): on
PostgreSQL a transaction-level advisory lock, on SQLite the write lock every transaction
takes when it begins (``storage.database``). So a feed is either queued before the halt is
lifted (and loaded by the drain) or sees the halt lifted and loads at once, never stranded.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, exists, func, insert, select, update

from childindex.domain.halt import FeedKind, HaltState, QueuedFeed
from childindex.domain.source_record import Source
from childindex.storage.locks import hold_lock
from childindex.storage.models import (
    QUEUE_DONE,
    QUEUE_WAITING,
    BlockingKeyRow,
    FeedQueueRow,
    SystemStateRow,
)
from childindex.storage.upsert import upsert_statement

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    from childindex.storage.cipher import FieldCipher
    from childindex.storage.clock import Clock

HALT_KEY = "halt"
KEYS_KEY = "blocking_keys"
# The advisory lock key that serialises the halt switch with the queue (any 64-bit number).
HALT_LOCK_KEY = 0x63686964_68616C74  # "chidhalt"
Q = FeedQueueRow


class SqlSystemState:
    """``SystemStateStore`` on the ``system_state`` table."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def lock(self, *, shared: bool = False) -> None:
        """Hold the halt lock until the unit of work ends (see the module docstring)."""
        hold_lock(self._session, HALT_LOCK_KEY, shared=shared)

    def halt(self) -> HaltState | None:
        """The halt in force, or None."""
        value = self._session.execute(
            select(SystemStateRow.value).where(SystemStateRow.key == HALT_KEY)
        ).scalar_one_or_none()
        if value is None:
            return None
        return HaltState(
            reason=str(value["reason"]),
            set_by=str(value["set_by"]),
            since=datetime.fromisoformat(str(value["since"])),
        )

    def set_halt(self, state: HaltState) -> None:
        """Halt updates (replacing any halt recorded)."""
        self.clear_halt()
        value = {"reason": state.reason, "set_by": state.set_by, "since": state.since.isoformat()}
        self._session.execute(
            insert(SystemStateRow).values(key=HALT_KEY, value=value, updated_at=self._clock())
        )

    def clear_halt(self) -> None:
        """Let updates run again."""
        self._session.execute(delete(SystemStateRow).where(SystemStateRow.key == HALT_KEY))

    def keys_version(self) -> str | None:
        """The version of the rules the stored blocking keys were made by, or None."""
        value = self._session.execute(
            select(SystemStateRow.value).where(SystemStateRow.key == KEYS_KEY)
        ).scalar_one_or_none()
        return None if value is None else str(value["version"])

    def set_keys_version(self, version: str) -> None:
        """Record that the stored blocking keys are of ``version``."""
        record_keys_version(self._session.connection(), version, at=self._clock())

    def any_keyed(self) -> bool:
        """Whether any record has blocking keys stored."""
        return bool(self._session.execute(select(exists().select_from(BlockingKeyRow))).scalar())


def record_keys_version(connection: Connection, version: str, *, at: datetime) -> None:
    """Record (in ``connection``'s transaction) that the stored blocking keys are of
    ``version``: a session's connection, or the one ``storage/rekey.py`` recomputes them on."""
    statement = upsert_statement(
        SystemStateRow, connection.dialect.name, key=("key",), update=("value", "updated_at")
    )
    connection.execute(
        statement, {"key": KEYS_KEY, "value": {"version": version}, "updated_at": at}
    )


class SqlFeedQueue:
    """``FeedQueue`` on the ``feed_queue`` table; the content is sealed at rest."""

    def __init__(self, session: Session, cipher: FieldCipher) -> None:
        self._session = session
        self._cipher = cipher

    def enqueue(
        self,
        *,
        source: Source,
        kind: FeedKind,
        filename: str,
        data: bytes,
        submitted_by: str,
        at: datetime,
    ) -> int:
        """Keep the content, sealed; return its arrival sequence number."""
        item_id: int = self._session.execute(
            insert(Q)
            .values(
                source=source.value,
                kind=kind.value,
                filename=filename,
                content=self._cipher.seal(data),
                submitted_by=submitted_by,
                submitted_at=at,
                status=QUEUE_WAITING,
            )
            .returning(Q.id)
        ).scalar_one()
        return item_id

    def position(self, item_id: int) -> int:
        """How many waiting items arrived up to and including ``item_id``."""
        count: int = self._session.execute(
            select(func.count()).where(Q.status == QUEUE_WAITING, Q.id <= item_id)
        ).scalar_one()
        return count

    def waiting(self) -> int:
        """How many items wait to be loaded."""
        count: int = self._session.execute(
            select(func.count()).where(Q.status == QUEUE_WAITING)
        ).scalar_one()
        return count

    def next_waiting(self) -> QueuedFeed | None:
        """The earliest-arrived waiting item, or None."""
        row = self._session.execute(
            select(Q).where(Q.status == QUEUE_WAITING).order_by(Q.id).limit(1)
        ).scalar_one_or_none()
        if row is None:
            return None
        return QueuedFeed(
            item_id=row.id,
            source=Source(row.source),
            kind=FeedKind(row.kind),
            filename=row.filename,
            data=self._cipher.open(row.content),
            submitted_by=row.submitted_by,
            submitted_at=row.submitted_at,
            load_id=row.load_id,
        )

    def claim(self, *, item_id: int, load_id: int) -> None:
        """Note the load that is loading the item."""
        self._session.execute(update(Q).where(Q.id == item_id).values(load_id=load_id))

    def mark_done(self, *, item_id: int, report: Mapping[str, int], at: datetime) -> None:
        """Mark the item loaded, keeping the load's report."""
        self._session.execute(
            update(Q)
            .where(Q.id == item_id)
            .values(status=QUEUE_DONE, report=dict(report), done_at=at)
        )
