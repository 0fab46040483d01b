"""Households of children: names, birth dates, twins, carers, moves and shields."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Final

from childindex.synth.corrupt import ascii_fold
from childindex.synth.homes import AddressCursor
from childindex.synth.names import (
    BRITISH,
    COMMUNITY_LIST,
    NEAR_TWIN_NAMES,
    Community,
    pick_community,
    surname_for,
)
from childindex.synth.numbers import NhsNumbers, landline, mobile
from childindex.synth.places import OLDEST_BIRTH, REFERENCE_DATE

if TYPE_CHECKING:
    from random import Random

    from childindex.synth.places import Address, Geography

_SIZES: Final = (0.42, 0.80, 0.945, 0.985)  # cumulative shares of households with 1..4 children
TWIN_BIRTH: Final = 0.0165  # chance that a birth (with room for two) is of twins
_NEAR_TWIN: Final = 0.3
_MOVED: Final = 0.09
_SURNAME_CHANGE_HOUSEHOLD: Final = 0.011
_SURNAME_CHANGE_CHILD: Final = 0.004
_DECEASED: Final = 0.0003
_FIRST: Final = OLDEST_BIRTH.toordinal()
_LAST: Final = REFERENCE_DATE.toordinal()


@dataclass(slots=True)
class Carer:
    """A parent or carer; ``phone`` and ``email`` empty when unknown."""

    given: str
    family: str
    relationship: str
    responsibility: bool
    phone: str
    email: str


@dataclass(slots=True)
class Child:
    """The truth about one child; sources report it imperfectly."""

    key: str
    given: str
    middle: str
    family: str
    sex: str
    birth: date
    nhs_number: str
    twin: bool = False
    upn: str = ""
    old_family: str = ""
    shield_la: bool = False
    shield_health: bool = False
    deceased: date | None = None

    @property
    def shielded(self) -> bool:
        """Whether any source asks for this child to be shielded."""
        return self.shield_la or self.shield_health


@dataclass(slots=True)
class Household:
    """Children sharing an address and carers; ``old_address`` if they moved."""

    community: Community
    address: Address
    old_address: Address | None
    moved_on: date
    carers: list[Carer]
    children: list[Child] = field(default_factory=list)
    slot: int = 0  # which of the area's GP practices and schools the family uses


class People:
    """Makes households one at a time from a seeded random stream."""

    def __init__(
        self, rng: Random, geography: Geography, children: int, seed: int, nhs: tuple[int, int]
    ) -> None:
        self.rng = rng
        self.geography = geography
        self._rng = rng
        self._homes = AddressCursor(geography, children)
        self._nhs = NhsNumbers(seed, *nhs)
        self.shielded_rate = 0.005

    def issue_nhs_number(self) -> str:
        """A fresh NHS number (for duplicate registrations)."""
        return self._nhs.issue()

    def household(self, first_index: int, room: int) -> Household:
        """The next household, whose first child is number ``first_index``."""
        rng = self._rng
        community = pick_community(rng)
        surname = community.surnames.pick(rng)
        shielded_home = rng.random() < self.shielded_rate * 0.6
        address = self._homes.next_home(rng, first_index)
        old = None
        moved_on = REFERENCE_DATE
        if rng.random() < (0.5 if shielded_home else _MOVED):
            old = self._homes.elsewhere(rng, address.district)
            moved_on = date.fromordinal(_LAST - rng.randrange(30, 1100))
        home = Household(community, address, old, moved_on, self._carers(community, surname))
        home.slot = int(rng.random() * 2)
        r = rng.random()
        size = min(room, 1 + bisect_right(_SIZES, r))
        old_surname = (
            community.surnames.pick(rng) if rng.random() < _SURNAME_CHANGE_HOUSEHOLD else ""
        )
        for index, (birth, twin) in enumerate(self._births(size), start=first_index):
            child = self._child(index, home, surname, birth, twin=twin)
            if old_surname or rng.random() < _SURNAME_CHANGE_CHILD:
                old_family = surname_for(old_surname or community.surnames.pick(rng), child.sex)
                child.old_family = "" if old_family == child.family else old_family
            self._shield(child, shielded_home=shielded_home)
            if rng.random() < _DECEASED:
                child.deceased = date.fromordinal(rng.randint(birth.toordinal(), _LAST))
            home.children.append(child)
        return home

    def _births(self, size: int) -> list[tuple[date, bool]]:
        rng = self._rng
        births: list[int] = []
        left = size
        while left:
            births.append(2 if left >= 2 and rng.random() < TWIN_BIRTH else 1)
            left -= births[-1]
        gaps = [330 + int(rng.random() * 2071) for _ in births[1:]]
        room = _LAST - _FIRST + 1
        # Start anywhere and wrap round the eighteen years, so every child's birth date is
        # uniform over them (a wrapped sibling is simply much younger).
        day = int(rng.random() * room)
        out: list[tuple[date, bool]] = []
        for count, gap in zip(births, [*gaps, 0], strict=True):
            out.extend([(date.fromordinal(_FIRST + day % room), count == 2)] * count)
            day += gap
        return out

    def _child(
        self, index: int, home: Household, surname: str, birth: date, *, twin: bool
    ) -> Child:
        rng = self._rng
        community = home.community
        siblings = home.children
        sex = "F" if rng.random() < 0.488 else "M"
        partner = (
            siblings[-1]
            if twin and siblings and siblings[-1].twin and siblings[-1].birth == birth
            else None
        )
        if partner is not None and rng.random() < _NEAR_TWIN:
            first_sex, first_name, sex, given = NEAR_TWIN_NAMES[rng.randrange(len(NEAR_TWIN_NAMES))]
            partner.sex, partner.given = first_sex, first_name
            partner.family = surname_for(surname, first_sex)
            partner.middle = partner.middle if partner.middle != first_name else ""
        else:
            given = self._given(community, sex, {c.given for c in siblings})
        family = surname
        if siblings and not twin and rng.random() < 0.08:  # a half-sibling
            family = community.surnames.pick(rng)
        middle = ""
        r = rng.random()
        if r < 0.62:
            pool = community if rng.random() < 0.6 else COMMUNITY_LIST[int(rng.random() * 4)]
            table = pool.girls if sex == "F" else pool.boys
            picks = (table.pick(rng), table.pick(rng)) if r < 0.07 else (table.pick(rng),)
            middle = " ".join(dict.fromkeys(n for n in picks if n != given))
        return Child(
            key=f"P{index + 1:08d}",
            given=given,
            middle=middle,
            family=surname_for(family, sex),
            sex=sex,
            birth=birth,
            nhs_number=self._nhs.issue(),
            twin=twin,
        )

    def _given(self, community: Community, sex: str, taken: set[str]) -> str:
        rng = self._rng
        r = rng.random()
        if community is BRITISH:
            pool = COMMUNITY_LIST[rng.randrange(len(COMMUNITY_LIST))] if r < 0.06 else BRITISH
        else:
            pool = BRITISH if r < 0.28 else community
        table = pool.girls if sex == "F" else pool.boys
        name = table.pick(rng)
        for _ in range(50):
            if name not in taken:
                return name
            name = table.pick(rng)
        fallback = BRITISH.girls if sex == "F" else BRITISH.boys
        return next(n for n in fallback.names if n not in taken)

    def _shield(self, child: Child, *, shielded_home: bool) -> None:
        rng = self._rng
        # Whole families are shielded (a refuge) at 0.6 of the rate; single children make up
        # the rest, so that the expected share of shielded children is the rate itself.
        rate = self.shielded_rate
        alone = 0.4 * rate / (1 - 0.6 * rate)
        if not (shielded_home or rng.random() < alone):
            return
        r = rng.random()
        child.shield_la = r < 0.75
        child.shield_health = r < 0.45 or r >= 0.75

    def _carers(self, community: Community, surname: str) -> list[Carer]:
        rng = self._rng
        r = rng.random()
        mother_surname = surname if rng.random() < 0.75 else community.surnames.pick(rng)
        mother = self._carer(community, "F", mother_surname, "mother", responsibility=True)
        if r < 0.68:
            father = self._carer(
                community, "M", surname, "father", responsibility=rng.random() < 0.93
            )
            return [mother, father]
        if r < 0.76:
            step = self._carer(
                community,
                "M",
                community.surnames.pick(rng),
                "step-father",
                responsibility=rng.random() < 0.2,
            )
            return [mother, step]
        if r < 0.95:
            return [mother]
        if r < 0.97:
            return [self._carer(community, "M", surname, "father", responsibility=True)]
        if r < 0.99:
            kind = "grandmother" if rng.random() < 0.7 else "aunt"
            return [self._carer(community, "F", surname, kind, responsibility=True)]
        other = pick_community(rng)
        return [
            self._carer(other, "F", other.surnames.pick(rng), "foster carer", responsibility=False)
        ]

    def _carer(
        self,
        community: Community,
        sex: str,
        surname: str,
        relationship: str,
        *,
        responsibility: bool,
    ) -> Carer:
        rng = self._rng
        given = (community.women if sex == "F" else community.men).pick(rng)
        family = surname_for(surname, sex)
        r = rng.random()
        phone = (
            mobile(int(r * 1_000_000))
            if r < 0.88
            else landline(int(r * 1_000_000))
            if r < 0.95
            else ""
        )
        email = ""
        if rng.random() < 0.65:
            number = str(1 + int(rng.random() * 99)) if rng.random() < 0.5 else ""
            domain = "example.com" if rng.random() < 0.5 else "example.org"
            email = f"{ascii_fold(given)}.{ascii_fold(family)}{number}@{domain}"
        return Carer(given, family, relationship, responsibility, phone, email)


def age_on(birth: date, when: date = REFERENCE_DATE) -> int:
    """Completed years of age on ``when``."""
    return when.year - birth.year - ((when.month, when.day) < (birth.month, birth.day))
