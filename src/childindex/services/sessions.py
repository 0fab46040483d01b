"""Signing in to the pages: password and second factor, throttled, audited either way.

A page session needs two factors: the password and a 6-digit TOTP code from the user's
authenticator app (or, once each, a recovery code). System accounts (feeds) have no second
factor, so they can never sign in to the pages. A person without an authenticator yet is
sent to enrol one (``SignInOutcome.enrol``) before the session is theirs.

Throttling: after ``ACCOUNT_LIMIT`` failures for one user name, or ``ADDRESS_LIMIT`` from
one client address, within ``WINDOW``, sign-in is refused until the window has passed. The
counts live in the database, so every worker sees them. Failures are counted by the name
typed, whether or not such a user exists, so a lock-out tells nobody who has an account.
Whatever was wrong, the caller learns only "no" (or "locked"): the audit log records which
factor failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.users import User
from childindex.services import accounts, second_factor
from childindex.services.ports import PasswordHasher, UnitOfWork, UnitOfWorkFactory

MAX_USERNAME_LENGTH = 100
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 50
WINDOW = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class SignInOutcome:
    """What a sign-in attempt came to. ``user`` is set only when both factors were right,
    or (with ``enrol``) when the password was right and no authenticator is enrolled yet."""

    user: User | None = None
    locked: bool = False
    enrol: bool = False


def throttle_keys(username: str, client: str) -> tuple[str, str]:
    """The keys failures are counted under: the name typed, and the client address."""
    return f"account:{username.casefold()}", f"address:{client}"


def is_locked(*, uow: UnitOfWork, username: str, client: str, now: datetime) -> bool:
    """True if this name or this address has failed too often within ``WINDOW``."""
    account, address = throttle_keys(username, client)
    since = now - WINDOW
    with uow:
        return (
            uow.security.failures_since(account, since) >= ACCOUNT_LIMIT
            or uow.security.failures_since(address, since) >= ADDRESS_LIMIT
        )


def _second_factor(
    uow_factory: UnitOfWorkFactory, user: User, code: str, now: datetime
) -> str | None:
    """None if the code (or a recovery code) is right and unused; else what failed."""
    with uow_factory() as uow:
        secret = uow.users.totp_secret(user.username)
        if secret is None:
            return "no-second-factor"
        if second_factor.looks_like_recovery_code(code):
            ok = second_factor.use_recovery_code(
                uow=uow, username=user.username, code=code, now=now
            )
            failed = None if ok else "recovery-code"
        elif second_factor.matching_step(secret, code, now=now) is None:
            failed = "code"
        else:
            ok = second_factor.use_code(
                uow=uow, username=user.username, secret=secret, code=code, now=now
            )
            failed = None if ok else "code-replayed"
        uow.commit()
    return failed


def _finish(
    uow_factory: UnitOfWorkFactory,
    *,
    actor: str,
    client: str,
    now: datetime,
    failed: str | None,
) -> None:
    """Audit the attempt and count (or clear) failures, in one unit of work."""
    account, address = throttle_keys(actor, client)
    tag = AuditTag.SIGNED_IN if failed is None else AuditTag.SIGN_IN_FAILED
    detail: dict[str, str] = {"channel": "web"}
    if failed is not None:
        detail["failed"] = failed
    with uow_factory() as uow:
        if failed is None:
            uow.security.failures_clear(account)
        elif failed != "locked":
            uow.security.failure_add(account, now)
            uow.security.failure_add(address, now)
        uow.audit.record(AuditEvent(tag=tag, actor=actor, at=now, detail=detail))
        uow.commit()


def sign_in(
    *,
    uow_factory: UnitOfWorkFactory,
    hasher: PasswordHasher,
    username: str,
    password: str,
    code: str,
    client: str,
    now: datetime,
) -> SignInOutcome:
    """Check throttling, password and second factor; audited whatever the outcome.

    Example::

        outcome = sign_in(uow_factory=c.uow_factory, hasher=c.hasher, username="sam",
                          password=typed, code="123456", client="203.0.113.9", now=c.clock())
        if outcome.user is None: ...  # one message (or "locked"), whatever was wrong

    The audit entry is written before the answer is returned; if it cannot be written the
    sign-in fails with the error. It holds the user name typed, never the password or code.
    """
    actor = username.strip()[:MAX_USERNAME_LENGTH]
    if is_locked(uow=uow_factory(), username=actor, client=client, now=now):
        accounts.spend_one_hash(hasher, password)  # the same time as a real attempt
        _finish(uow_factory, actor=actor, client=client, now=now, failed="locked")
        return SignInOutcome(locked=True)
    user: User | None = None
    failed: str | None = "credentials"
    if actor and len(username.strip()) <= MAX_USERNAME_LENGTH:
        user = accounts.authenticate_password(
            uow=uow_factory(), hasher=hasher, username=actor, password=password, now=now
        )
    enrol = False
    if user is not None:
        failed = _second_factor(uow_factory, user, code, now)
        if failed == "no-second-factor" and user.needs_second_factor:
            failed, enrol = None, True
    if enrol:
        _record_enrolment_start(uow_factory, actor, now)
        return SignInOutcome(user=user, enrol=True)
    _finish(uow_factory, actor=actor, client=client, now=now, failed=failed)
    return SignInOutcome(user=user if failed is None else None)


def _record_enrolment_start(uow_factory: UnitOfWorkFactory, actor: str, now: datetime) -> None:
    with uow_factory() as uow:
        uow.audit.record(
            AuditEvent(tag=AuditTag.TOTP_ENROLMENT_STARTED, actor=actor, at=now, detail={})
        )
        uow.commit()


def sign_out(
    *, uow_factory: UnitOfWorkFactory, username: str, now: datetime, everywhere: bool = False
) -> None:
    """Record that ``username`` signed out of the pages (of every session if ``everywhere``)."""
    detail: dict[str, str] = {"channel": "web"}
    with uow_factory() as uow:
        if everywhere:
            count = uow.security.sessions_delete_for(username)
            detail["everywhere"] = str(count)
        uow.audit.record(AuditEvent(tag=AuditTag.SIGNED_OUT, actor=username, at=now, detail=detail))
        uow.commit()
