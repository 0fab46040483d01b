"""What makes a password acceptable: long enough and not a well-known one. Nothing else.

No composition rules (NIST SP 800-63B, ASVS 5.0 V6.2): length and a check against common
passwords. The list ships with the package and is read offline: ``data/common-passwords.txt.gz``
is the 20,000 most common passwords compiled by Royce Williams (CC BY 3.0), as shipped in
Django 5.2 (``django/contrib/auth/common-passwords.txt.gz``, BSD licence).
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib.resources import files

from childindex.domain.errors import InvalidInput

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
_LIST = "common-passwords.txt.gz"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-cased."""
    data = files("childindex.domain").joinpath("data", _LIST).read_bytes()
    text = gzip.decompress(data).decode("utf-8")
    return frozenset(line.strip().casefold() for line in text.splitlines() if line.strip())


def check_password(password: str, *, username: str | None = None) -> None:
    """Raise ``InvalidInput`` (field ``password``) unless ``password`` is acceptable.

    Example::

        check_password("correct horse battery staple")  # fine
        check_password("password1234")                   # InvalidInput: too common
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        msg = f"password must be at least {MIN_PASSWORD_LENGTH} characters"
        raise InvalidInput(msg, field="password")
    if len(password) > MAX_PASSWORD_LENGTH:
        msg = f"password must be at most {MAX_PASSWORD_LENGTH} characters"
        raise InvalidInput(msg, field="password")
    folded = password.casefold()
    if folded in common_passwords() or (username and folded == username.casefold()):
        msg = "password is too common: choose one that is not on lists of common passwords"
        raise InvalidInput(msg, field="password")
