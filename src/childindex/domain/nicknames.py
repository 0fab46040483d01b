"""Common English short forms of given names, mapped to the formal name they stand for.

A short form shared by two formal names (``alex``: Alexander, Alexandra) maps to the one
listed first; sex and date of birth tell the two apart.
"""

from __future__ import annotations

from typing import Final

_FORMAL_TO_SHORT: Final[dict[str, tuple[str, ...]]] = {
    "alexander": ("alex", "xander", "sandy", "alec"),
    "alexandra": ("lexi", "alexa", "sasha"),
    "elizabeth": ("beth", "liz", "lizzie", "eliza", "betty", "libby", "elsie"),
    "mohammed": ("mo", "mohammad", "muhammad", "mohamed", "muhammed"),
    "oliver": ("ollie", "olly"),
    "william": ("will", "billy", "bill", "liam", "willie"),
    "thomas": ("tom", "tommy"),
    "james": ("jamie", "jim", "jimmy"),
    "benjamin": ("ben", "benji", "benny"),
    "samuel": ("sam", "sammy"),
    "joseph": ("joe", "joey"),
    "daniel": ("dan", "danny"),
    "matthew": ("matt", "matty"),
    "christopher": ("chris", "kit"),
    "jonathan": ("jon", "jonny", "johnny"),
    "nicholas": ("nick", "nicky"),
    "edward": ("ed", "eddie", "ted", "teddy", "ned"),
    "robert": ("rob", "bobby", "bob", "robbie"),
    "charles": ("charlie", "chas"),
    "frederick": ("freddie", "fred", "freddy"),
    "theodore": ("theo",),
    "henry": ("harry", "hal"),
    "joshua": ("josh",),
    "jacob": ("jake",),
    "zachary": ("zach", "zac", "zack"),
    "katherine": ("kate", "katie", "kath", "kathy", "kat"),
    "catherine": ("cathy", "cath", "cat"),
    "rebecca": ("becky", "becca"),
    "victoria": ("vicky", "tori", "vicki"),
    "jessica": ("jess", "jessie"),
    "charlotte": ("lottie", "charli"),
    "margaret": ("maggie", "peggy", "meg", "daisy"),
    "abigail": ("abbie", "abby", "gail"),
    "isabella": ("bella", "izzy", "issy"),
    "isabelle": ("belle",),
    "amelia": ("millie", "mia"),
    "emily": ("em", "emmy"),
    "eleanor": ("ellie", "nell", "nora"),
    "gabriel": ("gabe",),
    "michael": ("mike", "mikey", "mick"),
    "anthony": ("tony", "ant"),
    "andrew": ("andy", "drew"),
    "patrick": ("paddy", "pat"),
    "richard": ("rich", "rick", "ricky", "dick"),
    "stephen": ("steve", "stevie"),
    "timothy": ("tim", "timmy"),
    "jennifer": ("jen", "jenny"),
    "sophia": ("sophie",),
    "florence": ("flo", "florrie"),
    "harriet": ("hattie",),
    "josephine": ("josie", "jo"),
    "lucas": ("luke",),
    "maximilian": ("max",),
    "sebastian": ("seb", "bastian"),
    "nathaniel": ("nate", "nat"),
    "alfred": ("alfie", "alf"),
    "archibald": ("archie",),
    "francesca": ("fran", "frankie"),
    "georgina": ("georgie", "gina"),
    "natalie": ("nat",),
    "olivia": ("liv", "livvy"),
    "penelope": ("penny",),
    "stanley": ("stan",),
    "susan": ("sue", "susie"),
    "dominic": ("dom",),
    "harrison": ("harri",),
}


def _invert(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    short_to_formal: dict[str, str] = {}
    for formal, shorts in table.items():
        for short in shorts:
            short_to_formal.setdefault(short, formal)
    return short_to_formal


NICKNAMES: Final[dict[str, str]] = _invert(_FORMAL_TO_SHORT)
