"""The one fail-closed shield rule (invariant 2), pure, applied by every write path.

A write makes a child readable only after :meth:`ShieldRule.cautions` has compared it with
every shielded child it *might* be. The comparison (:func:`resemblance`) is deliberately
conservative and independent of the main matching engine: a record that engine calls *new*
still meets the screen. Anything at or above the caution threshold is shielded and queued
for a cleared officer::

    rule = ShieldRule(caution=0.2)
    for caution in rule.cautions(profile, candidates):
        ...  # shield profile.child_id, queue (profile.child_id, caution.shielded_child_id)

Where a trained model exists, it may veto a caution it is sure of (ADR 0019): the rule's
``gate_bits``, asked through a ``weight`` the services give; never for a pair
:func:`beyond_gate`, and where the model cannot say, the caution stands.

Storage finds the candidates by :func:`blocking_keys` (shielded children are about 0.5%
of all, so the screen is cheap). Merge and split keep shields by :func:`merged_shield` and
:func:`split_shield`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date

from childindex.domain.nicknames import may_be_same_name
from childindex.domain.similarity import (
    date_closeness,
    first_word,
    initials,
    jaro_winkler,
    letters,
    sound_key,
    swapped,
)


@dataclass(frozen=True, slots=True)
class ScreenProfile:
    """What the screen compares: identity fields only. ``postcode`` is any comparable token
    (storage gives a keyed digest, never the postcode itself)."""

    child_id: str
    given_name: str
    family_name: str
    birth_date: date | None
    nhs_number: str | None = None
    upn: str | None = None
    postcode: str | None = None
    shielded: bool = False
    la_code: str | None = None
    sex: str | None = None  # F or M; None when unknown (a key only, never compared)
    # How strongly a shielded child is protected: 1 for a child shielded by a source or an
    # officer; for a child the screen shielded, the (chained) score that shielded it.
    strength: float = 1.0


@dataclass(frozen=True, slots=True)
class BlockingKeys:
    """Children sharing any of these with a profile are compared with it."""

    birth_dates: tuple[date, ...]
    birth_year: int | None
    given_sound: str
    family_sound: str
    initials: str
    nhs_number: str | None
    upn: str | None
    postcode: str | None
    # Day and month of birth ("07-21") with sex (None: unknown, matches either): a key
    # in *any* year, so a wrong birth year with both names changed is still compared.
    birth_day_month: str | None = None
    sex: str | None = None


def day_month(born: date | None) -> str | None:
    """The day-and-month key of a birth date (``date(2016, 7, 21)`` -> ``"07-21"``)."""
    return f"{born.month:02d}-{born.day:02d}" if born is not None else None


def blocking_keys(profile: ScreenProfile) -> BlockingKeys:
    """The keys of ``profile``: birth date and its day/month swap; within the birth year
    (or any year where a date is unknown) the sound of either name or the initials; each
    identifier; the postcode; the day and month of birth with sex, in any year. A record
    with one typo in each name and in the birth date (or a swapped or missing date) shares
    a key with its child (``tests/properties/test_shield_resemblance.py``), and so does one
    whose birth *year* changed together with the sound of both names (ADR 0008)."""
    dates: tuple[date, ...] = ()
    if profile.birth_date is not None:
        swap = swapped(profile.birth_date)
        dates = (profile.birth_date,) if swap is None else (profile.birth_date, swap)
    return BlockingKeys(
        birth_dates=dates,
        birth_year=profile.birth_date.year if profile.birth_date is not None else None,
        given_sound=sound_key(profile.given_name),
        family_sound=sound_key(profile.family_name),
        initials=initials(profile.given_name, profile.family_name),
        nhs_number=profile.nhs_number,
        upn=profile.upn,
        postcode=profile.postcode,
        birth_day_month=day_month(profile.birth_date),
        sex=profile.sex if profile.sex in {"F", "M"} else None,
    )


class _NameParts:
    """The name parts (:meth:`get`) worked out so far, by the first name and then the
    second: the screen's walks compare each name with thousands of others at a national size,
    and names recur. Two dictionary lookups cost half of an ``lru_cache`` call, which builds a
    key each time. Forgotten all at once past ``limit`` parts (some 60 bytes each)."""

    __slots__ = ("held", "limit", "rows")

    def __init__(self, limit: int) -> None:
        self.rows: dict[str, dict[str, float]] = {}
        self.held = 0
        self.limit = limit

    def get(self, a: str, b: str) -> float:
        """How alike two names are, in [0, 1] (a hair above for the same name: see
        ``CEILING_ROUNDING``): Jaro-Winkler's similarity of their letters from 0.7 up,
        scaled."""
        row = self.row(a)
        part = row.get(b)
        return self.part(row, a, b) if part is None else part

    def row(self, a: str) -> dict[str, float]:
        """The parts of ``a`` against each name met so far (to be filled by :meth:`part`)."""
        found = self.rows.get(a)
        if found is None:
            found = self.rows[a] = {}
        return found

    def part(self, row: dict[str, float], a: str, b: str) -> float:
        """The part of ``a`` against ``b``, ``row`` being ``a``'s (a miss in it)."""
        if self.held >= self.limit:
            self.rows.clear()  # a row a caller still holds keeps its parts, but goes unread
            row.clear()
            self.rows[a] = row
            self.held = 0
        # Unrelated names still score about 0.5 in Jaro-Winkler; only 0.7 and above counts.
        part = row[b] = max(0.0, (jaro_winkler(letters(a), letters(b)) - 0.7) / 0.3)
        self.held += 1
        return part


