"""The fields every source shares, as one source would record them for one child."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Final

from childindex.synth import corrupt
from childindex.synth.names import NICKNAMES
from childindex.synth.people import age_on
from childindex.synth.places import OLDEST_BIRTH, REFERENCE_DATE

if TYPE_CHECKING:
    from random import Random

    from childindex.synth.people import Child, Household
    from childindex.synth.places import Address
    from childindex.synth.profiles import Profile

COMMON_FIELDS: Final = (
    "record_id",
    "given_name",
    "other_given_names",
    "family_name",
    "sex",
    "birth_date",
    "address_line1",
    "address_line2",
    "town",
    "postcode",
    "updated_at",
)
_LAST: Final = REFERENCE_DATE.toordinal()
_FIRST_DAY: Final = OLDEST_BIRTH.toordinal() - 400
_DAYS: Final = tuple(date.fromordinal(d).isoformat() for d in range(_FIRST_DAY, _LAST + 400))
_CLOCK: Final = tuple(f"T{m // 60:02d}:{m % 60:02d}:" for m in range(1440))
_SECONDS: Final = tuple(f"{s:02d}Z" for s in range(60))


def iso(day: date) -> str:
    """``day.isoformat()``, from a table for the days the generator uses."""
    index = day.toordinal() - _FIRST_DAY
    return _DAYS[index] if 0 <= index < len(_DAYS) else day.isoformat()


class Renderer:
    """Turns the truth about a child into one source's imperfect record."""

    def __init__(self, rng: Random) -> None:
        self._rng = rng

    def common(
        self, child: Child, home: Household, profile: Profile, *, stale: bool | None = None
    ) -> tuple[list[str], Address, bool]:
        """Common field values (``record_id`` left empty), the address used, and staleness.

        ``stale`` forces (or forbids) the household's former address; by default the
        profile decides, and only for children born before the move.
        """
        random = self._rng.random
        moved = home.old_address is not None and child.birth < home.moved_on
        if stale is None:
            stale = moved and random() < profile.stale_address
        stale = stale and moved
        address = home.old_address if stale and home.old_address is not None else home.address
        given, middle, family = self._names(child, profile)
        line1, line2, postcode = self._address(address, profile)
        sex = "U" if random() < profile.unknown_sex else child.sex
        birth = child.birth
        if random() < profile.swap_day_month + profile.date_typo:
            birth = self._wrong_birth(birth, profile)
        return (
            [
                "",
                given,
                middle,
                family,
                sex,
                iso(birth),
                line1,
                line2,
                address.town,
                postcode,
                self._updated(child, home, profile, stale=stale),
            ],
            address,
            stale,
        )

    def _forenames(self, child: Child, profile: Profile) -> tuple[str, str]:
        """The given name a source uses (perhaps a nickname or a middle name) and the others."""
        random = self._rng.random
        given, middle = child.given, child.middle
        if middle and random() < profile.known_by_middle:
            given, _, rest = middle.partition(" ")
            middle = " ".join(filter(None, (rest, child.given))) if random() < 0.5 else rest
        elif random() < profile.nickname:
            nicknames = NICKNAMES.get(given)
            if nicknames:
                given = nicknames[int(random() * len(nicknames))]
        return given, middle

    def _names(self, child: Child, profile: Profile) -> tuple[str, str, str]:
        rng = self._rng
        random = rng.random
        given, middle = self._forenames(child, profile)
        if middle and random() < profile.drop_middle:
            middle = ""
        family = child.family
        if child.old_family and random() < profile.stale_surname:
            family = child.old_family
        if ("-" in family or "'" in family or " " in family) and random() < profile.surname_variant:
            family = corrupt.surname_variant(rng, family)
        r = random()
        if r < profile.typo_given:
            given = corrupt.typo(rng, given)
        elif r < profile.typo_given + profile.typo_family:
            family = corrupt.typo(rng, family)
        accented = not (given.isascii() and middle.isascii() and family.isascii())
        if accented and random() < profile.strip_accents:
            given = corrupt.strip_accents(given)
            middle = corrupt.strip_accents(middle)
            family = corrupt.strip_accents(family)
        if random() < profile.upper_family:
            family = family.upper()
        return given, middle, family

    def _wrong_birth(self, birth: date, profile: Profile) -> date:
        rng = self._rng
        if rng.random() * (profile.swap_day_month + profile.date_typo) < profile.swap_day_month:
            written = corrupt.swap_day_month(birth)
        else:
            written = corrupt.date_typo(rng, birth)
        return written if OLDEST_BIRTH <= written <= REFERENCE_DATE else birth

    def _address(self, address: Address, profile: Profile) -> tuple[str, str, str]:
        rng = self._rng
        random = rng.random
        street = address.street
        if random() < profile.abbreviate:
            street = corrupt.abbreviate_street(street)
        if random() < profile.typo_address:
            street = corrupt.typo(rng, street)
        main = f"{address.number} {street}"
        locality = "" if random() < profile.drop_locality else address.locality
        if not address.flat:
            line1, line2 = main, locality
        elif random() < profile.flat_on_own_line:
            line1, line2 = f"Flat {address.flat}", main
        else:
            line1, line2 = f"Flat {address.flat}, {main}", locality
        postcode = address.postcode
        r = random()
        if r < profile.missing_postcode:
            return line1, line2, ""
        if r < profile.missing_postcode + profile.wrong_postcode:
            postcode = corrupt.wrong_postcode(rng, postcode)
        if random() < profile.restyle_postcode:
            postcode = corrupt.restyle_postcode(rng, postcode)
        return line1, line2, postcode

    def _updated(self, child: Child, home: Household, profile: Profile, *, stale: bool) -> str:
        random = self._rng.random
        if random() < profile.missing_updated:
            return ""
        first = child.birth.toordinal()
        if stale:
            moved = home.moved_on.toordinal()
            return self.stamp(max(first, moved - 900), max(first, moved - 1))
        if random() < profile.long_unchanged:
            return self.stamp(max(first, _LAST - 1460), max(first, _LAST - 365))
        return self.stamp(max(first, _LAST - 365), max(first, _LAST - 1))

    def stamp(self, first: int, last: int) -> str:
        """An ISO timestamp (UTC) on a day between two ordinals, inclusive."""
        random = self._rng.random
        day = first + int(random() * (last - first + 1)) - _FIRST_DAY
        seconds = int(random() * 86_400)
        return _DAYS[day] + _CLOCK[seconds // 60] + _SECONDS[seconds % 60]

    def day_between(self, first: int, last: int) -> date:
        """A day between two ordinals, inclusive."""
        return date.fromordinal(first + int(self._rng.random() * (max(first, last) - first + 1)))


def school_age_ok(birth_date: str) -> bool:
    """Whether a written birth date gives an age of 4 to 17 on the reference date."""
    return 4 <= age_on(date.fromisoformat(birth_date)) <= 17
