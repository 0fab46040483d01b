"""Handing out homes: neighbours share postcode units, sectors and streets.

Households are placed in geographic order: the share of children generated so far picks the
postcode sector, so a sector fills with neighbouring families and the whole country is
covered exactly once, whatever its size. Within a sector, households fill one postcode unit
(a stretch of street, or a block of flats) after another. Only the cursor is remembered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from childindex.synth.places import Address

if TYPE_CHECKING:
    from random import Random

    from childindex.synth.places import Geography

_UNITS_PER_SECTOR = 400  # two inward letters from twenty


class AddressCursor:
    """Where the next household lives."""

    def __init__(self, geography: Geography, children: int) -> None:
        self._geo = geography
        self._children = max(children, 1)
        self._place = ("", "", "")
        self._sector = -1
        self._unit = 0
        self._left = 0
        self._number = 0
        self._flat = 0
        self._flats = False
        self._locality = ""

    def next_home(self, rng: Random, child_index: int) -> Address:
        """The home of the household whose first child is number ``child_index``."""
        sector = child_index * self._geo.sectors // self._children
        if sector != self._sector:
            self._sector = sector
            self._unit = rng.randrange(8) - 1
            self._left = 0
        if self._left <= 0:
            self._start_unit(rng)
        self._left -= 1
        if self._flats:
            self._flat += 1
        else:
            self._number += 1 if rng.random() < 0.55 else 2 + int(rng.random() * 3)
        street, town, postcode = self._place
        return Address(
            self._flat, self._number, street, self._locality, town, postcode, self._sector // 10
        )

    def _start_unit(self, rng: Random) -> None:
        self._unit = (self._unit + 1) % _UNITS_PER_SECTOR
        self._flats = rng.random() < 0.1
        self._left = rng.randint(12, 40) if self._flats else rng.randint(6, 20)
        self._number = rng.randint(1, 60) if self._flats else rng.randint(0, 30)
        self._flat = 0
        self._place = self._geo.unit(self._sector, self._unit)
        district = self._sector // 10
        self._locality = (
            self._geo.locality(district, rng.randrange(3)) if rng.random() < 0.3 else ""
        )

    def elsewhere(self, rng: Random, district: int) -> Address:
        """A former home: usually nearby, sometimes anywhere in the country."""
        r = rng.random()
        if r < 0.45:
            old_district = district
        elif r < 0.7:
            old_district = district - district % 3 + rng.randrange(3)
        else:
            old_district = rng.randrange(self._geo.districts)
        sector = old_district * 10 + rng.randrange(10)
        flat = rng.randint(1, 24) if rng.random() < 0.12 else 0
        locality = self._geo.locality(old_district, rng.randrange(3)) if rng.random() < 0.3 else ""
        return self._geo.address(sector, rng.randrange(60), rng.randint(1, 180), flat, locality)
