"""The hash-chained audit log (``audit.chain``), safe with many concurrent writers.

Each writer takes the chain lock, reads the last entry, and appends the next: on
PostgreSQL a transaction-level advisory lock, on SQLite the database write lock every
transaction takes when it begins (``storage.database``). Sequence numbers are assigned
under the lock, so they have no gaps: a gap would read as a removed entry.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC
from typing import TYPE_CHECKING

from sqlalchemy import func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from childindex.audit.chain import GENESIS, AuditEvent, ChainedEntry, link_hash
from childindex.audit.tags import AuditTag
from childindex.domain.errors import AuditFailure
from childindex.storage.models import AuditEventRow

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.orm import Session

A = AuditEventRow
# The advisory lock key that serialises appends to the chain (any constant 64-bit number).
CHAIN_LOCK_KEY = 0x63686964_61756469  # "chidaudi"
_READ_BATCH = 1000


class SqlAuditLog:
    """``AuditLog`` on the ``audit_events`` table."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._postgresql = session.get_bind().dialect.name == "postgresql"

    def record(self, event: AuditEvent) -> None:
        """Append ``event`` (its time kept in UTC); it commits or rolls back with the unit
        of work. Raise ``AuditFailure`` if it cannot be written."""
        if event.at.utcoffset() is None:
            msg = "audit times must be timezone-aware"
            raise ValueError(msg)
        # The hash covers the time as stored, so store and hash the same (UTC) value.
        event = replace(event, at=event.at.astimezone(UTC))
        try:
            if self._postgresql:
                self._session.execute(select(func.pg_advisory_xact_lock(CHAIN_LOCK_KEY)))
            last = self._session.execute(
                select(A.seq, A.hash).order_by(A.seq.desc()).limit(1)
            ).first()
            seq, previous = (last.seq + 1, last.hash) if last is not None else (1, GENESIS)
            self._session.execute(
                insert(A).values(
                    seq=seq,
                    at=event.at,
                    tag=event.tag.value,
                    actor=event.actor,
                    child_ids=list(event.child_ids),
                    fields=list(event.fields),
                    detail=dict(event.detail),
                    prev_hash=previous,
                    hash=link_hash(previous, event),
                )
            )
        except SQLAlchemyError as exc:
            msg = "the audit entry could not be written"
            raise AuditFailure(msg) from exc

    def entries(self) -> Iterator[ChainedEntry]:
        """Every entry in sequence order, read in batches (the unit of work must stay open
        while they are consumed)."""
        rows = self._session.execute(
            select(A.seq, A.at, A.tag, A.actor, A.child_ids, A.fields, A.detail, A.hash)
            .order_by(A.seq)
            .execution_options(yield_per=_READ_BATCH)
        )
        try:
            for row in rows:
                event = AuditEvent(
                    tag=AuditTag(row.tag),
                    actor=row.actor,
                    at=row.at,
                    child_ids=tuple(row.child_ids),
                    fields=tuple(row.fields),
                    detail=row.detail,
                )
                yield ChainedEntry(seq=row.seq, event=event, hash=row.hash)
        finally:
            # A reader that stops early (first_broken) must not leave a server cursor open.
            rows.close()
