"""Deterministic rules on verified identifiers (NHS number, UPN), with the safeguard.

The same identifier links automatically only when date of birth and sex agree (allowing a
one-character slip, a day/month swap, or the same day and month a year off: 2019 for 2020 is
the slip 2015 for 2016 is, across a decade). The same identifier with a clearly different
date of birth or sex goes to review, never to an automatic link: a shared number is then
more likely a keying error than the same child.
"""

from __future__ import annotations

from enum import StrEnum

from childindex.matching.comparisons import dob_level, sex_level
from childindex.matching.features import Features


class IdentifierVerdict(StrEnum):
    """What shared identifiers say about a pair."""

    NONE = "none"  # no identifier in common
    LINK = "link"  # a shared identifier, and nothing contradicts it
    REVIEW = "review"  # a shared identifier, but date of birth or sex clearly differ


def identifier_verdict(left: Features, right: Features) -> IdentifierVerdict:
    """The deterministic verdict for a pair.

    >>> a = Features(*(None,) * 12, nhs_number="9990000018", upn=None)
    >>> identifier_verdict(a, a)
    <IdentifierVerdict.LINK: 'link'>
    """
    shared = (left.nhs_number is not None and left.nhs_number == right.nhs_number) or (
        left.upn is not None and left.upn == right.upn
    )
    if not shared:
        return IdentifierVerdict.NONE
    if dob_level(left, right) == "else" or sex_level(left, right) == "else":
        return IdentifierVerdict.REVIEW
    return IdentifierVerdict.LINK
