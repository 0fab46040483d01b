"""Server-side sessions, failed sign-ins, recovery codes and break-glass alerts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, func, insert, or_, select, update

from childindex.domain.ids import ChildId
from childindex.services.ports import BreakGlassAlert, StoredSession
from childindex.storage.models import (
    BreakGlassAlertRow,
    RecoveryCodeRow,
    SignInFailureRow,
    WebSessionRow,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from sqlalchemy.orm import Session


class SqlSecurityStore:
    """``SecurityStore`` on ``web_sessions``, ``sign_in_failures``, ``recovery_codes`` and
    ``break_glass_alerts``."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def session_get(self, id_hash: str) -> StoredSession | None:
        """The session with this id hash, or None."""
        row = self._session.get(WebSessionRow, id_hash)
        if row is None:
            return None
        return StoredSession(
            username=row.username,
            data=dict(row.data),
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
        )

    def session_put(self, id_hash: str, session: StoredSession) -> None:
        """Create or replace the session."""
        row = self._session.get(WebSessionRow, id_hash)
        if row is None:
            row = WebSessionRow(id_hash=id_hash, created_at=session.created_at)
            self._session.add(row)
        row.username = session.username
        row.data = dict(session.data)
        row.last_seen_at = session.last_seen_at
        self._session.flush()

    def session_delete(self, id_hash: str) -> None:
        """Forget the session."""
        self._session.execute(delete(WebSessionRow).where(WebSessionRow.id_hash == id_hash))

    def session_update(self, id_hash: str, session: StoredSession) -> bool:
        """Replace a stored session's data and times; False (nothing written) if it is gone.

        One conditional UPDATE: a session ended by another worker (sign-out everywhere,
        suspension, a password change) while this request ran is not brought back."""
        result = self._session.execute(
            update(WebSessionRow)
            .where(WebSessionRow.id_hash == id_hash)
            .values(
                username=session.username,
                data=dict(session.data),
                last_seen_at=session.last_seen_at,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def sessions_delete_for(self, username: str, *, keep: str | None = None) -> int:
        """Forget every session of ``username`` but the one hashed ``keep``."""
        query = delete(WebSessionRow).where(WebSessionRow.username == username)
        if keep is not None:
            query = query.where(WebSessionRow.id_hash != keep)
        result = self._session.execute(query)
        return int(result.rowcount)  # type: ignore[attr-defined]

    def sessions_purge(self, *, idle_before: datetime, created_before: datetime) -> int:
        """Forget sessions idle since before ``idle_before`` or created before
        ``created_before``."""
        result = self._session.execute(
            delete(WebSessionRow).where(
                or_(
                    WebSessionRow.last_seen_at < idle_before,
                    WebSessionRow.created_at < created_before,
                )
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def failure_add(self, key: str, at: datetime) -> None:
        """Count one failed sign-in under ``key``."""
        self._session.execute(insert(SignInFailureRow).values(key=key, at=at))

    def failures_since(self, key: str, since: datetime) -> int:
        """Failed sign-ins under ``key`` at or after ``since``."""
        count = self._session.scalar(
            select(func.count())
            .select_from(SignInFailureRow)
            .where(SignInFailureRow.key == key, SignInFailureRow.at >= since)
        )
        return int(count or 0)

    def failures_clear(self, key: str) -> None:
        """Forget the failed sign-ins under ``key``."""
        self._session.execute(delete(SignInFailureRow).where(SignInFailureRow.key == key))

    def recovery_codes_replace(self, username: str, code_hashes: Sequence[str]) -> None:
        """Replace the user's recovery codes."""
        self._session.execute(delete(RecoveryCodeRow).where(RecoveryCodeRow.username == username))
        for code_hash in code_hashes:
            self._session.execute(
                insert(RecoveryCodeRow).values(username=username, code_hash=code_hash)
            )

    def recovery_code_use(self, username: str, code_hash: str, now: datetime) -> bool:
        """Mark an unused recovery code used; True if there was one."""
        result = self._session.execute(
            update(RecoveryCodeRow)
            .where(
                RecoveryCodeRow.username == username,
                RecoveryCodeRow.code_hash == code_hash,
                RecoveryCodeRow.used_at.is_(None),
            )
            .values(used_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def alert_add(self, alert: BreakGlassAlert) -> None:
        """Record a break-glass alert."""
        self._session.execute(
            insert(BreakGlassAlertRow).values(
                child_id=ChildId.parse(alert.child_id).value,  # stored as children.child_id is
                la_code=alert.la_code,
                username=alert.username,
                reason=alert.reason,
                at=alert.at,
            )
        )

    def alerts(self, la_code: str | None) -> list[BreakGlassAlert]:
        """Alerts for children of ``la_code`` (every alert if None), oldest first."""
        query = select(BreakGlassAlertRow).order_by(BreakGlassAlertRow.id)
        if la_code is not None:
            query = query.where(BreakGlassAlertRow.la_code == la_code)
        return [
            BreakGlassAlert(
                child_id=str(ChildId(r.child_id)),
                la_code=r.la_code,
                username=r.username,
                reason=r.reason,
                at=r.at,
            )
            for r in self._session.scalars(query)
        ]
