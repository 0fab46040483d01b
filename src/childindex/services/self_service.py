"""What a signed-in person does to their own account: change the password, manage API tokens.

Changing the password asks for the current one, is throttled exactly like sign-in (the same
failure counts, per account and per client address, in ``services/sessions.py``), applies the
same policy as creation (``domain/password_policy.py``), and ends every *other* page session
of the person. API tokens are kept: each is a separate, expiring credential the person can
see and revoke here (``docs/security.md`` records this decision).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.errors import InvalidInput, NotFound
from childindex.domain.password_policy import MAX_PASSWORD_LENGTH, check_password
from childindex.services import accounts, sessions
from childindex.services.ports import PasswordHasher, TokenInfo, UnitOfWork, UnitOfWorkFactory

WRONG_CURRENT = "Your current password is not right"


@dataclass(frozen=True, slots=True)
class PasswordChange:
    """What a password change came to: done (with how many other sessions ended) or locked."""

    changed: bool
    locked: bool = False
    sessions_ended: int = 0


def _record(
    uow_factory: UnitOfWorkFactory,
    *,
    username: str,
    client: str,
    now: datetime,
    failed: str,
    count: bool,
) -> None:
    """Audit a refused change and (for a wrong current password) count it like a sign-in."""
    account, address = sessions.throttle_keys(username, client)
    with uow_factory() as uow:
        if count:
            uow.security.failure_add(account, now)
            uow.security.failure_add(address, now)
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.PASSWORD_CHANGE_FAILED,
                actor=username,
                at=now,
                detail={"failed": failed},
            )
        )
        uow.commit()


def change_password(
    *,
    uow_factory: UnitOfWorkFactory,
    hasher: PasswordHasher,
    username: str,
    current: str,
    new: str,
    confirm: str,
    client: str,
    now: datetime,
    keep_session: str | None = None,
) -> PasswordChange:
    """Change ``username``'s password; end their sessions but ``keep_session`` (the stored
    hash of the one asking, ``web_sessions.id_hash``); audited either way.

    Raises ``InvalidInput`` naming the field at fault (``current_password``,
    ``new_password``, ``confirm_password``); returns ``locked`` when too many wrong current
    passwords came from this account or address. Example::

        change_password(uow_factory=c.uow_factory, hasher=c.hasher, username="sam",
                        current=old, new=fresh, confirm=fresh, client="203.0.113.9", now=now)
    """
    if sessions.is_locked(uow=uow_factory(), username=username, client=client, now=now):
        accounts.spend_one_hash(hasher, current[:MAX_PASSWORD_LENGTH])
        _record(
            uow_factory, username=username, client=client, now=now, failed="locked", count=False
        )
        return PasswordChange(changed=False, locked=True)
    with uow_factory() as uow:
        stored = uow.users.password_hash(username)
    if stored is None:
        raise NotFound(f"no user named {username!r}", field="username")
    if len(current) > MAX_PASSWORD_LENGTH or not hasher.verify(stored, current):
        _record(
            uow_factory, username=username, client=client, now=now, failed="current", count=True
        )
        raise InvalidInput(WRONG_CURRENT, field="current_password")
    try:
        check_password(new, username=username)
    except InvalidInput as exc:
        _record(
            uow_factory, username=username, client=client, now=now, failed="policy", count=False
        )
        raise InvalidInput(exc.message, field="new_password") from None
    if new != confirm:
        msg = "the two new passwords are not the same"
        raise InvalidInput(msg, field="confirm_password")
    if new == current:
        msg = "choose a new password that is not your current one"
        raise InvalidInput(msg, field="new_password")
    new_hash = hasher.hash(new)
    account, _ = sessions.throttle_keys(username, client)
    with uow_factory() as uow:
        uow.users.set_password_hash(username, new_hash)
        ended = uow.security.sessions_delete_for(username, keep=keep_session)
        uow.security.failures_clear(account)
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.PASSWORD_CHANGED,
                actor=username,
                at=now,
                detail={"other_sessions_ended": ended},
            )
        )
        uow.commit()
    return PasswordChange(changed=True, sessions_ended=ended)


def my_tokens(*, uow: UnitOfWork, username: str) -> list[TokenInfo]:
    """The person's own API tokens, newest first (never the tokens themselves)."""
    with uow:
        return uow.users.tokens(username)


def create_my_token(*, uow: UnitOfWork, username: str, expires_in: timedelta, now: datetime) -> str:
    """A new API token for oneself, shown once (``accounts.create_token``); audited."""
    return accounts.create_token(
        uow=uow, username=username, expires_in=expires_in, actor=username, now=now
    )


def revoke_my_token(*, uow: UnitOfWork, username: str, token_id: int, now: datetime) -> None:
    """Revoke one of one's own live tokens; ``NotFound`` for anyone else's; audited."""
    with uow:
        if not uow.users.revoke_token_id(username=username, token_id=token_id, now=now):
            msg = "you have no live token with that number"
            raise NotFound(msg, field="token_id")
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.TOKENS_REVOKED,
                actor=username,
                at=now,
                detail={"user": username, "token_id": token_id, "revoked": 1},
            )
        )
        uow.commit()
