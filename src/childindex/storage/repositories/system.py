"""The halt switch (``system_state``) and the feed queue it fills (``feed_queue``).

Queueing a feed and lifting the halt both run under one lock (``SqlSystemState.lock``): on
PostgreSQL a transaction-level advisory lock, on SQLite the write lock every transaction
takes when it begins (``storage.database``). So a feed is either queued before the halt is
lifted (and loaded by the drain) or sees the halt lifted and loads at once, never stranded.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, insert, select, update

from childindex.domain.halt import FeedKind, HaltState, QueuedFeed
from childindex.domain.source_record import Source
from childindex.storage.locks import hold_lock
from childindex.storage.models import QUEUE_DONE, QUEUE_WAITING, FeedQueueRow, SystemStateRow

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy.orm import Session

    from childindex.storage.cipher import FieldCipher
    from childindex.storage.clock import Clock

HALT_KEY = "halt"
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
