"""Transaction-level locks shared by the repositories that serialise writers.

On PostgreSQL a transaction-level advisory lock on a constant key, held until the unit of
work commits or rolls back. On SQLite every write transaction already holds the database
write lock from its first statement (``BEGIN IMMEDIATE``, ``storage.database``), so taking the
lock only begins the transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def hold_lock(session: Session, key: int, *, shared: bool = False) -> None:
    """Hold lock ``key`` (shared or exclusive) until ``session``'s transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        take = func.pg_advisory_xact_lock_shared if shared else func.pg_advisory_xact_lock
        session.execute(select(take(key)))
    else:
        session.execute(select(1))
