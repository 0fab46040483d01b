"""Checks and normal forms for the identifiers the sources carry.

* NHS number: 10 digits, the last a modulus-11 check digit.
* UPN (unique pupil number): 13 characters, the first a check letter (DfE algorithm).
* Postcode: UK format, normalised to upper case with one space before the inward code.

Each ``normalise_*`` returns the canonical form or raises :class:`InvalidIdentifier`
naming the field.
"""

from __future__ import annotations

import re

from childindex.domain.errors import InvalidIdentifier

_NHS_WEIGHTS = range(10, 1, -1)


def nhs_check_digit(first_nine: str) -> int | None:
    """The modulus-11 check digit for nine digits, or None if no valid number exists."""
    total = sum(int(d) * w for d, w in zip(first_nine, _NHS_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid_nhs_number(text: str) -> bool:
    """True if ``text`` is exactly ten digits with a correct check digit."""
    if len(text) != 10 or not text.isascii() or not text.isdigit():
        return False
    return nhs_check_digit(text[:9]) == int(text[9])


def normalise_nhs_number(text: str, *, field: str = "nhs_number") -> str:
    """Strip spaces and hyphens; raise unless a valid NHS number remains."""
    compact = re.sub(r"[\s-]", "", text)
    if not (len(compact) == 10 and compact.isascii() and compact.isdigit()):
        raise InvalidIdentifier("NHS number must be 10 digits", field=field)
    if not is_valid_nhs_number(compact):
        raise InvalidIdentifier("NHS number check digit does not match", field=field)
    return compact


UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: no I, O or S
_UPN_BODY = re.compile(r"^[0-9]{11}[0-9A-HJ-NP-RT-Z]$")


def upn_check_letter(body: str) -> str:
    """The DfE check letter for the 12 characters that follow it.

    Each character is weighted by its position (2..13); a letter in the last place
    (a temporary UPN) counts as its index in ``UPN_LETTERS``.
    """
    total = 0
    for position, ch in enumerate(body, start=2):
        value = int(ch) if ch.isdigit() else UPN_LETTERS.index(ch)
        total += value * position
    return UPN_LETTERS[total % 23]


def is_valid_upn(text: str) -> bool:
    """True if ``text`` is a 13-character UPN with a correct check letter."""
    if len(text) != 13 or text[0] not in UPN_LETTERS or not _UPN_BODY.match(text[1:]):
        return False
    return upn_check_letter(text[1:]) == text[0]


def normalise_upn(text: str, *, field: str = "upn") -> str:
    """Upper-case and strip spaces; raise unless a valid UPN remains."""
    compact = re.sub(r"\s", "", text).upper()
    if len(compact) != 13 or compact[0] not in UPN_LETTERS or not _UPN_BODY.match(compact[1:]):
        raise InvalidIdentifier(
            "UPN must be a check letter followed by 12 digits (the last may be a letter)",
            field=field,
        )
    if upn_check_letter(compact[1:]) != compact[0]:
        raise InvalidIdentifier("UPN check letter does not match", field=field)
    return compact


# Outward code: area (1-2 letters) + district (digit, then optional digit or letter);
# inward code: digit + two letters (no C, I, K, M, O, V).
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9][ABD-HJLNP-UW-Z]{2})$")


def normalise_postcode(text: str, *, field: str = "postcode") -> str:
    """Upper-case, one space before the inward code; raise if not a UK postcode shape."""
    compact = re.sub(r"\s", "", text).upper()
    match = _POSTCODE.match(compact)
    if not match:
        raise InvalidIdentifier("postcode is not in UK format (like SW1A 1AA)", field=field)
    return f"{match.group(1)} {match.group(2)}"


def postcode_sector(postcode: str) -> str:
    """``"SW1A 1AA"`` -> ``"SW1A 1"``."""
    return postcode[:-2]


def postcode_district(postcode: str) -> str:
    """``"SW1A 1AA"`` -> ``"SW1A"``."""
    return postcode.split(" ", 1)[0]
