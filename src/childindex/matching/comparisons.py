"""The model's comparisons, level by level, as pure Python over :class:`Features`.

``linkage/settings.py`` states the same levels in SQL for Splink's training and batch
prediction; a test checks both give the same level for the same pair. Levels are listed
most-agreeing first; ``"null"`` means one side says nothing (weight 0).

Siblings share surname, address, postcode and town, so location is *one* comparison
(postcode level and address together), not three independent pieces of evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Final

from childindex.domain.nicknames import may_be_same_name
from childindex.matching.features import Features


def within_one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by at most one insertion, deletion, substitution or
    swap of adjacent characters (Damerau-Levenshtein distance ≤ 1)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


def _tokens(value: str | None) -> set[str]:
    return set(value.split()) if value else set()


def names_swapped(l: Features, r: Features) -> bool:  # noqa: E741
    """Given and family name entered the wrong way round on one of the records."""
    return (
        l.forename is not None
        and l.surname is not None
        and l.forename != l.surname
        and l.forename == r.surname
        and l.surname == r.forename
    )


def _shortened(a: str, b: str, *, initial: bool) -> bool:
    """One name is the other cut short: its initial alone (``initial``; two equal initials
    too), or its first two letters or more ("Tobi" for Tobias: a short form no nickname
    table holds)."""
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if not long.startswith(short):
        return False
    return len(short) == 1 if initial else len(short) >= 2 and short != long


def forename_level(l: Features, r: Features) -> str:  # noqa: E741 - left/right, as Splink
    """exact, swapped (with the surname), initial (one or both an initial, the same
    letter), nickname, typo, other_names, prefix or else."""
    if l.forename is None or r.forename is None:
        return "null"
    if l.forename == r.forename and len(l.forename) > 1:
        return "exact"  # two equal initials are no more than initials ("initial")
    if names_swapped(l, r):
        return "swapped"
    if min(len(l.forename), len(r.forename)) == 1:
        # An initial is an initial only: never a typo, a nickname or another name of "K".
        return "initial" if _shortened(l.forename, r.forename, initial=True) else "else"
    return _forenames_differ(l, r)


def _forenames_differ(l: Features, r: Features) -> str:  # noqa: E741
    """How two different forenames, each longer than an initial, still agree: nickname,
    typo, other_names, prefix or else."""
    left, right = l.forename or "", r.forename or ""
    if may_be_same_name(left, right):
        return "nickname"
    if within_one_edit(left, right):
        return "typo"
    if left in _tokens(r.forenames) or right in _tokens(l.forenames):
        return "other_names"
    return "prefix" if _shortened(left, right, initial=False) else "else"


def middle_level(l: Features, r: Features) -> str:  # noqa: E741
    """exact, similar (a middle name among the other's given names, as when one source
    records two middle names and another one, or the names in another order; or the middle
    names a letter apart) or else. Null when either side records none: sources often leave
    middle names out. A typo is not a level of its own: a country whose sources never
    mistype a middle name would teach the model that one is proof of two children."""
    if l.middle_names is None or r.middle_names is None:
        return "null"
    if l.middle_names == r.middle_names:
        return "exact"
    if (
        _tokens(l.middle_names) & _tokens(r.forenames)
        or _tokens(r.middle_names) & _tokens(l.forenames)
        or within_one_edit(l.middle_names, r.middle_names)
    ):
        return "similar"
    return "else"


def surname_level(l: Features, r: Features) -> str:  # noqa: E741
    """exact, swapped (with the forename), typo, shared_part (one part of a double-barrelled
    name), soundex or else."""
    if l.surname is None or r.surname is None:
        return "null"
    if l.surname == r.surname:
        return "exact"
    if names_swapped(l, r):
        return "swapped"
    return _surnames_differ(l, r)


def _surnames_differ(l: Features, r: Features) -> str:  # noqa: E741
    """How two different surnames still agree: typo, shared_part, soundex or else."""
    if within_one_edit(l.surname or "", r.surname or ""):
        return "typo"
    if _tokens(l.surname) & _tokens(r.surname):
        return "shared_part"
    return "soundex" if l.surname_sdx == r.surname_sdx else "else"


def dob_level(l: Features, r: Features) -> str:  # noqa: E741
    """exact, swap (day and month exchanged), one_char, day (a day apart by the calendar,
    more than a character: the 31st and the 1st, the 20th and the 19th), year (the same day
    and month, the years one apart) or else."""
    if l.dob is None or r.dob is None:
        return "null"
    if l.dob == r.dob:
        return "exact"
    if l.dob == r.dob_swap or l.dob_swap == r.dob:
        return "swap"
    if within_one_edit(l.dob, r.dob):
        return "one_char"
    if _day_apart(l.dob, r.dob):
        return "day"
    return "year" if _year_apart(l.dob, r.dob) else "else"


def _day_apart(a: str, b: str) -> bool:
    """Two ISO dates one day apart (a birth either side of midnight, a day miscounted)."""
    if a[:7] != b[:7] and "01" not in (a[8:], b[8:]):
        return False  # in two months, and neither the first of one: not a day apart
    try:
        return abs((date.fromisoformat(a) - date.fromisoformat(b)).days) == 1
    except ValueError:
        return False


def _year_apart(a: str, b: str) -> bool:
    """Two ISO dates on the same day and month, one year apart."""
    return a[4:] == b[4:] and abs(int(a[:4]) - int(b[:4])) == 1


def sex_level(l: Features, r: Features) -> str:  # noqa: E741
    """exact or else."""
    if l.sex is None or r.sex is None:
        return "null"
    return "exact" if l.sex == r.sex else "else"


def location_level(l: Features, r: Features) -> str:  # noqa: E741
    """address (same postcode and address), postcode, sector, district or else."""
    if l.postcode is None or r.postcode is None:
        return "null"
    if l.postcode == r.postcode:
        return "address" if l.address is not None and l.address == r.address else "postcode"
    if l.pc_sector == r.pc_sector:
        return "sector"
    if l.pc_district == r.pc_district:
        return "district"
    return "else"


def _identifier_level(a: str | None, b: str | None) -> str:
    if a is None or b is None:
        return "null"
    return "exact" if a == b else "else"


def nhs_level(l: Features, r: Features) -> str:  # noqa: E741
    """exact or else (both present, different)."""
    return _identifier_level(l.nhs_number, r.nhs_number)


def upn_level(l: Features, r: Features) -> str:  # noqa: E741
    """exact or else (both present, different)."""
    return _identifier_level(l.upn, r.upn)


def carers_level(l: Features, r: Features) -> str:  # noqa: E741
    """shared (a carer's phone, e-mail or name on both) or else (both name carers, none in
    common). Null when either names none: only health records and benefit claims do."""
    if l.carers is None or r.carers is None:
        return "null"
    return "shared" if _tokens(l.carers) & _tokens(r.carers) else "else"


COMPARISONS: Final[dict[str, Callable[[Features, Features], str]]] = {
    "forename": forename_level,
    "middle_names": middle_level,
    "surname": surname_level,
    "dob": dob_level,
    "sex": sex_level,
    "location": location_level,
    "nhs_number": nhs_level,
    "upn": upn_level,
    "carers": carers_level,
}

LEVELS: Final[dict[str, tuple[str, ...]]] = {
    "forename": (
        "exact",
        "swapped",
        "initial",
        "nickname",
        "typo",
        "other_names",
        "prefix",
        "else",
    ),
    "middle_names": ("exact", "similar", "else"),
    "surname": ("exact", "swapped", "typo", "shared_part", "soundex", "else"),
    "dob": ("exact", "swap", "one_char", "day", "year", "else"),
    "sex": ("exact", "else"),
    "location": ("address", "postcode", "sector", "district", "else"),
    "nhs_number": ("exact", "else"),
    "upn": ("exact", "else"),
    "carers": ("shared", "else"),
}

# Comparisons that only ever count against a match: agreement weighs nothing. Brothers and
# sisters share their carers, so a carer in common would let a household outvote a
# different forename and birth date (issue 5's trap); carers none in common are evidence of
# two children, in two homes (ADR 0025).
AGAINST_ONLY: Final[frozenset[str]] = frozenset({"carers"})

# Comparisons whose exact level is adjusted for how common the value is.
TF_COLUMNS: Final[dict[str, str]] = {
    "forename": "forename",
    "middle_names": "middle_names",
    "surname": "surname",
}


def compare(l: Features, r: Features) -> dict[str, str]:  # noqa: E741
    """The level of every comparison for the pair."""
    return {name: level_of(l, r) for name, level_of in COMPARISONS.items()}
