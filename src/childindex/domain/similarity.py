"""Pure string and date similarity for the shield screen: Jaro-Winkler, a phonetic key and
birth-date closeness. No fuzziness leaks into search (that stays exact, ``names.py``).

>>> round(jaro_winkler("quennell", "quenel"), 2)
0.95
>>> sound_key("Quennell") == sound_key("Quenel")
True
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from childindex.domain.names import name_key

_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


@lru_cache(maxsize=1 << 16)
def letters(name: str) -> str:
    """The name's letters only, case-folded and accent-free (``"O'Brien"`` -> ``"obrien"``)."""
    return "".join(c for c in name_key(name) if c.isalpha())


@lru_cache(maxsize=1 << 16)
def first_word(name: str) -> str:
    """The letters of the name's first word, case-folded and accent-free (``"Zoë Ann"`` ->
    ``"zoe"``)."""
    words = name_key(name).split()
    return "".join(c for c in words[0] if c.isalpha()) if words else ""


@lru_cache(maxsize=1 << 16)
def sound_key(name: str) -> str:
    """The consonant skeleton of the name's first word, Soundex-coded including its first
    letter (so "Catherine" and "Katherine" agree): names that sound alike share it."""
    word = first_word(name)
    code = ""
    last = ""
    for char in word:
        digit = _CODES.get(char, "")
        if digit and digit != last:
            code += digit
        if char not in "hw":
            last = digit
    return code[:4] or word[:1]


def initials(given_name: str, family_name: str) -> str:
    """The first letters of the given and family names (``"Amara Okafor"`` -> ``"ao"``)."""
    return letters(given_name)[:1] + letters(family_name)[:1]


@lru_cache(maxsize=1 << 16)
def jaro_winkler(a: str, b: str) -> float:
    """Jaro-Winkler similarity of two strings, in [0, 1] (1 for equal, 0 if either is empty).
    Names recur (a feed compares each with the few shielded children's names): remembered."""
    if a == b:
        return 1.0 if a else 0.0
    if not a or not b:
        return 0.0
    window = max(max(len(a), len(b)) // 2 - 1, 0)
    used = [False] * len(b)
    matched_a: list[str] = []
    for i, char in enumerate(a):
        for j in range(max(0, i - window), min(len(b), i + window + 1)):
            if not used[j] and b[j] == char:
                used[j] = True
                matched_a.append(char)
                break
    if not matched_a:
        return 0.0
    matched_b = [b[j] for j, hit in enumerate(used) if hit]
    m = len(matched_a)
    transpositions = sum(x != y for x, y in zip(matched_a, matched_b, strict=True)) / 2
    jaro = (m / len(a) + m / len(b) + (m - transpositions) / m) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * 0.1 * (1 - jaro)


def swapped(day: date) -> date | None:
    """The date with day and month exchanged (a common keying error), if that is a date."""
    if day.day > 12 or day.day == day.month:
        return None
    return date(day.year, day.day, day.month)


# The screen's walks ask this of millions of pairs at a national size, among a few thousand
# birth dates: remembered (``_one_typo`` compares them as text). Some 50 MB at most.
@lru_cache(maxsize=1 << 18)
def date_closeness(a: date | None, b: date | None) -> float:
    """How likely two recorded birth dates are the same day, conservatively.

    1 equal; 0.85 day and month swapped; 0.6 one character apart in ISO form, or two
    adjacent characters exchanged (typos), or the same day and month in the year before or
    after (a year entered wrong: 2019 for 2020 is two characters); 0.6 if either is unknown;
    0.4 for the same year and month or year and day; 0 otherwise.
    """
    if a is None or b is None:
        return 0.6
    if a == b:
        return 1.0
    if swapped(a) == b:
        return 0.85
    if _one_typo(a.isoformat(), b.isoformat()) or _year_apart(a, b):
        return 0.6
    return _same_year_part(a, b)


def _year_apart(a: date, b: date) -> bool:
    return (a.month, a.day) == (b.month, b.day) and abs(a.year - b.year) == 1


def _one_typo(x: str, y: str) -> bool:
    differing = [i for i in range(len(x)) if x[i] != y[i]]
    if len(differing) == 1:
        return True
    first = differing[0]
    return differing == [first, first + 1] and x[first] == y[first + 1] and x[first + 1] == y[first]


@lru_cache(maxsize=1 << 12)
def near_years(day: date) -> frozenset[int]:
    """The other years in which the same day and month is one typo away from ``day`` in ISO
    form (a digit of the year changed, or two adjacent ones exchanged), or the year before
    or after: the only other years :func:`date_closeness` gives anything for. The shield
    screen's day-and-month key asks for these years alone (``storage/repositories/shields.py``).

    >>> sorted(y for y in near_years(date(2019, 3, 14)) if 2000 <= y <= 2030)
    [2009, 2010, 2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 2020, 2029]
    """
    year = f"{day.year:04d}"
    spellings = {year[:i] + digit + year[i + 1 :] for i in range(4) for digit in "0123456789"}
    spellings |= {year[:i] + year[i + 1] + year[i] + year[i + 2 :] for i in range(3)}
    spellings |= {f"{day.year - 1:04d}", f"{day.year + 1:04d}"}
    found = set()
    for spelling in spellings:
        other = int(spelling)
        if other == day.year or not 1 <= other <= 9999:
            continue
        try:
            found.add(date(other, day.month, day.day).year)
        except ValueError:
            continue  # 29 February in a year with none
    return frozenset(found)


def _same_year_part(a: date, b: date) -> float:
    return 0.4 if a.year == b.year and (a.month == b.month or a.day == b.day) else 0.0
