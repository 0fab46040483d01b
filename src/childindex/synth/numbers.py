"""Identifier and phone number sequences: unique, valid and never real.

* NHS numbers come from the range beginning with 9, which is never issued to people in
  England and Wales: first the 999 test range, then the rest of the 9 range. A counter is
  mapped through an affine permutation, so the numbers look scattered yet never repeat,
  without remembering what was issued.
* UPNs carry the local-authority code, an establishment number, the year of allocation and a
  serial, counted per authority, with the DfE check letter.
* Phone numbers come only from Ofcom's ranges reserved for drama.
"""

from __future__ import annotations

import random
from typing import Final

from childindex.domain.identifiers import nhs_check_digit, upn_check_letter

_TEST_BLOCK: Final = 1_000_000  # 999 000 000 .. 999 999 999 (first nine digits)
_REST_BLOCK: Final = 99_000_000  # 900 000 000 .. 998 999 999
_TEST_STEP: Final = 736_181  # coprime with 10**6
_REST_STEP: Final = 48_271  # coprime with 99 * 10**6


class NhsNumbers:
    """Valid NHS numbers beginning with 9, each issued once.

    ``first`` and ``count`` give this issuer its own stretch of the sequence, so that
    issuers working on different parts of a country never hand out the same number.
    """

    def __init__(self, seed: int, first: int = 0, count: int = _TEST_BLOCK + _REST_BLOCK) -> None:
        self._next = first
        self._stop = first + count
        self._test_offset = (seed * 7_919 + 12_345) % _TEST_BLOCK
        self._rest_offset = (seed * 104_729 + 54_321) % _REST_BLOCK

    def issue(self) -> str:
        """The next unused valid number."""
        while True:
            k = self._next
            self._next += 1
            if k >= self._stop:
                message = "this part of the NHS number sequence is used up"
                raise ValueError(message)
            if k < _TEST_BLOCK:
                prefix = 999_000_000 + (k * _TEST_STEP + self._test_offset) % _TEST_BLOCK
            elif k < _TEST_BLOCK + _REST_BLOCK:
                rest = k - _TEST_BLOCK
                prefix = 900_000_000 + (rest * _REST_STEP + self._rest_offset) % _REST_BLOCK
            else:
                message = "the 9 range of NHS numbers is exhausted"
                raise ValueError(message)
            digits = str(prefix)
            check = nhs_check_digit(digits)
            if check is not None:
                return f"{digits}{check}"


class Upns:
    """Unique pupil numbers, counted per local authority."""

    def __init__(self) -> None:
        self._issued: dict[str, int] = {}

    def issue(self, la_code: str, year: int) -> str:
        """A new UPN allocated by ``la_code`` in ``year``."""
        count = self._issued.get(la_code, 0)
        self._issued[la_code] = count + 1
        establishment = 2000 + count // 1000
        if establishment > 9999:
            message = f"local authority {la_code} has run out of UPNs"
            raise ValueError(message)
        body = f"{la_code}{establishment:04d}{year % 100:02d}{count % 1000:03d}"
        return upn_check_letter(body) + body


class OpaqueIds:
    """Record ids that look random but are a permutation of a counter.

    The permutation (``k * step + offset`` modulo ``10**width``, with ``step`` coprime with
    10) is drawn from ``scramble``; the counter runs over ``span`` (start, length).
    """

    def __init__(self, prefix: str, width: int, scramble: str, span: tuple[int, int]) -> None:
        draw = random.Random(scramble)  # a fixed scramble, not a secret
        modulus = 10**width
        step = draw.randrange(modulus // 10, modulus) | 1
        self._step = step + 2 if step % 5 == 0 else step
        self._offset = draw.randrange(modulus)
        self._prefix = prefix
        self._width = width
        self._modulus = modulus
        self._next, count = span
        self._stop = min(self._next + count, modulus)

    def issue(self) -> str:
        """The next id."""
        k = self._next
        if k >= self._stop:
            message = f"ran out of {self._prefix} record ids"
            raise ValueError(message)
        self._next = k + 1
        return self._prefix + str((k * self._step + self._offset) % self._modulus).zfill(
            self._width
        )


_MOBILE: Final = "07700 900{:03d}"
_LANDLINES: Final = (
    "020 7946 0{:03d}",
    "01632 960{:03d}",
    "0113 496 0{:03d}",
    "0114 496 0{:03d}",
    "0115 496 0{:03d}",
    "0116 496 0{:03d}",
    "0117 496 0{:03d}",
    "0118 496 0{:03d}",
    "0121 496 0{:03d}",
    "0131 496 0{:03d}",
    "0141 496 0{:03d}",
    "0151 496 0{:03d}",
    "0161 496 0{:03d}",
    "0191 498 0{:03d}",
    "029 2018 0{:03d}",
    "028 9018 0{:03d}",
)


def mobile(n: int) -> str:
    """A drama-range mobile number (``07700 900000``-``900999``)."""
    return _MOBILE.format(n % 1000)


def landline(n: int) -> str:
    """A drama-range landline number; ``n`` picks the area and the line."""
    return _LANDLINES[n % len(_LANDLINES)].format((n // len(_LANDLINES)) % 1000)


def restyle_phone(phone: str, style: int) -> str:
    """Write a phone number as a source might: 0 as given, 1 without spaces, 2 as +44."""
    if style == 1:
        return phone.replace(" ", "")
    if style == 2:
        return "+44 " + phone[1:]
    return phone
