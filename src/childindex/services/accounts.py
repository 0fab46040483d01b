"""Users, API tokens and turning credentials into a viewer."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.errors import InvalidInput, NotAuthenticated, NotFound
from childindex.domain.password_policy import check_password
from childindex.domain.permissions import Role
from childindex.domain.users import User
from childindex.policy.viewer import OrgKind, Viewer
from childindex.services.ports import NewUser, PasswordHasher, UnitOfWork

TOKEN_PREFIX = "ci_"  # noqa: S105 - a visible prefix, not a secret
# Every API token expires: 90 days unless asked otherwise, and never more than a year.
DEFAULT_TOKEN_LIFETIME = timedelta(days=90)
MAX_TOKEN_LIFETIME = timedelta(days=365)


@dataclass(frozen=True, slots=True)
class CreatedUser:
    """A new user and the secrets shown once to whoever created it."""

    user: User
    password: str
    totp_secret: str | None


def _org_kind(role: Role, organisation: str | None) -> OrgKind:
    """Which kind of body the user works for, for source-identifier visibility."""
    if role is Role.LA_OFFICER:
        return OrgKind.LOCAL_AUTHORITY
    text = (organisation or "").casefold()
    if any(w in text for w in ("nhs", "health", "surgery", "gp ", "hospital")):
        return OrgKind.HEALTH
    if any(w in text for w in ("school", "academy", "college", "education")):
        return OrgKind.EDUCATION
    return OrgKind.OTHER


def viewer_for(user: User) -> Viewer:
    """The viewer a signed-in user acts as."""
    return Viewer.for_user(user, org_kind=_org_kind(user.role, user.organisation))


def create_user(
    *,
    uow: UnitOfWork,
    hasher: PasswordHasher,
    username: str,
    role: Role,
    la_code: str | None,
    organisation: str | None,
    vetting_expires: date | None,
    password: str | None,
    totp_secret: str | None,
    actor: str,
    now: datetime,
) -> CreatedUser:
    """Create a user; generate a password if none is given; audited."""
    if not username or not username.replace("-", "").replace(".", "").isalnum():
        msg = "user name must be letters, digits, dots or hyphens"
        raise InvalidInput(msg, field="username")
    if role is Role.LA_OFFICER and not la_code:
        msg = "a local-authority officer needs a local-authority code (--la CODE)"
        raise InvalidInput(msg, field="la_code")
    chosen = password if password is not None else secrets.token_urlsafe(15)
    check_password(chosen, username=username)
    secret = None if role is Role.FEED else totp_secret
    with uow:
        user = uow.users.add(
            NewUser(
                username=username,
                role=role,
                la_code=la_code,
                organisation=organisation,
                vetting_expires=vetting_expires,
                password_hash=hasher.hash(chosen),
                totp_secret=secret,
            )
        )
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.USER_CREATED,
                actor=actor,
                at=now,
                detail={"user": username, "role": role.value, "la_code": la_code},
            )
        )
        uow.commit()
    return CreatedUser(user=user, password=chosen, totp_secret=secret)


def hash_token(token: str) -> str:
    """Tokens are 256-bit random, so a plain SHA-256 is a safe at-rest form."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    *, uow: UnitOfWork, username: str, expires_in: timedelta | None, actor: str, now: datetime
) -> str:
    """A new bearer token acting as ``username`` (with exactly that user's role and
    authority); it expires (default 90 days, at most a year); only its hash is stored;
    audited. The token is returned once and can never be shown again."""
    lifetime = DEFAULT_TOKEN_LIFETIME if expires_in is None else expires_in
    if not timedelta(0) < lifetime <= MAX_TOKEN_LIFETIME:
        msg = "a token must expire within a year"
        raise InvalidInput(msg, field="expires_in")
    with uow:
        user = uow.users.by_username(username)
        if user is None:
            msg = f"no user named {username!r}"
            raise NotFound(msg, field="username")
        if user.suspended or not user.vetting_current(now.date()):
            msg = f"{username!r} is suspended or their vetting has expired"
            raise InvalidInput(msg, field="username")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        expires_at = now + lifetime
        uow.users.add_token(
            user_id=user.user_id, token_hash=hash_token(token), expires_at=expires_at
        )
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.TOKEN_CREATED,
                actor=actor,
                at=now,
                detail={"user": username, "expires_at": expires_at.isoformat()},
            )
        )
        uow.commit()
    return token


def authenticate_token(*, uow: UnitOfWork, token: str, now: datetime) -> Viewer:
    """The viewer a bearer token acts as; raise ``NotAuthenticated`` if it is not live."""
    with uow:
        user = uow.users.by_token_hash(hash_token(token), now=now)
    if user is None or user.suspended or not user.vetting_current(now.date()):
        msg = "the token is unknown, expired or revoked, or its user may not sign in"
        raise NotAuthenticated(msg)
    return viewer_for(user)


def authenticate_password(
    *, uow: UnitOfWork, hasher: PasswordHasher, username: str, password: str, now: datetime
) -> User | None:
    """The user if the password is right and the user may sign in; None otherwise.

    An unknown user still costs one hash check, so timing does not tell who exists.
    """
    with uow:
        user = uow.users.by_username(username)
        stored = uow.users.password_hash(username) if user is not None else None
    if user is None or stored is None:
        spend_one_hash(hasher, password)
        return None
    if not hasher.verify(stored, password):
        return None
    if user.suspended or not user.vetting_current(now.date()):
        return None
    return user


def spend_one_hash(hasher: PasswordHasher, password: str) -> None:
    """Take as long as one password check, answering nothing (against timing probes)."""
    hasher.verify(_DUMMY_HASH, password)


def authenticate_session(*, uow: UnitOfWork, username: str, now: datetime) -> Viewer:
    """The viewer a signed-in session acts as, re-checked on every request."""
    with uow:
        user = uow.users.by_username(username)
    if user is None or user.suspended or not user.vetting_current(now.date()):
        msg = "your session has ended: sign in again"
        raise NotAuthenticated(msg)
    return viewer_for(user)


# A valid argon2id hash of a random string: verifying against it costs what a real check costs.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$"
    "Xb3ChsUDVqPjNaXzJ4oB4Mp1L7iZQWPZ3UE7a2QpNXk"
)
