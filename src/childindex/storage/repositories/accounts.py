"""Users and API tokens (only token hashes are stored)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Row, and_, delete, func, insert, not_, or_, select, update
from sqlalchemy.exc import IntegrityError

from childindex.domain.errors import Conflict
from childindex.domain.permissions import Permission, Role
from childindex.domain.users import User, UserStatus
from childindex.services.ports import TokenInfo
from childindex.storage.models import ApiTokenRow, UserRow

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement
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
    UserRow.grants,
)


UserTuple = Row[int, str, str, str | None, str | None, date | None, bool, list[str]]
_PERMISSIONS = {p.value: p for p in Permission}


def _user(row: UserTuple) -> User:
    return User(
        user_id=row.id,
        username=row.username,
        role=Role(row.role),
        la_code=row.la_code,
        organisation=row.organisation,
        vetting_expires=row.vetting_expires,
        suspended=row.suspended,
        grants=frozenset(_PERMISSIONS[g] for g in row.grants if g in _PERMISSIONS),
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
                        grants=[],
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

    def update(
        self,
        username: str,
        *,
        suspended: bool | None = None,
        vetting_expires: date | None = None,
        totp_secret: str | None = None,
        grants: frozenset[Permission] | None = None,
    ) -> User | None:
        """Change the given fields of a user; None if there is no such user."""
        values: dict[str, object] = {}
        if grants is not None:
            values["grants"] = sorted(g.value for g in grants)
        if suspended is not None:
            values["suspended"] = suspended
        if vetting_expires is not None:
            values["vetting_expires"] = vetting_expires
        if totp_secret is not None:
            values["totp_secret"] = totp_secret
            values["totp_last_step"] = None
        if values:
            self._session.execute(
                update(UserRow).where(UserRow.username == username).values(**values)
            )
        return self.by_username(username)

    def remove(self, username: str) -> bool:
        """Delete the user and their tokens; False if there was no such user."""
        user_id = self._session.scalar(select(UserRow.id).where(UserRow.username == username))
        if user_id is None:
            return False
        self._session.execute(delete(ApiTokenRow).where(ApiTokenRow.user_id == user_id))
        self._session.execute(delete(UserRow).where(UserRow.id == user_id))
        return True

    def revoke_tokens(self, *, username: str, token_hash: str | None, now: datetime) -> int:
        """Revoke one token of the user (by hash) or all of them; how many were revoked."""
        user_id = select(UserRow.id).where(UserRow.username == username).scalar_subquery()
        query = (
            update(ApiTokenRow)
            .where(ApiTokenRow.user_id == user_id, ApiTokenRow.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        if token_hash is not None:
            query = query.where(ApiTokenRow.token_hash == token_hash)
        return int(self._session.execute(query).rowcount)  # type: ignore[attr-defined]

    def accept_totp_step(self, username: str, step: int) -> bool:
        """Record ``step`` as used unless it (or a later one) already was; True if accepted.

        One conditional UPDATE, so two workers racing with the same code cannot both win.
        """
        result = self._session.execute(
            update(UserRow)
            .where(
                UserRow.username == username,
                or_(UserRow.totp_last_step.is_(None), UserRow.totp_last_step < step),
            )
            .values(totp_last_step=step)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def listing(
        self,
        *,
        role: Role | None,
        la_code: str | None,
        status: UserStatus | None,
        today: date,
        limit: int,
    ) -> tuple[list[User], int]:
        """Users matching every given filter, by user name, at most ``limit``; and how many
        match in all."""
        conditions: list[ColumnElement[bool]] = []
        if role is not None:
            conditions.append(UserRow.role == role.value)
        if la_code is not None:
            conditions.append(UserRow.la_code == la_code)
        expired = and_(UserRow.vetting_expires.is_not(None), UserRow.vetting_expires < today)
        if status is UserStatus.SUSPENDED:
            conditions.append(UserRow.suspended.is_(True))
        elif status is UserStatus.VETTING_EXPIRED:
            conditions.extend([UserRow.suspended.is_(False), expired])
        elif status is UserStatus.ACTIVE:
            conditions.extend([UserRow.suspended.is_(False), not_(expired)])
        total = self._session.scalar(select(func.count()).select_from(UserRow).where(*conditions))
        rows = self._session.execute(
            select(*_USER_COLUMNS).where(*conditions).order_by(UserRow.username).limit(limit)
        ).all()
        return [_user(r) for r in rows], int(total or 0)

    def set_password_hash(self, username: str, password_hash: str) -> bool:
        """Replace the user's password hash; False if there is no such user."""
        result = self._session.execute(
            update(UserRow).where(UserRow.username == username).values(password_hash=password_hash)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def clear_second_factor(self, username: str) -> bool:
        """Forget the user's authenticator (they enrol again); False if no such user."""
        result = self._session.execute(
            update(UserRow)
            .where(UserRow.username == username)
            .values(totp_secret=None, totp_last_step=None)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def tokens(self, username: str) -> list[TokenInfo]:
        """Every token of the user (live, expired and revoked), newest first."""
        rows = self._session.execute(
            select(
                ApiTokenRow.id,
                ApiTokenRow.created_at,
                ApiTokenRow.expires_at,
                ApiTokenRow.revoked_at,
            )
            .join(UserRow, UserRow.id == ApiTokenRow.user_id)
            .where(UserRow.username == username)
            .order_by(ApiTokenRow.id.desc())
        ).all()
        return [
            TokenInfo(
                token_id=r.id,
                created_at=r.created_at,
                expires_at=r.expires_at,
                revoked_at=r.revoked_at,
            )
            for r in rows
        ]

    def revoke_token_id(self, *, username: str, token_id: int, now: datetime) -> bool:
        """Revoke the user's live token ``token_id``; False if they have no such live token."""
        user_id = select(UserRow.id).where(UserRow.username == username).scalar_subquery()
        result = self._session.execute(
            update(ApiTokenRow)
            .where(
                ApiTokenRow.id == token_id,
                ApiTokenRow.user_id == user_id,
                ApiTokenRow.revoked_at.is_(None),
                or_(ApiTokenRow.expires_at.is_(None), ApiTokenRow.expires_at > now),
            )
            .values(revoked_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
