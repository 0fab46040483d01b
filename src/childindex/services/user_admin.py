"""Administering users: list, look up, suspend, reactivate, re-vet, remove, grant, reset two
factors, end sessions, revoke tokens, enrol a factor.

Used by the CLI (``cli/user_admin.py``) and the admin pages (``web/routes/admin_users.py``)
alike. Every change is audited in the same unit of work as the change itself; so are the
listings and look-ups, which show people's details. An administrator cannot suspend or
remove themselves (someone else must), so nobody locks the last administrator out by a slip.

Suspending or removing a user also ends every page session they hold; their API tokens stop
working at once because every request re-checks the user (``accounts.authenticate_token``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.errors import Conflict, InvalidInput, NotFound
from childindex.domain.permissions import GRANTABLE, Permission, Role
from childindex.domain.users import User, UserStatus
from childindex.services import second_factor
from childindex.services.accounts import hash_token
from childindex.services.ports import TokenInfo, UnitOfWork

# The most users one listing shows; narrow it with filters (``UserListing.total`` says more).
LIST_LIMIT = 200


def _missing(username: str) -> NotFound:
    return NotFound(f"no user named {username!r}", field="username")


def _audit(
    uow: UnitOfWork, tag: AuditTag, actor: str, now: datetime, **detail: str | int | None
) -> None:
    uow.audit.record(AuditEvent(tag=tag, actor=actor, at=now, detail=detail))


def _not_yourself(username: str, actor: str, doing: str) -> None:
    if username == actor:
        msg = f"you cannot {doing} your own account: ask another administrator"
        raise InvalidInput(msg, field="username")


def set_suspended(
    *, uow: UnitOfWork, username: str, suspended: bool, actor: str, now: datetime
) -> User:
    """Suspend (ending every session) or reactivate a user; audited. Not oneself."""
    if suspended:
        _not_yourself(username, actor, "suspend")
    with uow:
        user = uow.users.update(username, suspended=suspended)
        if user is None:
            raise _missing(username)
        ended = uow.security.sessions_delete_for(username) if suspended else 0
        tag = AuditTag.USER_SUSPENDED if suspended else AuditTag.USER_REACTIVATED
        _audit(uow, tag, actor, now, user=username, sessions_ended=ended)
        uow.commit()
    return user


def set_grant(
    *,
    uow: UnitOfWork,
    username: str,
    permission: Permission,
    granted: bool,
    actor: str,
    now: datetime,
) -> User:
    """Grant or withdraw a grantable permission (e.g. break-glass) for a person; audited."""
    if permission not in GRANTABLE:
        msg = f"{permission.value} comes with a role and cannot be granted on its own"
        raise InvalidInput(msg, field="permission")
    with uow:
        user = uow.users.by_username(username)
        if user is None:
            raise _missing(username)
        if user.role is Role.FEED:
            msg = "feed accounts may only submit feeds"
            raise InvalidInput(msg, field="username")
        grants = user.grants | {permission} if granted else user.grants - {permission}
        updated = uow.users.update(username, grants=grants)
        assert updated is not None  # noqa: S101 - found above in this unit of work
        tag = AuditTag.USER_GRANTED if granted else AuditTag.USER_GRANT_WITHDRAWN
        _audit(uow, tag, actor, now, user=username, permission=permission.value)
        uow.commit()
    return updated


def end_sessions(*, uow: UnitOfWork, username: str, actor: str, now: datetime) -> int:
    """End every page session of ``username`` (an administrator's action); audited."""
    with uow:
        if uow.users.by_username(username) is None:
            raise _missing(username)
        ended = uow.security.sessions_delete_for(username)
        _audit(uow, AuditTag.SESSIONS_ENDED, actor, now, user=username, sessions_ended=ended)
        uow.commit()
    return ended


def revet(
    *, uow: UnitOfWork, username: str, vetting_expires: date, actor: str, now: datetime
) -> User:
    """Record renewed vetting, valid until ``vetting_expires``; audited."""
    if vetting_expires <= now.date():
        msg = "the new vetting expiry must be in the future"
        raise InvalidInput(msg, field="vetting_expires")
    with uow:
        user = uow.users.update(username, vetting_expires=vetting_expires)
        if user is None:
            raise _missing(username)
        _audit(
            uow,
            AuditTag.USER_REVETTED,
            actor,
            now,
            user=username,
            vetting_expires=vetting_expires.isoformat(),
        )
        uow.commit()
    return user


def remove(*, uow: UnitOfWork, username: str, actor: str, now: datetime) -> None:
    """Delete a user, their tokens and sessions (the audit log keeps their name); audited.
    Not oneself."""
    _not_yourself(username, actor, "remove")
    with uow:
        uow.security.sessions_delete_for(username)
        uow.security.recovery_codes_replace(username, [])
        if not uow.users.remove(username):
            raise _missing(username)
        _audit(uow, AuditTag.USER_REMOVED, actor, now, user=username)
        uow.commit()


def revoke_tokens(
    *, uow: UnitOfWork, username: str, token: str | None, actor: str, now: datetime
) -> int:
    """Revoke one token (given in full) or every token of ``username``; audited."""
    with uow:
        if uow.users.by_username(username) is None:
            raise _missing(username)
        token_hash = hash_token(token) if token is not None else None
        count = uow.users.revoke_tokens(username=username, token_hash=token_hash, now=now)
        if token is not None and count == 0:
            msg = f"no live token of {username!r} matches"
            raise NotFound(msg, field="token")
        _audit(uow, AuditTag.TOKENS_REVOKED, actor, now, user=username, revoked=count)
        uow.commit()
    return count


def confirm_enrolment(
    *, uow: UnitOfWork, username: str, secret: str, code: str, now: datetime
) -> list[str]:
    """Store a new authenticator once the user proves it works; return recovery codes.

    The codes are shown once; only their hashes are kept. Audited.
    """
    step = second_factor.matching_step(secret, code, now=now)
    if step is None:
        msg = "Enter the 6-digit code your authenticator app shows now"
        raise InvalidInput(msg, field="code")
    codes = second_factor.new_recovery_codes()
    with uow:
        user = uow.users.by_username(username)
        if user is None or user.suspended or not user.vetting_current(now.date()):
            raise _missing(username)
        if uow.users.totp_secret(username) is not None:
            msg = "an authenticator is already set up for this account"
            raise Conflict(msg)
        uow.users.update(username, totp_secret=secret)
        uow.users.accept_totp_step(username, step)
        uow.security.recovery_codes_replace(
            username, [second_factor.hash_recovery_code(c) for c in codes]
        )
        _audit(uow, AuditTag.TOTP_ENROLLED, username, now, recovery_codes=len(codes))
        uow.commit()
    return codes


@dataclass(frozen=True, slots=True)
class UserListing:
    """One page of users and how many matched in all."""

    users: list[User]
    total: int


def list_users(
    *,
    uow: UnitOfWork,
    role: Role | None,
    la_code: str | None,
    status: UserStatus | None,
    actor: str,
    now: datetime,
) -> UserListing:
    """Users matching the filters (at most ``LIST_LIMIT``, by user name); audited."""
    with uow:
        users, total = uow.users.listing(
            role=role, la_code=la_code, status=status, today=now.date(), limit=LIST_LIMIT
        )
        _audit(
            uow,
            AuditTag.USERS_LISTED,
            actor,
            now,
            role=role.value if role else None,
            la_code=la_code,
            status=status.value if status else None,
            shown=len(users),
        )
        uow.commit()
    return UserListing(users=users, total=total)


@dataclass(frozen=True, slots=True)
class UserDetail:
    """What an administrator sees of one user: never a secret or a token."""

    user: User
    has_authenticator: bool
    tokens: list[TokenInfo]


def describe(*, uow: UnitOfWork, username: str, actor: str, now: datetime) -> UserDetail:
    """One user with their authenticator state and API tokens; audited."""
    with uow:
        user = uow.users.by_username(username)
        if user is None:
            raise _missing(username)
        detail = UserDetail(
            user=user,
            has_authenticator=uow.users.totp_secret(username) is not None,
            tokens=uow.users.tokens(username),
        )
        _audit(uow, AuditTag.USER_VIEWED, actor, now, user=username)
        uow.commit()
    return detail


def reset_second_factor(*, uow: UnitOfWork, username: str, actor: str, now: datetime) -> int:
    """Forget a person's authenticator and recovery codes and end their sessions: they set
    up a new authenticator at their next sign-in (a lost phone). Audited; returns how many
    sessions ended."""
    with uow:
        user = uow.users.by_username(username)
        if user is None:
            raise _missing(username)
        if user.role is Role.FEED:
            msg = "feed accounts have no second factor"
            raise InvalidInput(msg, field="username")
        uow.users.clear_second_factor(username)
        uow.security.recovery_codes_replace(username, [])
        ended = uow.security.sessions_delete_for(username)
        _audit(uow, AuditTag.TOTP_RESET, actor, now, user=username, sessions_ended=ended)
        uow.commit()
    return ended
