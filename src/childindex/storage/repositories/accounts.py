"""Users and API tokens (only token hashes are stored)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Row, insert, or_, select
from sqlalchemy.exc import IntegrityError

from childindex.domain.errors import Conflict
from childindex.domain.permissions import Role
from childindex.domain.users import User
from childindex.storage.models import ApiTokenRow, UserRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from childindex.services.ports import NewUser
    from childindex.storage.clock import Clock

_USER_COLUMNS = (
    UserRow.id,
    UserRow.username,
    UserRow.role,
    UserRow.la_code,
    UserRow.organisation,
    UserRow.vetting_expires,
    UserRow.suspended,
)


UserTuple = Row[int, str, str, str | None, str | None, date | None, bool]


def _user(row: UserTuple) -> User:
    return User(
        user_id=row.id,
        username=row.username,
        role=Role(row.role),
        la_code=row.la_code,
        organisation=row.organisation,
        vetting_expires=row.vetting_expires,
        suspended=row.suspended,
    )


class SqlUserRepository:
    """``UserRepository`` on ``users`` and ``api_tokens``."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def add(self, user: NewUser) -> User:
        """Create a user; raise ``Conflict`` if the user name is taken. The unit of work
        stays usable after a conflict (the insert runs in a savepoint)."""
        try:
            with self._session.begin_nested():
                row = self._session.execute(
                    insert(UserRow)
                    .values(
                        username=user.username,
                        role=user.role.value,
                        la_code=user.la_code,
                        organisation=user.organisation,
                        vetting_expires=user.vetting_expires,
                        password_hash=user.password_hash,
                        totp_secret=user.totp_secret,
                        suspended=False,
                        created_at=self._clock(),
                    )
                    .returning(*_USER_COLUMNS)
                ).one()
        except IntegrityError as exc:
            msg = f"the user name {user.username!r} is taken"
            raise Conflict(msg, field="username") from exc
        return _user(row)

    def by_username(self, username: str) -> User | None:
        """The user with that name, or None."""
        row = self._session.execute(
            select(*_USER_COLUMNS).where(UserRow.username == username)
        ).first()
        return _user(row) if row is not None else None

    def password_hash(self, username: str) -> str | None:
        """The stored password hash of that user, or None."""
        return self._session.scalar(
            select(UserRow.password_hash).where(UserRow.username == username)
        )

    def totp_secret(self, username: str) -> str | None:
        """The user's TOTP secret, or None if the user has none."""
        return self._session.scalar(select(UserRow.totp_secret).where(UserRow.username == username))

    def add_token(self, *, user_id: int, token_hash: str, expires_at: datetime | None) -> None:
        """Store the hash of a new API token."""
        self._session.execute(
            insert(ApiTokenRow).values(
                user_id=user_id,
                token_hash=token_hash,
                created_at=self._clock(),
                expires_at=expires_at,
            )
        )

    def by_token_hash(self, token_hash: str, *, now: datetime) -> User | None:
        """The user a live token acts as: unrevoked, and unexpired at ``now``."""
        row = self._session.execute(
            select(*_USER_COLUMNS)
            .join(ApiTokenRow, ApiTokenRow.user_id == UserRow.id)
            .where(
                ApiTokenRow.token_hash == token_hash,
                ApiTokenRow.revoked_at.is_(None),
                or_(ApiTokenRow.expires_at.is_(None), ApiTokenRow.expires_at > now),
            )
        ).first()
        return _user(row) if row is not None else None