_PARTS = _NameParts(limit=1 << 20)


def _name_parts(a: ScreenProfile, b: ScreenProfile) -> tuple[float, float, tuple[float, float]]:
    """The given-name part, the family-name part and the two parts read crossed (``a``'s
    given name against ``b``'s family name, and the reverse). Millions of times in a load:
    the lookups of :meth:`_NameParts.get` are written out here."""
    given, family = _PARTS.row(a.given_name), _PARTS.row(a.family_name)
    gg, ff = given.get(b.given_name), family.get(b.family_name)
    gf, fg = given.get(b.family_name), family.get(b.given_name)
    return (
        _PARTS.part(given, a.given_name, b.given_name) if gg is None else gg,
        _PARTS.part(family, a.family_name, b.family_name) if ff is None else ff,
        (
            _PARTS.part(given, a.given_name, b.family_name) if gf is None else gf,
            _PARTS.part(family, a.family_name, b.given_name) if fg is None else fg,
        ),
    )


# Away from home, a wholly different name *and* a different birth date are two independent
# differences: the score counts half (ADR 0015), which keeps every such pair below caution.
TWO_DIFFERENCES = 0.5


def _two_differences(
    a: ScreenProfile, b: ScreenProfile, given: float, family: float, across: tuple[float, float]
) -> bool:
    """Both birth dates known and not the same day (nor its day/month swap), and one name
    wholly different (a nickname of the other is not) whichever way the names are read."""
    if a.birth_date is None or b.birth_date is None:
        return False
    if b.birth_date in (a.birth_date, swapped(a.birth_date)):
        return False
    given_differs = given == 0.0 and not may_be_same_name(
        first_word(a.given_name), first_word(b.given_name)
    )
    return (given_differs or family == 0.0) and 0.0 in across


# ``resemblance`` may pass ``ceiling`` by a rounding error (a name part of an exact match is
# (1 - 0.7) / 0.3, a hair above 1): comparisons with a ceiling allow this much.
CEILING_ROUNDING = 1e-9


# The most :func:`ceiling` gives a pair sharing neither a birth date (nor its day/month swap)
# nor an identifier: a typo of the date, an unknown date, or the same postcode.
APART_CEILING = 0.6


def _apart(a: ScreenProfile, b: ScreenProfile) -> tuple[bool, float, bool]:
    """What bounds a pair's resemblance, names aside: a shared NHS number or UPN, the birth
    dates' closeness, the same postcode."""
    if (a.nhs_number and a.nhs_number == b.nhs_number) or (a.upn and a.upn == b.upn):
        return True, 1.0, False
    same_postcode = bool(a.postcode and a.postcode == b.postcode)
    return False, date_closeness(a.birth_date, b.birth_date), same_postcode


def _top(shared: bool, closeness: float, same_postcode: bool) -> float:
    if shared:
        return 1.0
    return max(closeness, 0.6) if same_postcode else closeness


def ceiling(a: ScreenProfile, b: ScreenProfile) -> float:
    """The most :func:`resemblance` can give ``a`` and ``b``, whatever their names: 1 for a
    shared NHS number or UPN; else the birth dates' closeness, or 0.6 at the same postcode
    if that is more. No name is compared, so it is cheap: the screen's walks over a country
    meet thousands of candidates, and most of those they meet at a low strength cannot
    reach the caution threshold. ``resemblance(floor=...)`` checks this bound before it
    compares names (``ShieldRule.cautions``); the property tests hold it to ``resemblance``."""
    return _top(*_apart(a, b))


