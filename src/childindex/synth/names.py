"""Weighted name tables, communities, nicknames and near-identical twin names."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING, Final

from childindex.synth.name_tables import BRITISH_MEN, BRITISH_WOMEN, COMMUNITIES

if TYPE_CHECKING:
    from random import Random


@dataclass(frozen=True, slots=True)
class WeightedTable:
    """Names with cumulative weights, drawn with one random number."""

    names: tuple[str, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def parse(cls, text: str) -> WeightedTable:
        """Build a table from ``name weight; name weight; ...``."""
        names: list[str] = []
        weights: list[float] = []
        for raw in text.split(";"):
            entry = " ".join(raw.split())
            if not entry:
                continue
            name, weight = entry.rsplit(" ", 1)
            names.append(name)
            weights.append(float(weight))
        return cls(tuple(names), tuple(accumulate(weights)))

    def pick(self, rng: Random) -> str:
        """One name, drawn in proportion to its weight."""
        return self.names[bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]

    def __len__(self) -> int:
        return len(self.names)


@dataclass(frozen=True, slots=True)
class Community:
    """The names one community gives its children and carries as surnames."""

    key: str
    girls: WeightedTable
    boys: WeightedTable
    surnames: WeightedTable
    women: WeightedTable
    men: WeightedTable


def _build_communities() -> tuple[tuple[Community, ...], WeightedTable]:
    women = WeightedTable.parse(BRITISH_WOMEN)
    men = WeightedTable.parse(BRITISH_MEN)
    built: list[Community] = []
    shares: list[str] = []
    for index, (key, (share, girls, boys, surnames)) in enumerate(COMMUNITIES.items()):
        girl_table = WeightedTable.parse(girls)
        boy_table = WeightedTable.parse(boys)
        british = key == "british"
        built.append(
            Community(
                key=key,
                girls=girl_table,
                boys=boy_table,
                surnames=WeightedTable.parse(surnames),
                women=women if british else girl_table,
                men=men if british else boy_table,
            )
        )
        shares.append(f"{index} {share}")
    return tuple(built), WeightedTable.parse(";".join(shares))


COMMUNITY_LIST, _COMMUNITY_SHARES = _build_communities()
BRITISH: Final = COMMUNITY_LIST[0]


def pick_community(rng: Random) -> Community:
    """A community drawn by its share of households."""
    return COMMUNITY_LIST[int(_COMMUNITY_SHARES.pick(rng))]


def surname_for(surname: str, sex: str) -> str:
    """The form of a surname for a person of this sex (``Kowalski/Kowalska``)."""
    if "/" not in surname:
        return surname
    male, female = surname.split("/", 1)
    return female if sex == "F" else male


NICKNAMES: Final[dict[str, tuple[str, ...]]] = {
    "Alexander": ("Alex", "Xander"),
    "Alexandra": ("Alex", "Lexi"),
    "Elizabeth": ("Beth", "Liz", "Lizzie"),
    "Mohammed": ("Mo",),
    "Muhammad": ("Mo",),
    "Mohammad": ("Mo",),
    "Oliver": ("Ollie",),
    "William": ("Will", "Billy"),
    "Thomas": ("Tom", "Tommy"),
    "James": ("Jamie", "Jim"),
    "Benjamin": ("Ben",),
    "Samuel": ("Sam", "Sammy"),
    "Joseph": ("Joe",),
    "Daniel": ("Dan", "Danny"),
    "Matthew": ("Matt",),
    "Christopher": ("Chris",),
    "Jonathan": ("Jon",),
    "Nicholas": ("Nick",),
    "Edward": ("Ed", "Eddie", "Ted"),
    "Robert": ("Rob", "Bobby"),
    "Charles": ("Charlie",),
    "Frederick": ("Freddie", "Fred"),
    "Theodore": ("Theo", "Teddy"),
    "Henry": ("Harry",),
    "Joshua": ("Josh",),
    "Jacob": ("Jake",),
    "Zachary": ("Zach", "Zac"),
    "Katherine": ("Kate", "Katie"),
    "Catherine": ("Cathy", "Kate"),
    "Rebecca": ("Becky",),
    "Victoria": ("Vicky", "Tori"),
    "Jessica": ("Jess",),
    "Charlotte": ("Lottie", "Charlie"),
    "Eleanor": ("Ellie", "Nell"),
    "Isabella": ("Bella", "Izzy"),
    "Isabelle": ("Izzy",),
    "Abigail": ("Abbie", "Abby"),
    "Amelia": ("Millie",),
    "Florence": ("Flo",),
    "Margaret": ("Maggie",),
    "Olivia": ("Liv", "Livvy"),
    "Sophia": ("Sophie",),
    "Gabriella": ("Gabby", "Ella"),
    "Nathaniel": ("Nate", "Nathan"),
    "Sebastian": ("Seb",),
    "Harrison": ("Harry",),
    "Aleksander": ("Olek",),
    "Aleksandra": ("Ola",),
    "Małgorzata": ("Gosia",),
    "Katarzyna": ("Kasia",),
    "Abdirahman": ("Abdi",),
    "Abdullahi": ("Abdi",),
    "Oluwatobi": ("Tobi",),
    "Oluwadamilare": ("Dami",),
    "Oluwaseun": ("Seun",),
    "Chukwuemeka": ("Emeka",),
    "Temitope": ("Tope",),
    "Zakariya": ("Zak",),
    "Ibrahim": ("Ibby",),
}

# Twins are sometimes given names a letter apart: (girl-or-boy, name, girl-or-boy, name).
NEAR_TWIN_NAMES: Final[tuple[tuple[str, str, str, str], ...]] = (
    ("M", "Aidan", "M", "Aiden"),
    ("F", "Lena", "F", "Lina"),
    ("F", "Mia", "F", "Mya"),
    ("F", "Ella", "F", "Elle"),
    ("M", "Leo", "F", "Lea"),
    ("F", "Ava", "F", "Eva"),
    ("M", "Amir", "F", "Amira"),
    ("F", "Sara", "F", "Sarah"),
    ("M", "Jon", "M", "Jan"),
    ("M", "Louis", "F", "Louise"),
    ("F", "Leila", "F", "Layla"),
    ("M", "Kian", "M", "Kyan"),
    ("F", "Isla", "F", "Isha"),
    ("M", "Rohan", "M", "Rohit"),
    ("F", "Zara", "F", "Zora"),
    ("M", "Finn", "M", "Fynn"),
    ("F", "Aisha", "F", "Ayesha"),
    ("M", "Eli", "F", "Ela"),
)
