"""Server-side page sessions: an opaque random id in the cookie, everything else stored.

The cookie holds 256 random bits; the store keeps only their SHA-256, so a copy of the
table cannot be replayed as cookies. A session ends when it has been idle too long, when
it is too old (counted from when it was created; sign-in always creates a new one), at
sign-out, or when its user signs out everywhere or is suspended or removed.

Example::

    record = web_sessions.load(uow=uow_factory(), session_id=cookie, now=now, limits=limits)
    if record is None: ...  # unknown or timed out: start afresh
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.services.ports import StoredSession, UnitOfWork

_ID_BYTES = 32


@dataclass(frozen=True, slots=True)
class SessionLimits:
    """How long a session may sit idle, and how long it may last at all."""

    idle: timedelta
    absolute: timedelta


def new_session_id() -> str:
    """A fresh, unguessable session id for the cookie."""
    return secrets.token_urlsafe(_ID_BYTES)


def id_hash(session_id: str) -> str:
    """What the store keeps of a session id (and what ``keep=`` arguments take)."""
    return hashlib.sha256(session_id.encode()).hexdigest()


_hash = id_hash


def expired(record: StoredSession, *, now: datetime, limits: SessionLimits) -> bool:
    """True if ``record`` has been idle too long or has lasted too long."""
    return now - record.last_seen_at > limits.idle or now - record.created_at > limits.absolute


def load(
    *, uow: UnitOfWork, session_id: str, now: datetime, limits: SessionLimits
) -> StoredSession | None:
    """The live session behind ``session_id``; None (and forgotten) if it has expired."""
    with uow:
        record = uow.security.session_get(_hash(session_id))
        if record is None:
            return None
        if expired(record, now=now, limits=limits):
            uow.security.session_delete(_hash(session_id))
            uow.commit()
            return None
    return record


def save(
    *,
    uow: UnitOfWork,
    session_id: str,
    username: str | None,
    data: Mapping[str, object],
    created_at: datetime,
    now: datetime,
    new: bool = True,
) -> bool:
    """Store the session and mark it seen at ``now``: create it if ``new``, else update it
    only if it still exists. False if it had ended meanwhile (another worker ended it while
    this request ran): an ended session is never brought back."""
    record = StoredSession(username=username, data=data, created_at=created_at, last_seen_at=now)
    with uow:
        if new:
            uow.security.session_put(_hash(session_id), record)
            alive = True
        else:
            alive = uow.security.session_update(_hash(session_id), record)
        uow.commit()
    return alive


def end(*, uow: UnitOfWork, session_id: str) -> None:
    """Forget one session."""
    with uow:
        uow.security.session_delete(_hash(session_id))
        uow.commit()


def end_all_for(*, uow: UnitOfWork, username: str) -> int:
    """Forget every session of ``username`` (sign out everywhere); how many there were."""
    with uow:
        count = uow.security.sessions_delete_for(username)
        uow.commit()
    return count


def purge(*, uow: UnitOfWork, now: datetime, limits: SessionLimits, actor: str) -> int:
    """Delete every session past its idle or absolute timeout; how many there were.

    Expired sessions are already refused when they come back (``load``); this clears out the
    ones that never come back. Run by ``childindex admin sessions purge`` and at every
    sign-in, so nothing needs a scheduler. Audited when it deleted anything.
    """
    with uow:
        count = uow.security.sessions_purge(
            idle_before=now - limits.idle, created_before=now - limits.absolute
        )
        if count:
            uow.audit.record(
                AuditEvent(
                    tag=AuditTag.SESSIONS_PURGED, actor=actor, at=now, detail={"purged": count}
                )
            )
        uow.commit()
    return count
