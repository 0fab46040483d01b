"""Password hashing with argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher as _Argon2
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2PasswordHasher:
    """argon2id with the library's current recommended parameters."""

    def __init__(self) -> None:
        self._hasher = _Argon2()

    def hash(self, password: str) -> str:
        """A salted argon2id hash of ``password``."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """True if ``password`` matches; never raises for a wrong password or a bad hash."""
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
