"""Common short forms of given names, and the formal names they stand for.

``NICKNAMES`` maps a short form to the one formal name listed first (a single canonical
form, for blocking keys and the batch model's SQL). A short form may stand for several
formal names (``harry``: Henry, Harrison; ``alex``: Alexander, Alexandra):
:func:`may_be_same_name` knows them all, and never makes two formal names the same
(Alexander and Alexandra stay two names, as twins are often called).
"""

from __future__ import annotations

from typing import Final

_FORMAL_TO_SHORT: Final[dict[str, tuple[str, ...]]] = {
    "alexander": ("alex", "xander", "sandy", "alec"),
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
    "henry": ("harry", "hal"),
    "joshua": ("josh",),
    "jacob": ("jake",),
    "zachary": ("zach", "zac", "zack", "zak"),
    "katherine": ("kate", "katie", "kath", "kathy", "kat"),
    "catherine": ("cathy", "cath", "cat", "kate", "katie"),
    "rebecca": ("becky", "becca"),
    "victoria": ("vicky", "tori", "vicki"),
    "jessica": ("jess", "jessie"),
    "margaret": ("maggie", "peggy", "meg", "daisy"),
    "abigail": ("abbie", "abby", "gail"),
    "isabella": ("bella", "izzy", "issy"),
    "isabelle": ("belle", "izzy"),
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
    "nathaniel": ("nate", "nat", "nathan"),
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
    "harrison": ("harri", "harry"),
    "alexandra": ("lexi", "alexa", "sasha", "alex"),
    "theodore": ("theo", "teddy", "ted"),
    "charlotte": ("lottie", "charli", "charlie"),
    "gabriella": ("gabby", "ella"),
    "zakariya": ("zak",),
    # Polish, Somali, Yoruba and Igbo forms common in England's schools.
    "aleksander": ("olek",),
    "aleksandra": ("ola",),
    "malgorzata": ("gosia",),
    "katarzyna": ("kasia",),
    "abdirahman": ("abdi",),
    "abdullahi": ("abdi",),
    "oluwatobi": ("tobi",),
    "oluwadamilare": ("dami",),
    "oluwaseun": ("seun",),
    "chukwuemeka": ("emeka",),
    "temitope": ("tope",),
}


def _invert(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    short_to_formal: dict[str, str] = {}
    for formal, shorts in table.items():
        for short in shorts:
            short_to_formal.setdefault(short, formal)
    return short_to_formal


NICKNAMES: Final[dict[str, str]] = _invert(_FORMAL_TO_SHORT)


def _formal_names(table: dict[str, tuple[str, ...]]) -> dict[str, frozenset[str]]:
    stands_for: dict[str, set[str]] = {}
    for formal, shorts in table.items():
        for short in shorts:
            stands_for.setdefault(short, set()).add(formal)
    return {short: frozenset(formals) for short, formals in stands_for.items()}


_STANDS_FOR: Final[dict[str, frozenset[str]]] = _formal_names(_FORMAL_TO_SHORT)


_NONE: Final[frozenset[str]] = frozenset()


def name_forms(name: str) -> frozenset[str]:
    """A standard forename (lower case, one token) and every formal name it may stand for
    (``"harry"`` -> harry, henry, harrison)."""
    return _STANDS_FOR.get(name, _NONE) | {name}


def may_be_same_name(a: str, b: str) -> bool:
    """Whether two standard forenames may name one person: the same name, a short form of
    the other, or two short forms of one formal name (their :func:`name_forms` meet).
    A short form's canonical formal name (``NICKNAMES``) is among its forms, so two names
    with one canonical form always may be the same.

    >>> may_be_same_name("harry", "harrison"), may_be_same_name("henry", "harrison")
    (True, False)
    """
    if a == b:
        return True
    mine, theirs = _STANDS_FOR.get(a, _NONE), _STANDS_FOR.get(b, _NONE)
    return b in mine or a in theirs or not mine.isdisjoint(theirs)
