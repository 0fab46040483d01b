"""The ways real source systems get people wrong: typos, accents, swapped dates, variants."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from childindex.synth.places import INWARD_LETTERS

if TYPE_CHECKING:
    from random import Random

_KEYBOARD: Final = {
    "q": "wa",
    "w": "qes",
    "e": "wrd",
    "r": "etf",
    "t": "ryg",
    "y": "tuh",
    "u": "yij",
    "i": "uok",
    "o": "ipl",
    "p": "ol",
    "a": "qsz",
    "s": "adwx",
    "d": "sfex",
    "f": "dgrc",
    "g": "fhtv",
    "h": "gjyb",
    "j": "hkun",
    "k": "jlim",
    "l": "ko",
    "z": "xas",
    "x": "zcs",
    "c": "xvd",
    "v": "cbf",
    "b": "vng",
    "n": "bmh",
    "m": "nj",
}
_FOLD: Final = str.maketrans(
    {"ł": "l", "Ł": "L", "\u0131": "i", "ø": "o", "Ø": "O", "ß": "ss", "đ": "d"}
)
_ABBREVIATIONS: Final = {
    "Road": "Rd",
    "Street": "St",
    "Avenue": "Ave",
    "Close": "Cl",
    "Lane": "Ln",
    "Drive": "Dr",
    "Crescent": "Cres",
    "Gardens": "Gdns",
    "Terrace": "Terr",
    "Place": "Pl",
    "Court": "Ct",
    "Square": "Sq",
}


def _neighbour(rng: Random, ch: str) -> str:
    keys = _KEYBOARD.get(ch.lower(), "aeiou")
    out = keys[rng.randrange(len(keys))]
    return out.upper() if ch.isupper() else out


def typo(rng: Random, text: str) -> str:
    """One keying error: substitute, delete, insert or transpose a letter."""
    positions = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(positions) < 3:
        return text
    op = rng.randrange(4)
    i = positions[rng.randrange(1, len(positions))]  # keep the initial, as people do
    ch = text[i]
    if op == 1:
        return text[:i] + text[i + 1 :]
    if op == 2:
        extra = ch.lower() if rng.random() < 0.5 else _neighbour(rng, ch.lower())
        return text[: i + 1] + extra + text[i + 1 :]
    if op == 3 and i + 1 < len(text) and text[i + 1].isalpha() and text[i + 1] != ch:
        return text[:i] + text[i + 1] + ch + text[i + 2 :]
    return text[:i] + _neighbour(rng, ch) + text[i + 1 :]


@lru_cache(maxsize=16_384)
def strip_accents(text: str) -> str:
    """``Zoë`` -> ``Zoe``, ``Łukasz`` -> ``Lukasz``: what an ASCII-only system stores."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=16_384)
def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters and digits only (for e-mail addresses)."""
    return "".join(ch for ch in strip_accents(text).lower() if ch.isascii() and ch.isalnum())


def surname_variant(rng: Random, family: str) -> str:
    """How a system without hyphens, apostrophes or spaces mangles a surname."""
    if "-" in family:
        first, second = family.split("-", 1)
        return (f"{first} {second}", f"{first}{second.lower()}", first, second)[rng.randrange(4)]
    if "'" in family:
        head, tail = family.split("'", 1)
        return (f"{head}{tail}", f"{head} {tail}", f"{head}'{tail.lower()}")[rng.randrange(3)]
    if " " in family:
        return family.replace(" ", "") if rng.random() < 0.7 else family.replace(". ", " ")
    return family


def abbreviate_street(street: str) -> str:
    """``Maple Road`` -> ``Maple Rd``."""
    stem, _, kind = street.rpartition(" ")
    short = _ABBREVIATIONS.get(kind)
    return f"{stem} {short}" if short else street


def swap_day_month(day: date) -> date:
    """The date with day and month swapped, where both are 12 or less (else unchanged)."""
    if day.day > 12 or day.day == day.month:
        return day
    return date(day.year, day.day, day.month)


def date_typo(rng: Random, day: date) -> date:
    """A date keyed wrongly: a day out, the year out by one, or the day's digits swapped."""
    op = rng.randrange(3)
    if op == 0:
        return day + timedelta(days=1 if rng.random() < 0.5 else -1)
    try:
        if op == 1:
            return day.replace(year=day.year + (1 if rng.random() < 0.5 else -1))
        digits = f"{day.day:02d}"
        return day.replace(day=int(digits[::-1]))
    except ValueError:
        return day


def wrong_postcode(rng: Random, postcode: str) -> str:
    """A neighbouring or mistyped postcode that is still UK-shaped."""
    outward, inward = postcode.split(" ")
    digit, first, second = inward[0], inward[1], inward[2]
    op = rng.randrange(3)
    if op == 0 and first != second:
        return f"{outward} {digit}{second}{first}"
    if op == 1:
        return f"{outward} {(int(digit) + 1) % 10}{first}{second}"
    other = INWARD_LETTERS[(INWARD_LETTERS.index(second) + 1) % len(INWARD_LETTERS)]
    return f"{outward} {digit}{first}{other}"


def restyle_postcode(rng: Random, postcode: str) -> str:
    """Lower case and/or without the space, as some systems store it."""
    op = rng.randrange(3)
    if op == 0:
        return postcode.replace(" ", "")
    if op == 1:
        return postcode.lower()
    return postcode.replace(" ", "").lower()
