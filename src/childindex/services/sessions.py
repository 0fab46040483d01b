"""Signing in to the pages: password and authenticator code, audited either way.

A page session needs two factors: the password and a 6-digit TOTP code from the user's
authenticator app (RFC 6238, 30-second steps, one step of clock drift either way).
System accounts (feeds) have no TOTP secret, so they can never sign in to the pages.
Whatever was wrong, the caller learns only "no": the audit log records which factor failed.
"""

from __future__ import annotations

import re
from datetime import datetime

import pyotp

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.users import User
from childindex.services import accounts
from childindex.services.ports import PasswordHasher, UnitOfWorkFactory

MAX_USERNAME_LENGTH = 100
_CODE = re.compile(r"^[0-9]{6}$")


def code_is_valid(secret: str, code: str, *, now: datetime) -> bool:
    """True if ``code`` is the TOTP code for ``now``, or one step either side of it."""
    compact = "".join(code.split())
    if not _CODE.match(compact):
        return False
    return bool(pyotp.TOTP(secret).verify(compact, for_time=now, valid_window=1))


def _record(
    uow_factory: UnitOfWorkFactory, tag: AuditTag, actor: str, now: datetime, failed: str | None
) -> None:
    detail: dict[str, str] = {"channel": "web"}
    if failed is not None:
        detail["failed"] = failed
    with uow_factory() as uow:
        uow.audit.record(AuditEvent(tag=tag, actor=actor, at=now, detail=detail))
        uow.commit()


def sign_in(
    *,
    uow_factory: UnitOfWorkFactory,
    hasher: PasswordHasher,
    username: str,
    password: str,
    code: str,
    now: datetime,
) -> User | None:
    """The user if password and authenticator code are both right; None otherwise; audited.

    Example::

        user = sign_in(uow_factory=c.uow_factory, hasher=c.hasher, username="sam",
                       password=typed_password, code="123456", now=c.clock())
        if user is None: ...  # show one message, whatever was wrong

    The audit entry is written before the answer is returned; if it cannot be written the
    sign-in fails with the error. It holds the user name typed, never the password or code.
    """
    actor = username.strip()[:MAX_USERNAME_LENGTH]
    user: User | None = None
    failed: str | None = "credentials"
    if actor and len(username.strip()) <= MAX_USERNAME_LENGTH:
        user = accounts.authenticate_password(
            uow=uow_factory(), hasher=hasher, username=actor, password=password, now=now
        )
    if user is not None:
        secret = accounts.totp_secret_of(uow=uow_factory(), username=user.username)
        if secret is None:
            failed = "no-second-factor"
        elif not code_is_valid(secret, code, now=now):
            failed = "code"
        else:
            failed = None
    tag = AuditTag.SIGNED_IN if failed is None else AuditTag.SIGN_IN_FAILED
    _record(uow_factory, tag, actor, now, failed)
    return user if failed is None else None


def sign_out(*, uow_factory: UnitOfWorkFactory, username: str, now: datetime) -> None:
    """Record that ``username`` signed out of the pages."""
    _record(uow_factory, AuditTag.SIGNED_OUT, username, now, None)
