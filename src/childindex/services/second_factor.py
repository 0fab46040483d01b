"""The second factor: TOTP codes (RFC 6238) with replay protection, and recovery codes.

A code is accepted for the current 30-second step or one step either side (clock drift),
and only once: the step it belongs to is recorded, and a code for that step or an earlier
one is refused (ASVS 5.0 V6.5: a one-time password is used once). Recovery codes are ten
random single-use codes, shown once at enrolment and stored only as SHA-256 hashes (they
carry 60 random bits and are used once, so a slow hash would add nothing).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp

from childindex.services.ports import UnitOfWork

ISSUER = "childindex"
RECOVERY_CODES = 10
_CODE = re.compile(r"^[0-9]{6}$")
_RECOVERY_GROUPS = 6  # of 4 base32 characters: 6 x 4 x 5 = 120 random bits
_RECOVERY = re.compile(rf"^[a-z2-7]{{4}}(-?[a-z2-7]{{4}}){{{_RECOVERY_GROUPS - 1}}}$")
_RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


@dataclass(frozen=True, slots=True)
class Enrolment:
    """A new authenticator secret, and the ``otpauth://`` URI its QR code carries."""

    secret: str
    uri: str


def provisioning_uri(username: str, secret: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    return str(pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER))


def new_enrolment(username: str) -> Enrolment:
    """A fresh TOTP secret for ``username`` and its provisioning URI."""
    secret = pyotp.random_base32()
    return Enrolment(secret=secret, uri=provisioning_uri(username, secret))


def matching_step(secret: str, code: str, *, now: datetime) -> int | None:
    """The time step ``code`` belongs to (now, or one step either side); None if none."""
    compact = "".join(code.split())
    if not _CODE.match(compact):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), compact):
            return step
    return None


def use_code(*, uow: UnitOfWork, username: str, secret: str, code: str, now: datetime) -> bool:
    """True if ``code`` is right and not used before; records its step. Caller commits."""
    step = matching_step(secret, code, now=now)
    return step is not None and uow.users.accept_totp_step(username, step)


def looks_like_recovery_code(code: str) -> bool:
    """True if ``code`` has the shape of a recovery code (``abcd-efgh-ijkl-mnop-qrst-uvwx``)."""
    return bool(_RECOVERY.match(code.strip().casefold()))


def hash_recovery_code(code: str) -> str:
    """The stored form of a recovery code (case and hyphens do not matter)."""
    normal = code.strip().casefold().replace("-", "")
    return hashlib.sha256(normal.encode()).hexdigest()


def new_recovery_codes() -> list[str]:
    """Ten fresh recovery codes, as shown to the user."""
    codes = []
    for _ in range(RECOVERY_CODES):
        groups = (
            "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(4))
            for _ in range(_RECOVERY_GROUPS)
        )
        codes.append("-".join(groups))
    return codes


def use_recovery_code(*, uow: UnitOfWork, username: str, code: str, now: datetime) -> bool:
    """True if ``code`` is an unused recovery code of ``username``; marks it used."""
    if not looks_like_recovery_code(code):
        return False
    return uow.security.recovery_code_use(username, hash_recovery_code(code), now)
