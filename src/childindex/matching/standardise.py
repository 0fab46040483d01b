"""Standard forms of the fields matching compares: pure functions, no I/O.

Both the batch model (``linkage/``) and the online engine compare these forms, so a record
is standardised the same way whichever path judges it.

>>> standard_name("  Zoë-Anne  O'Brien ")
'zoe anne obrien'
>>> postcode_levels("sw1a1aa")
PostcodeLevels(full='SW1A 1AA', sector='SW1A 1', district='SW1A')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Final

from childindex.domain.nicknames import NICKNAMES, name_forms

# Letters NFKD does not decompose into a base letter plus accent.
_FOLD: Final = str.maketrans({"ł": "l", "\u0131": "i", "ø": "o", "ß": "ss", "đ": "d", "æ": "ae"})
_SEPARATORS: Final = re.compile("[-\u2010\u2011\u2013\u2014_.,/]+")
_APOSTROPHES: Final = re.compile("['\u2019\u2018`\u00b4]")
_NOT_LETTER: Final = re.compile(r"[^a-z ]+")
_POSTCODE: Final = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
# Names and postcodes repeat across a feed (a few thousand forenames cover most children):
# a bulk load standardises each distinct value once. Bounded, and the functions are pure.
_CACHED: Final = 1 << 16
_SOUNDEX_CODES: Final = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


@lru_cache(maxsize=_CACHED)
def standard_name(name: str | None) -> str:
    """Lower case, accents removed, hyphens as spaces, apostrophes dropped, single spaces.

    ``"O'Brien"``, ``"OBRIEN"`` and a curly apostrophe all give ``"obrien"``; ``"Smith-Jones"``
    gives ``"smith jones"``. An absent name gives ``""``.
    """
    if not name:
        return ""
    folded = name.casefold().translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", folded)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = _APOSTROPHES.sub("", plain)
    plain = _SEPARATORS.sub(" ", plain)
    plain = _NOT_LETTER.sub("", plain)
    return " ".join(plain.split())


def name_tokens(*names: str | None) -> tuple[str, ...]:
    """Every standard token of the given names, in order, without repeats."""
    seen: dict[str, None] = {}
    for name in names:
        for token in standard_name(name).split():
            seen.setdefault(token, None)
    return tuple(seen)


def canonical_forename(name: str | None) -> str:
    """The formal name a nickname stands for (``"ollie"`` -> ``"oliver"``), else the name.

    Only the first token counts: ``"Mary Jane"`` is ``"mary"``.
    """
    tokens = standard_name(name).split()
    if not tokens:
        return ""
    return NICKNAMES.get(tokens[0], tokens[0])


@lru_cache(maxsize=_CACHED)
def forename_forms(token: str) -> str:
    """A standard forename token and every formal name it may stand for, sorted and space
    separated (``"harry"`` -> ``"harrison harry henry"``): the batch model's SQL reads
    nicknames from it as the Python comparison reads ``may_be_same_name``."""
    return " ".join(sorted(name_forms(token)))


@lru_cache(maxsize=_CACHED)
def soundex(name: str | None) -> str:
    """American Soundex of the standard name without spaces (``"Robert"`` -> ``"R163"``)."""
    letters = standard_name(name).replace(" ", "")
    if not letters:
        return ""
    codes = _SOUNDEX_CODES
    out = [letters[0].upper()]
    previous = codes.get(letters[0], "")
    for ch in letters[1:]:
        code = codes.get(ch, "")
        if code and code != previous:
            out.append(code)
        if ch not in "hw":  # h and w do not separate equal codes; vowels do
            previous = code
        if len(out) == 4:
            break
    return "".join(out).ljust(4, "0")


def parse_date(value: str | None) -> date | None:
    """An ISO ``YYYY-MM-DD`` date, or ``None`` when absent or not a real date."""
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def day_month_swap(value: date) -> date | None:
    """The date with day and month exchanged, when that is a different real date."""
    if value.day == value.month or value.day > 12:
        return None
    return value.replace(month=value.day, day=value.month)


def date_candidates(value: str | None) -> tuple[date, ...]:
    """The date as written, then its day/month swap when that is a real, different date."""
    parsed = parse_date(value)
    if parsed is None:
        return ()
    swapped = day_month_swap(parsed)
    return (parsed,) if swapped is None else (parsed, swapped)


@dataclass(frozen=True, slots=True)
class PostcodeLevels:
    """A UK postcode at three levels of precision (empty strings when unparseable)."""

    full: str
    sector: str
    district: str


@lru_cache(maxsize=_CACHED)
def postcode_levels(value: str | None) -> PostcodeLevels:
    """Full (``"AL1 0UB"``), sector (``"AL1 0"``) and district (``"AL1"``) of a postcode.

    Case and spacing are ignored; a value that is not a UK postcode gives empty levels.
    """
    compact = "".join((value or "").upper().split())
    found = _POSTCODE.match(compact)
    if found is None:
        return PostcodeLevels("", "", "")
    outward, inward = found.groups()
    return PostcodeLevels(f"{outward} {inward}", f"{outward} {inward[0]}", outward)


_STREET_WORDS: Final = {
    "rd": "road",
    "st": "street",
    "ave": "avenue",
    "av": "avenue",
    "cl": "close",
    "ln": "lane",
    "dr": "drive",
    "cres": "crescent",
    "gdns": "gardens",
    "terr": "terrace",
    "ter": "terrace",
    "pl": "place",
    "ct": "court",
    "sq": "square",
}


def standard_address(*lines: str | None) -> str:
    """Address lines as one standard string, street abbreviations spelt out.

    ``"Flat 2, 20 Woodland Rd"`` gives ``"flat 2 20 woodland road"``.
    """
    words: list[str] = []
    for line in lines:
        if not line:
            continue
        folded = unicodedata.normalize("NFKD", line.casefold().translate(_FOLD))
        plain = "".join(c for c in folded if not unicodedata.combining(c))
        plain = _APOSTROPHES.sub("", plain)
        plain = re.sub(r"[^a-z0-9 ]+", " ", plain)
        words.extend(_STREET_WORDS.get(word, word) for word in plain.split())
    return " ".join(words)


_NOT_DIGIT: Final = re.compile(r"[^0-9]+")
# A UK number written with the country code: +44 7700 900401 is 07700 900401.
_COUNTRY_CODE: Final = "44"


def standard_phone(phone: str | None) -> str:
    """Digits only, a UK country code read as the leading 0; ``""`` when too short to be a
    number (``"+44 7700 900401"``, ``"07700900401"`` and ``"07700 900401"`` are one).

    >>> standard_phone("+44 (0)7700 900401")
    '07700900401'
    """
    digits = _NOT_DIGIT.sub("", phone or "")
    digits = digits.removeprefix("00")  # dialled from abroad: 0044 7700 900401
    if digits.startswith(_COUNTRY_CODE):
        digits = "0" + digits[len(_COUNTRY_CODE) :].removeprefix("0")
    return digits if len(digits) >= 6 else ""


def carer_keys(carers: Iterable[Mapping[str, Any]]) -> str:
    """Each carer's phone, e-mail and full name in standard form, as sorted space-separated
    tokens (``""`` for none): two records of one child nearly always share one of them.

    >>> carer_keys([{"given_name": "Zoë", "family_name": "O'Brien", "phone": "07700 900401"}])
    'n:zoe-obrien t:07700900401'
    """
    keys: set[str] = set()
    for carer in carers:
        phone = standard_phone(_str(carer.get("phone")))
        email = _str(carer.get("email")).strip().casefold()
        given = standard_name(_str(carer.get("given_name")))
        family = standard_name(_str(carer.get("family_name")))
        keys |= {f"t:{phone}"} if phone else set()
        keys |= {f"e:{email}"} if email and " " not in email else set()
        if given and family:
            keys.add(f"n:{given.replace(' ', '-')}-{family.replace(' ', '-')}")
    return " ".join(sorted(keys))


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def house_number(address: str) -> str:
    """The first number in a standard address (``"flat 2 20 woodland road"`` -> ``"2"``)."""
    found = re.search(r"\d+[a-z]?", address)
    return found.group(0) if found else ""