def resemblance(a: ScreenProfile, b: ScreenProfile, *, floor: float = 0.0) -> float:
    """How much ``a`` might be the same child as ``b``, in [0, 1], erring high; never more
    than :func:`ceiling` (but for ``CEILING_ROUNDING``). With ``floor``, 0 for a pair whose
    ceiling is below it (its names are not compared), or whose names put it below it; at or
    above it, the same as without.

    A shared NHS number or UPN is 1. Otherwise the better of: birth-date closeness times
    the mean of the given- and family-name parts (either order, for swapped names); and,
    at the same postcode, 0.6 times the product of the name parts (twins and siblings share
    a postcode and a surname, so there both names must agree). At different postcodes, a
    pair with a wholly different name and a different birth date (both known, not the day
    and month swapped) counts ``TWO_DIFFERENCES`` of that (ADR 0015): a surname and a birth
    month in common is not a reason to hide a child.
    """
    shared, closeness, same_postcode = _apart(a, b)
    if shared:
        return 1.0
    if _top(shared, closeness, same_postcode) < floor:
        return 0.0
    if closeness == 0.0 and not same_postcode:
        # The names only multiply the dates' closeness: nothing to compare. (The store no
        # longer reads most such candidates: ``storage/repositories/shields.py``.)
        return 0.0
    given, family, across = _name_parts(a, b)
    names = max((given + family) / 2, sum(across) / 2)
    score = closeness * names
    if same_postcode:
        score = max(score, 0.6 * given * family)
    elif score < floor:
        return 0.0  # below it already: whether to halve it is not worth asking
    elif _two_differences(a, b, given, family, across):
        score *= TWO_DIFFERENCES
    return min(1.0, score)


def explain(a: ScreenProfile, b: ScreenProfile) -> dict[str, float]:
    """The parts :func:`resemblance` is made of, per field, for an officer to see why a
    pair was cautioned (each in [0, 1]; ``identifier`` is 1 for a shared NHS number or UPN).

    >>> explain(p, q)  # doctest: +SKIP
    {'given_name': 0.9, 'family_name': 1.0, 'crossed_names': 0.1, 'birth_date': 1.0,
     'postcode': 0.0, 'identifier': 0.0}
    """
    shared = bool((a.nhs_number and a.nhs_number == b.nhs_number) or (a.upn and a.upn == b.upn))
    given, family, across = _name_parts(a, b)
    return {
        "given_name": round(given, 4),
        "family_name": round(family, 4),
        "crossed_names": round(sum(across) / 2, 4),
        "birth_date": round(date_closeness(a.birth_date, b.birth_date), 4),
        "postcode": 1.0 if a.postcode and a.postcode == b.postcode else 0.0,
        "identifier": 1.0 if shared else 0.0,
    }


# A name part (``_NameParts.get``) this high is the same name, give or take a letter.
_SAME_NAME_PART = 0.8


def _crossed_only(a: ScreenProfile, b: ScreenProfile) -> bool:
    """The names agree read the wrong way round (given against family, each alike), and not
    read straight."""
    given, family, across = _name_parts(a, b)
    return min(across) >= _SAME_NAME_PART > min(given, family)


def beyond_gate(a: ScreenProfile, b: ScreenProfile) -> bool:
    """Pairs the model's word never lifts a caution from (ADR 0019): a shared NHS number or
    UPN; the same birth date (or its day/month swap) at the same postcode; or names alike
    only read the wrong way round, which a model trained on sources that never swap them
    weighs as two different names (ADR 0021). Whatever the model says of such a pair, an
    officer looks at it."""
    if (a.nhs_number and a.nhs_number == b.nhs_number) or (a.upn and a.upn == b.upn):
        return True
    if _crossed_only(a, b):
        return True
    if a.birth_date is None or b.birth_date is None:
        return False
    same_day = b.birth_date in (a.birth_date, swapped(a.birth_date))
    return same_day and bool(a.postcode and a.postcode == b.postcode)


# The trained model's match weight (log2 odds, prior included) between two children: the
# best over their records; None when it cannot say (no model, or a child with no records).
PairWeight = Callable[[str, str], float | None]


def order_key(profile: ScreenProfile) -> tuple[str, ...]:
    """An order of profiles by their identity fields, never by child ID: child IDs are
    random, so the screen breaks ties by this (ADR 0011, order), and its outcome does not
    depend on which IDs children happened to draw."""
    return (
        profile.given_name,
        profile.family_name,
        profile.birth_date.isoformat() if profile.birth_date is not None else "",
        profile.nhs_number or "",
        profile.upn or "",
        profile.postcode or "",
        profile.la_code or "",
        profile.sex or "",
    )


