"""Deterministic rules on verified identifiers (NHS number, UPN), with the safeguard.

The same identifier links automatically only when date of birth and sex agree (allowing a
one-character slip, a day/month swap, or the same day and month a year off: 2019 for 2020 is
the slip 2015 for 2016 is, across a decade). The same identifier with a clearly different
date of birth or sex goes to review, never to an automatic link: a shared number is then
more likely a keying error than the same child.
"""

from __future__ import annotations

from collections.abc import Iterable
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


def identifiers_of(records: Iterable[Features]) -> tuple[set[str], set[str]]:
    """The NHS numbers and the UPNs the records hold."""
    held: tuple[set[str], set[str]] = (set(), set())
    for features in records:
        for kind, value in enumerate((features.nhs_number, features.upn)):
            if value is not None:
                held[kind].add(value)
    return held


def _kinds_apart(
    left: tuple[set[str], set[str]], right: tuple[set[str], set[str]]
) -> tuple[bool, bool]:
    """Per identifier kind (NHS number, UPN; from :func:`identifiers_of`): whether both
    sides hold some, none shared."""

    def apart(ours: set[str], theirs: set[str]) -> bool:
        return bool(ours and theirs and not ours & theirs)

    return apart(left[0], right[0]), apart(left[1], right[1])


def conflicting_kinds(left: tuple[set[str], set[str]], right: tuple[set[str], set[str]]) -> int:
    """How many identifier kinds (NHS number, UPN; from :func:`identifiers_of`) both sides
    hold, none shared: two registrations of one child, or two children."""
    return sum(_kinds_apart(left, right))


def joinable_on_score(
    left: tuple[set[str], set[str]], right: tuple[set[str], set[str]], *, outright: bool
) -> bool:
    """Whether two sides (:func:`identifiers_of`) may be joined by a pair that shares no
    identifier. NHS numbers none shared are a child registered twice or two children: only
    where ``outright``, two records holding them agree outright (forename, birth date, and
    address or postcode), are they joined. UPNs none shared
    never: a pupil keeps one UPN for life, so a school holding two for one name, birth date
    and home holds two pupils (twins, one known by the other's name; ADR 0041)."""
    nhs_apart, upns_apart = _kinds_apart(left, right)
    return not upns_apart and (outright or not nhs_apart)
