"""Administering users: suspend, reactivate, re-vet, remove, revoke tokens, enrol a factor.

Every change is audited in the same unit of work as the change itself. Suspending or
removing a user also ends every page session they hold; their API tokens stop working at
once because every request re-checks the user (``accounts.authenticate_token``).
"""

from __future__ import annotations

from datetime import date, datetime

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.errors import Conflict, InvalidInput, NotFound
from childindex.domain.permissions import GRANTABLE, Permission, Role
from childindex.domain.users import User
from childindex.services import second_factor
from childindex.services.accounts import hash_token
from childindex.services.ports import UnitOfWork


def _missing(username: str) -> NotFound:
    return NotFound(f"no user named {username!r}", field="username")


def _audit(
    uow: UnitOfWork, tag: AuditTag, actor: str, now: datetime, **detail: str | int | None
) -> None:
    uow.audit.record(AuditEvent(tag=tag, actor=actor, at=now, detail=detail))


def set_suspended(
    *, uow: UnitOfWork, username: str, suspended: bool, actor: str, now: datetime
) -> User:
    """Suspend (ending every session) or reactivate a user; audited."""
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
    """Delete a user, their tokens and sessions (the audit log keeps their name); audited."""
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