@dataclass(frozen=True, slots=True)
class Caution:
    """A shielded child that a profile might be, and how strongly."""

    shielded_child_id: str
    la_code: str | None
    score: float
    # Between equally strong cautions, the first by the shielded child's identity fields
    # (:func:`order_key`) is named, not the first by (random) child ID.
    rank: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def beats(self, other: Caution) -> bool:
        """Stronger than ``other``, or as strong and first by identity fields."""
        return (-self.score, self.rank, self.shielded_child_id) < (
            -other.score,
            other.rank,
            other.shielded_child_id,
        )


def strongest_first(cautions: Collection[Caution]) -> list[Caution]:
    """``cautions`` strongest first; ties by identity fields, then child ID."""
    if len(cautions) < 2:  # the walks ask about one pair at a time, millions of times
        return list(cautions)
    return sorted(cautions, key=lambda c: (-c.score, c.rank, c.shielded_child_id))


@dataclass(frozen=True, slots=True)
class ShieldRule:
    """The fail-closed rule with its caution threshold; ``caution=None`` switches the
    screen off (only tests of the screen itself do that, to show it is what protects).

    ``gate_bits``: a caution stands unless the trained model puts the pair below this match
    weight (ADR 0019) and the pair is not :func:`beyond_gate`. The model is asked only when
    a ``weight`` is given and only about pairs already at or above caution; where it cannot
    say (``weight`` returns None), the caution stands. ``None``: resemblance alone decides.
    """

    caution: float | None
    gate_bits: float | None = None

    def cautions(
        self,
        profile: ScreenProfile,
        candidates: Iterable[ScreenProfile],
        *,
        cleared: frozenset[str] = frozenset(),
        weight: PairWeight | None = None,
    ) -> list[Caution]:
        """Shielded candidates (other than ``profile`` itself and pairs an officer has
        ``cleared``) that ``profile`` scores at or above the caution threshold against, and
        that the model, by ``weight``, does not rule out (``gate_bits``).

        The score is the resemblance times the candidate's ``strength``: a child shielded only
        because it might be a shielded child passes on that doubt, not certainty. Without
        this, near twins of near twins chain through a whole population at a low threshold
        (ADR 0011); with it, a chain stops once the product of its links falls below caution.
        """
        if self.caution is None:
            return []
        best: dict[str, Caution] = {}  # a child may come once per identity (ADR 0012)
        for other in candidates:
            if other.child_id in cleared:
                continue
            found = self.caution_of(profile, other, weight=weight)
            if found is None:
                continue
            held = best.get(other.child_id)
            if held is None or found.beats(held):
                best[other.child_id] = found
        return strongest_first(best.values())

    def caution_of(
        self, profile: ScreenProfile, other: ScreenProfile, *, weight: PairWeight | None = None
    ) -> Caution | None:
        """The caution ``profile`` raises against one candidate, as :meth:`cautions` finds
        it, or None (for the screen's walks, which ask about one pair at a time)."""
        if self.caution is None or not other.shielded or other.child_id == profile.child_id:
            return None
        if other.strength <= 0.0:
            return None
        # A pair no names could bring to caution is not worth comparing names for.
        floor = (self.caution - CEILING_ROUNDING) / other.strength
        score = resemblance(profile, other, floor=floor) * other.strength
        if score < self.caution or self._ruled_out(profile, other, weight):
            return None
        return Caution(other.child_id, other.la_code, round(score, 4), order_key(other))

    def _ruled_out(
        self, profile: ScreenProfile, other: ScreenProfile, weight: PairWeight | None
    ) -> bool:
        """The model's word lifts this caution: it is sure enough they are two children."""
        if weight is None or self.gate_bits is None or beyond_gate(profile, other):
            return False
        said = weight(profile.child_id, other.child_id)
        return said is not None and said < self.gate_bits

    def must_shield(self, *, shielded_now: bool, flagged: bool, cautions: list[Caution]) -> bool:
        """A child is shielded if it already is, a source flags it, or it raised a caution."""
        return shielded_now or flagged or bool(cautions)


def merged_shield(*parts_shielded: bool) -> bool:
    """Merging with a shielded child shields the result."""
    return any(parts_shielded)


def split_shield(parent_shielded: bool) -> tuple[bool, bool]:
    """Splitting a shielded child shields both parts."""
    return (parent_shielded, parent_shielded)
