"""An invented geography: towns, local authorities, postcodes, streets, schools and GPs.

The country is sized to the number of children. Towns hold three postcode districts,
local authorities three towns; a district has ten sectors, each sector a run of postcode
units, each unit one stretch of street. Everything is computed from small integers, so no
table of addresses is ever held.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final, NamedTuple

from childindex.synth.numbers import landline


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    """The items of a list written as text (split on ``sep``, else on white space)."""
    return tuple(item.strip() for item in text.split(sep))


REFERENCE_DATE: Final = date(2026, 9, 1)
OLDEST_BIRTH: Final = date(2008, 9, 2)  # 17 on the reference date

AREAS: Final = _words(
    """AL B BA BB BD BH BL BN BR BS CA CB CH CM CO CR CT CV CW DA DE DH DL DN DT DY E EN EX FY
    GL GU HA HD HG HP HR HU HX IG IP KT L LA LE LN LS LU M ME MK N NE NG NN NR NW OL OX PE PL
    PO PR RG RH RM S SE SG SK SL SM SN SO SP SR SS ST SW SY TA TF TN TQ TR TS TW UB W WA WD WF
    WN WR WS WV YO"""
)
INWARD_LETTERS: Final = "ABDEFGHJLNPQRSTUWXYZ"

_TOWN_HEADS: Final = _words(
    """Ash Brad Castle Eller Fen Hart Kings Lang Marl Nether Oak Pen Queens Rother Stan Thorn
    Wick Wold Bar Brent Hol Mill Redd Cal Dun Alder Bran Chel Dor Fal Gras Hather Kel Lan Mor
    Nor Ever Sal Tad Whit"""
)
_TOWN_TAILS: Final = _words(
    """ford ton ley bury field ham worth wick by stead mouth bridge dale borough hurst minster
    thorpe cott well brook"""
)
_TOWN_QUALIFIERS: Final = ("", "Great ", "Little ", "Upper ")
_LA_KINDS: Final = ("City Council", "Borough Council", "Metropolitan Borough Council", "Council")

STREET_STEMS: Final = _words(
    """Maple Oak Church Station Victoria Albert Queen's King's Mill Park Elm Beech Holly Rowan
    Cedar Willow Chestnut Ash Birch Hazel Laurel Windsor York Highfield Springfield Manor Grange
    Meadow Orchard Brook Chapel School Green Hill North South West East New Bridge Castle Abbey
    Priory Vicarage Rectory Garden Cherry Lime Poplar Sycamore Hawthorn Heather Primrose
    Bluebell Foxglove Lavender Clover Kestrel Falcon Heron Kingfisher Swallow Lark Robin Linnet
    Nightingale Beacon Canal Dock Quarry Forge Tannery Market Wellington Nelson Trafalgar
    Waterloo Gladstone Cromwell Milton Tennyson Wordsworth Byron Shelley Keats Darwin Faraday
    Stephenson Brunel Telford Coronation Jubilee Regent Riverside Lakeside Woodland Fernhill
    Ridgeway Hollybush Stoney Sandy Moor Heath Common Farm"""
)
STREET_TYPES: Final = _words(
    """Road Street Avenue Close Lane Drive Way Crescent Gardens Grove Place Terrace Court Walk
    Rise Mews View Hill Row Square"""
)
_LOCALITIES: Final = _words(
    """Hillside; Church End; Westfield; Northgate; Southwood; Eastbrook; Newtown;
    Old Town; Moorside; Brookside; Parkside; Woodside; Fairview; Greenacres; Lowfield; Netherton;
    Millbank; Castlefields; Abbeydale; Beechwood; Oakwood; Elmwood; Ashfield; Kingsmead;
    Broadmeadow; Summerhill; Foxhill; Hollins; Marsh Green; Stonebridge; Bankside; Cliftonville;
    Priory Park; Heathfield""",
    ";",
)
_SAINTS: Final = (
    "St Mary's",
    "St John's",
    "St Peter's",
    "Holy Trinity",
    "St Joseph's",
    "Our Lady's",
    "St Michael's",
    "All Saints",
    "St Anne's",
    "St Chad's",
)
_PRIMARY_KINDS: Final = (
    "Primary School",
    "Primary Academy",
    "Community Primary School",
    "Infant and Junior School",
    "C of E Primary School",
    "Catholic Primary School",
)
_SECONDARY_KINDS: Final = (
    "Academy",
    "High School",
    "School",
    "Community College",
    "Grammar School",
    "Catholic High School",
)
_GP_KINDS: Final = ("Surgery", "Medical Centre", "Health Centre", "Medical Practice", "Practice")
_GP_LETTERS: Final = "ABCDEFGHJKLMNPY"


class Address(NamedTuple):
    """Where a household lives; ``flat`` 0 and ``locality`` empty when there are none."""

    flat: int
    number: int
    street: str
    locality: str
    town: str
    postcode: str
    district: int


@dataclass(frozen=True, slots=True)
class Organisation:
    """A school or GP practice: code (URN or practice code), name and phone."""

    code: str
    name: str
    phone: str


class Geography:
    """The towns, districts and services of one synthetic country."""

    def __init__(self, children: int, seed: int) -> None:
        self.towns = min(2_700, max(6, -(-children // 12_000)))  # at most 900 authorities
        self.districts = self.towns * 3
        self.sectors = self.districts * 10
        self.authorities = -(-self.districts // 9)
        self._children = children
        self._offset = seed % 997
        self._schools: dict[int, Organisation] = {}
        self._practices: dict[int, Organisation] = {}

    def first_child_in(self, authority: int) -> int:
        """The index of the first child living in an authority (children fill sectors in order).

        Child ``i`` lives in sector ``i * sectors // children``; an authority is 90 sectors.
        """
        sector = min(authority * 90, self.sectors)
        return -(-(sector * self._children) // self.sectors)

    def town_name(self, town: int) -> str:
        """The invented name of a town."""
        t = (town + self._offset) % (len(_TOWN_HEADS) * len(_TOWN_TAILS) * 4)
        heads, tails = len(_TOWN_HEADS), len(_TOWN_TAILS)
        qualifier = _TOWN_QUALIFIERS[t // (heads * tails)]
        return f"{qualifier}{_TOWN_HEADS[t % heads]}{_TOWN_TAILS[(t // heads) % tails]}"

    def la_index(self, district: int) -> int:
        """The local authority (0-based) a district belongs to."""
        return district // 9

    def la_code(self, district: int) -> str:
        """The three-digit code of the district's local authority."""
        return str(100 + (self.la_index(district) * 37 + self._offset) % 900)

    def la_name(self, district: int) -> str:
        """The council running the district's local authority."""
        la = self.la_index(district)
        return f"{self.town_name(la * 3)} {_LA_KINDS[la % len(_LA_KINDS)]}"

    def areas(self) -> list[tuple[str, str]]:
        """Every postcode district (outward code) with its local authority's code: the
        routing table ``childindex admin areas load`` reads (``areas.csv``)."""
        return [(self.outward(d), self.la_code(d)) for d in range(self.districts)]

    def outward(self, district: int) -> str:
        """The outward code of a district (``LS14``)."""
        town, k = divmod(district, 3)
        return f"{AREAS[town % len(AREAS)]}{(town // len(AREAS)) * 3 + k + 1}"

    def postcode(self, sector: int, unit: int) -> str:
        """The postcode of one unit in a sector."""
        district, digit = divmod(sector, 10)
        p = (unit * 147 + sector * 31 + self._offset) % 400
        return f"{self.outward(district)} {digit}{INWARD_LETTERS[p // 20]}{INWARD_LETTERS[p % 20]}"

    def street(self, sector: int, unit: int) -> str:
        """The street a postcode unit lies on."""
        i = (sector * 7_907 + unit * 104_729 + self._offset) % (
            len(STREET_STEMS) * len(STREET_TYPES)
        )
        return f"{STREET_STEMS[i % len(STREET_STEMS)]} {STREET_TYPES[i // len(STREET_STEMS)]}"

    def locality(self, district: int, slot: int) -> str:
        """One of a district's neighbourhood names."""
        return _LOCALITIES[(district * 7 + slot * 13 + self._offset) % len(_LOCALITIES)]

    def unit(self, sector: int, unit: int) -> tuple[str, str, str]:
        """Street, town and postcode of a postcode unit."""
        district = sector // 10
        return self.street(sector, unit), self.town_name(district // 3), self.postcode(sector, unit)

    def address(self, sector: int, unit: int, number: int, flat: int, locality: str) -> Address:
        """The address at a house number (and flat) in a postcode unit."""
        street, town, postcode = self.unit(sector, unit)
        return Address(flat, number, street, locality, town, postcode, sector // 10)

    def school(self, district: int, *, secondary: bool, slot: int) -> Organisation:
        """A primary school of the district, or a secondary school of its town."""
        ident = 20_000 + (district // 3) * 2 + slot if secondary else district * 2 + slot
        cached = self._schools.get(ident)
        if cached is not None:
            return cached
        urn = str(900_000 + (ident * 7_919 + self._offset) % 100_000)
        if secondary:
            kind = _SECONDARY_KINDS[(ident + self._offset) % len(_SECONDARY_KINDS)]
            place = self.town_name(district // 3) if slot == 0 else self.locality(district, ident)
            name = (
                f"{_SAINTS[ident % len(_SAINTS)]} {kind}"
                if "Catholic" in kind
                else f"{place} {kind}"
            )
        else:
            kind = _PRIMARY_KINDS[(ident * 5 + self._offset) % len(_PRIMARY_KINDS)]
            faith = "C of E" in kind or "Catholic" in kind
            stem = _SAINTS[ident % len(_SAINTS)] if faith else self.locality(district, ident)
            name = f"{stem} {kind}"
        school = Organisation(urn, name, landline(ident * 31 + 7))
        self._schools[ident] = school
        return school

    def practice(self, district: int, slot: int) -> Organisation:
        """One of the district's GP practices."""
        ident = district * 2 + slot
        cached = self._practices.get(ident)
        if cached is not None:
            return cached
        number = 10_000 + (ident * 7_919 + self._offset) % 90_000
        code = f"{_GP_LETTERS[ident % len(_GP_LETTERS)]}{number}"
        kind = _GP_KINDS[(ident + self._offset) % len(_GP_KINDS)]
        stem = STREET_STEMS[(ident * 11 + self._offset) % len(STREET_STEMS)]
        name = f"The {stem} {kind}" if kind == "Practice" else f"{stem} {kind}"
        practice = Organisation(code, name, landline(ident * 17 + 3))
        self._practices[ident] = practice
        return practice
