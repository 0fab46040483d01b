"""Opaque child IDs with a check character.

A child ID is 11 random symbols from a 31-symbol alphabet (Crockford base 32 without ``Z``)
followed by one check symbol, shown in three groups of four::

    >>> cid = ChildId.parse("7KQ2-M9XD-4RTW")  # doctest: +SKIP

The check symbol makes ``sum(position * value) % 31 == 0`` over all twelve symbols (positions
1..12). As 31 is prime and every weight and every difference of two values is non-zero modulo
31, every single mistyped symbol and every transposition of two adjacent symbols is caught, so
a mistyped ID is rejected with a clear error and never looked up. (Luhn mod 32 misses the
transposition of the first and last symbols of its alphabet, which the property tests found.)
The ID is drawn from the operating system's random source: it never encodes personal data.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from childindex.domain.errors import InvalidChildId

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXY"
_N = len(ALPHABET)
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
# Crockford base 32 reads these as their look-alikes.
_ALIASES = {"O": "0", "I": "1", "L": "1"}
PAYLOAD_LENGTH = 11
LENGTH = PAYLOAD_LENGTH + 1


def _check_symbol(payload: str) -> str:
    """The symbol that makes the weighted sum of ``payload`` + symbol divisible by 31."""
    partial = sum(position * _INDEX[ch] for position, ch in enumerate(payload, start=1))
    # Solve partial + LENGTH * check == 0 (mod 31); pow(..., -1, 31) is the modular inverse.
    check = (-partial * pow(LENGTH, -1, _N)) % _N
    return ALPHABET[check]


def _canonical(text: str) -> str:
    cleaned = "".join(text.split()).replace("-", "").upper()
    return "".join(_ALIASES.get(c, c) for c in cleaned)


@dataclass(frozen=True, slots=True, order=True)
class ChildId:
    """A validated child ID; ``str()`` gives the canonical grouped form."""

    value: str

    def __post_init__(self) -> None:
        if len(self.value) != LENGTH or any(c not in _INDEX for c in self.value):
            raise InvalidChildId("child ID must be 12 letters and digits", field="child_id")
        if _check_symbol(self.value[:-1]) != self.value[-1]:
            raise InvalidChildId(
                "child ID check character does not match: it may be mistyped", field="child_id"
            )

    @classmethod
    def new(cls) -> ChildId:
        """Draw a fresh random child ID."""
        # One draw for all eleven symbols (uniform over every payload): a bulk load makes
        # a child ID per new record.
        number = secrets.randbelow(_N**PAYLOAD_LENGTH)
        symbols = []
        for _ in range(PAYLOAD_LENGTH):
            number, digit = divmod(number, _N)
            symbols.append(ALPHABET[digit])
        payload = "".join(symbols)
        # Valid by construction: skip __post_init__'s re-check (it is what costs here).
        return cls.stored(payload + _check_symbol(payload))

    @classmethod
    def stored(cls, value: str) -> ChildId:
        """A child ID known valid: read back from the store, which holds only IDs made by
        ``new`` or checked by ``parse`` (matching reads thousands per batch), or just made
        by ``new``. Not checked again."""
        child_id = object.__new__(cls)
        object.__setattr__(child_id, "value", value)
        return child_id

    @classmethod
    def parse(cls, text: str) -> ChildId:
        """Parse user input (any case, spaces or hyphens); raise ``InvalidChildId`` if wrong."""
        canonical = _canonical(text)
        if len(canonical) != LENGTH or any(c not in _INDEX for c in canonical):
            raise InvalidChildId(
                "child ID must be 12 letters and digits, like 7KQ2-M9XD-4RTW", field="child_id"
            )
        return cls(canonical)

    def __str__(self) -> str:
        v = self.value
        return f"{v[0:4]}-{v[4:8]}-{v[8:12]}"
