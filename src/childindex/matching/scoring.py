"""Scoring a pair of records with a trained model's weights, in-process (no database).

The model document is what ``childindex matching train`` writes: per comparison and level
the m and u probabilities, the prior, and term frequencies for the names. The arithmetic
is Splink's: match weight = log2(prior odds) + Σ log2(m/u), with the exact-name levels
adjusted by log2(u_exact / tf(value)). When the surnames agree too (or are a letter apart,
or share a part), a forename's tf is its share among either surname's records where that is
higher (Muhammad among the Khans): the two names are not independent evidence.

Twins rule: twins share date of birth, surname and address, and their forenames often
differ by one letter (Aidan/Aiden). A pair with the same date of birth (or, in one family or
at one address, one slip of it) whose forenames are two different names (both common in the
data, so neither is a keying slip) and whose middle names do not agree is *possible twins*:
never linked automatically. If the names share nothing, or one is the start of the other
(Ava and Avani), it stays below ``REVIEW`` (a new child); one letter apart, it goes to
review. A name cut short that is not a real name of its own ("Tobi", "J") is the same
child's, as the model weighs it.
"""

from __future__ import annotations

import copy
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from childindex.domain.nicknames import may_be_same_name
from childindex.matching.comparisons import AGAINST_ONLY, COMPARISONS, TF_COLUMNS
from childindex.matching.features import Features, crossed
from childindex.matching.thresholds import LINK, REVIEW

_MIN_TF = 1e-6
# Surname levels that say one family (a name entered the wrong way round is the family's).
_SURNAME_AGREES = frozenset({"exact", "swapped", "typo", "shared_part"})
# Forename levels twins' names can have: two names a letter apart, one the start of the
# other (Ava and Avani), or two different names.
_TWIN_NAMES = frozenset({"typo", "prefix", "else"})


@dataclass(frozen=True, slots=True)
class PairScore:
    """How a pair scored: the probability and the weight each comparison gave."""

    probability: float
    weights: dict[str, float]
    levels: dict[str, str]
    # log2 odds (prior + weights): unlike the probability it never saturates at 1.0, so
    # it orders strong pairs by strength.
    match_weight: float = 0.0
    # The forenames' level as the twins rule read them (crossed, when both records are the
    # wrong way round: ``TrainedScorer.twin_names``); None when not possible twins.
    twin_names: str | None = None

    @property
    def possible_twins(self) -> bool:
        """The twins rule says the two may be twins: never linked automatically."""
        return self.twin_names is not None


# A name seen at least this many times in the training data is a real name, not a slip...
COMMON_NAME_COUNT = 3
# ... unless it is a letter away from a name this many times as common: a popular name's
# misspelling recurs in a big country ("Hary": 0.3% of "Harry" on 100,000 children), and
# the more so the bigger the country, while names twins are given a letter apart are far
# closer: Isha is 1.2% of Isla (twins merged at 1/50, on 250,000 children), Zora 7.5% of
# Zara. A slip more common than this goes to review: the safe side.
SLIP_RATIO = 200
# A name cut short recurs too where a source truncates ("Elij" is 0.5% of Elijah on a
# 100,000-child country whose sources cut 2% of names), while a short name twins are given
# (Ava and Avani) is about as common as the long one: a cut name more than this many times
# rarer than the long one is the same child's.
SHORT_FORM_RATIO = 10


def _middle_names(features: Features) -> set[str]:
    tokens = set((features.forenames or "").split())
    tokens.discard(features.forename or "")
    return tokens


def twins_apart(score: PairScore) -> bool:
    """Possible twins whose forenames are a letter apart (Finn and Fynn, Mia and Mya): a
    third record a letter from both ("Fnn") is no evidence that they are one child, so
    nothing but a shared identifier may join them. Twins with two different names are not
    kept apart so: a record with both (William Dafydd) is a child known by either name."""
    return score.twin_names == "typo"


# Birth-date levels twins' records can have besides the same date: one slip of it (day and
# month swapped, a character, a day apart: either side of midnight, the year), in one family
# (the surnames agree) or at one address. One child's two records a slip apart in both the
# date and the forename, into another real name, would take two slips; twins take one (on
# the 1,000,000-child country, Sara's record with the day and month swapped was linked to
# her twin Sarah when the rule read only the same date). Anyone else born a slip apart is a
# stranger, a neighbour in the same postcode too: counted as a twin of the record, he would
# keep it from its own child (``ModelMatchEngine``'s twin guard), and there are many.
TWINS_BIRTH_DATE_SLIPS = frozenset({"swap", "one_char", "day", "year"})


# Forename levels of a record's pull to one child that another child holding the record's
# forename exactly makes doubtful, when the two cannot be one child: a letter off (Zara,
# Zora), a nickname (Theodore's record at his twin Theo's home: on the 1,000,000-child
# country the address outweighed the name) or a middle name (Ling's record at home, and
# her twin Mai Ling: ADR 0043).
PULLED_NAMES = frozenset({"typo", "nickname", "other_names"})
# Of those, the names another name: a child reached by one is in doubt only where the
# child holding the record's name exactly cannot be the same child (``engine._doubtful``).
ANOTHER_NAME = frozenset({"nickname", "other_names"})


# Forename levels where one name is the other cut short: "J" or "Jo" fits Jack and James.
SHORT_FORMS = frozenset({"prefix", "initial"})

# Forename levels at which a record's name fits another's without being it: a letter off, a
# nickname, a middle name, or cut short. A record whose name so fits the names of two
# children born the same day, exactly neither ("Will": William and his twin Willliam), is
# neither's until an officer says (``born_apart_the_same_day``; ADR 0046).
FITTING_NAMES = PULLED_NAMES | SHORT_FORMS


def born_apart_the_same_day(left: Features, right: Features) -> bool:
    """Two records born the same day under different forenames: twins, when they are two
    children, and a record whose forename fits both names is no more one's than the
    other's, whatever its address says (the twins share one, at one time or another)."""
    return bool(left.dob) and left.dob == right.dob and left.forename != right.forename


def cut_short(left: Features, right: Features, levels: Mapping[str, str]) -> bool:
    """One forename is the other cut short: an initial or a prefix, or the other with its
    last letter dropped, which the comparison reads as a typo ("Sar" for Sara: a letter from
    Sara and the start of Sarah, her twin's name)."""
    level = levels.get("forename")
    if level in SHORT_FORMS:
        return True
    if level != "typo" or not left.forename or not right.forename:
        return False
    short, long = sorted((left.forename, right.forename), key=len)
    return len(short) >= 2 and len(long) == len(short) + 1 and long.startswith(short)


def fits_short_form(levels: Mapping[str, str], left: Features, right: Features) -> bool:
    """The pair's forenames are one name, or one the other cut short (:func:`cut_short`),
    with the same birth date in the same family or at the same home: a short form on one of
    them cannot tell this record from another such (twins Rohan and Rohit are both "R")."""
    return (
        (levels.get("forename") == "exact" or cut_short(left, right, levels))
        and levels.get("dob") == "exact"
        and (
            levels.get("surname") in _SURNAME_AGREES
            or levels.get("location") in {"address", "postcode"}
        )
    )


def may_be_siblings(left: Features, right: Features, levels: Mapping[str, str]) -> bool:
    """Whether the two records' birth dates could be two brothers' or sisters'. Dates a slip
    apart within one month (a day mistyped: the 12th for the 21st, the 24th for the 25th),
    or a day apart, cannot: no two siblings are born in one month on two days, nor a day
    apart. Twins share the day (or are born either side of midnight), and the twins rule
    reads their slips (``TWINS_BIRTH_DATE_SLIPS``). A shared home weighs less between
    records of one family because siblings share it (``household_u``); where the two cannot
    be siblings, it weighs as between any two records (ADR 0037)."""
    dob = levels.get("dob")
    return not (
        dob == "day" or (dob == "one_char" and (left.dob or "")[:7] == (right.dob or "")[:7])
    )


def different_names(left: str | None, right: str | None) -> bool:
    """Two forenames that are not one name, nor a nickname of the other."""
    return bool(left and right and left != right and not may_be_same_name(left, right))


def sexes_differ(levels: Mapping[str, str]) -> bool:
    """Both records give a sex, and not the same one."""
    return levels.get("sex") == "else"


def outright(levels: Mapping[str, str]) -> bool:
    """Forename and birth date exact and the same address or postcode, the sex not
    different: strong enough to join two registrations of one child that carry different
    NHS numbers. The same postcode sector is not: namesakes born the same day live a few
    streets apart in a big country (ADR 0008; on the 100,000-child country one such pair was
    merged). Nor is a different sex: Louise's record "Louis", a letter dropped, is her twin
    brother's but for it (ADR 0044)."""
    return (
        levels.get("forename") == "exact"
        and levels.get("dob") == "exact"
        and levels.get("location") in {"address", "postcode"}
        and not sexes_differ(levels)
    )


def resemblance_weight(score: PairScore) -> float:
    """The match weight without the comparisons that only count against a match (the
    carers): what the shield screen's gate asks. A child taken into care, fostered or
    adopted has new carers, and is the child the screen exists for (ADR 0025)."""
    return score.match_weight - sum(score.weights.get(name, 0.0) for name in AGAINST_ONLY)


# Forenames spelt alike by records of two sources at one birth date or one postcode: names
# in use, not slips (``attested_names``).
Attested = frozenset[tuple[str, str | None, str | None]]


def _name_keys(record: Features) -> tuple[tuple[str, str | None, str | None], ...]:
    """The keys ``attested_names`` counts ``record``'s forename by: with its birth date, and
    with its postcode (one whose value is None counts for nothing)."""
    return (("dob", record.forename, record.dob), ("postcode", record.forename, record.postcode))


def attested_names(records: Iterable[tuple[str, Features]]) -> Attested:
    """Each forename that records of at least two sources spell alike with one birth date,
    or at one postcode, of ``records`` as ``(source, features)``. Sources slip
    independently, so two of them do not make the same slip for one child: a name so spelt
    is in use, be it ever so rare (ADR 0045). (A slip of the birth date in one record, or a
    move in another, leaves the other key; the surname is not asked, as either record may
    misspell it.)"""
    by_source: defaultdict[str, set[tuple[str, str | None, str | None]]] = defaultdict(set)
    for source, record in records:
        if record.forename:
            by_source[source].update(k for k in _name_keys(record) if k[2])
    attested: set[tuple[str, str | None, str | None]] = set()
    for one, other in combinations(by_source.values(), 2):
        attested |= one & other
    return frozenset(attested)


class TrainedScorer:
    """Scores pairs with the weights of a trained model document. ``attested``: names in
    use by the records at hand (``attested_names``), which the twins rule reads as real
    names however rarely the model saw them: batch clustering's records, or the online
    engine's candidates (``attesting``)."""

    def __init__(self, model: Mapping[str, Any], attested: Attested = frozenset()) -> None:
        self._attested = attested
        self.model_version = str(model["model_version"])
        prior = float(model["prior"])
        self._prior_weight = math.log2(prior / (1 - prior))
        self._weights: dict[str, dict[str, float]] = {
            name: {
                label: math.log2(max(p["m"], 1e-12) / max(p["u"], 1e-12))
                for label, p in levels.items()
            }
            for name, levels in model["levels"].items()
        }
        # log2 of how much rarer a true match's names are swapped than straight (``_swapped``);
        # None for a model trained before the level (``score`` weighs swaps as "else").
        forename_levels = model["levels"]["forename"]
        self._swap_odds: float | None = (
            math.log2(
                max(forename_levels["swapped"]["m"], 1e-12)
                / max(forename_levels["exact"]["m"], 1e-12)
            )
            if "swapped" in forename_levels
            else None
        )
        # Comparisons a model trained before them lacks weigh nothing (``score``).
        self._u_exact = {
            name: float(model["levels"][name]["exact"]["u"])
            for name in TF_COLUMNS
            if name in model["levels"]
        }
        self._tf: dict[str, dict[str, float]] = {
            column: dict(values) for column, values in model["tf"].items()
        }
        # Per surname, forenames more common with it than overall (``linkage/training.py``);
        # absent from models trained before it, which score as they did.
        self._forename_by_surname: dict[str, dict[str, float]] = model.get(
            "tf_forename_by_surname", {}
        )
        # Location weights when the surnames agree: u conditioned on a shared surname.
        self._household: dict[str, float] = {
            label: math.log2(max(model["levels"]["location"][label]["m"], 1e-12) / u)
            for label, u in model.get("household_u", {}).items()
        }
        totals = model.get("tf_totals", {})
        forenames = max(int(totals.get("forename", 0)), 1)
        self._common_forename_share = COMMON_NAME_COUNT / forenames

    def _both_real_names(
        self, left: str | None, right: str | None, ratio: int = SLIP_RATIO
    ) -> bool:
        """Two forenames a letter apart (or one the start of the other) are both real names:
        each seen often enough, and neither a recurring slip or cut of the other, that is
        ``ratio`` times rarer (``SLIP_RATIO``, ``SHORT_FORM_RATIO``)."""
        if not (self._common_forename(left) and self._common_forename(right)):
            return False
        rarer, commoner = sorted((self._forename_share(left), self._forename_share(right)))
        return rarer * ratio >= commoner

    def _forename_share(self, name: str | None) -> float:
        """The name's share of the forenames in the model's training data."""
        return self._tf.get("forename", {}).get(name or "", 0.0)

    def _common_forename(self, name: str | None) -> bool:
        return self._forename_share(name) >= self._common_forename_share

    def twin_names(self, left: Features, right: Features, levels: Mapping[str, str]) -> str | None:
        """The forename level of possible twins (same birth date, two different real
        forenames, no middle name in common), read straight, or crossed when both records
        are the wrong way round (``_both_crossed``); None if they are not."""
        family = self._both_crossed(left, right, levels)
        if family is not None:
            left, right = crossed(left, family), crossed(right, family)
            levels = {
                **levels,
                "forename": COMPARISONS["forename"](left, right),
                "surname": COMPARISONS["surname"](left, right),
            }
        return levels["forename"] if self._possible_twins(left, right, levels) else None

    def _both_crossed(
        self, left: Features, right: Features, levels: Mapping[str, str]
    ) -> str | None:
        """The family name both records hold as their first given names, when they differ
        in surname and their surnames read as forenames: a source entered both twins' names
        the wrong way round ("Gomes Lena", "Gomes Lina"; on a 100,000-child country with 10%
        of names swapped, most twins merged were such pairs). None if they do not. A child
        whose forename is a family name too, and whose surname changed ("Ellis Rahman",
        "Ellis Qureshi"), is read as it stands: neither surname is a forename."""
        if levels.get("forename") != "exact" or levels.get("surname") in {"exact", "null"}:
            return None
        surnames = (left.surname or "", right.surname or "")
        if any(self._commoner_as(name, "surname") for name in surnames) or not any(
            self._commoner_as(name, "forename") for name in surnames
        ):
            return None
        given, other = ((f.forenames or "").split() for f in (left, right))
        for words in (2, 1) if len(given) > 1 else (1,):
            family = " ".join(given[:words])
            if given[:words] == other[:words] and self._commoner_as(family, "surname"):
                return family
        return None

    def _commoner_as(self, name: str, column: str) -> bool:
        """More common in the data as a ``column`` ("forename" or "surname") than as the
        other."""
        other = "forename" if column == "surname" else "surname"
        return self._tf.get(column, {}).get(name, 0.0) > self._tf.get(other, {}).get(name, 0.0)

    def _possible_twins(self, left: Features, right: Features, levels: Mapping[str, str]) -> bool:
        """The twins rule on the forenames as they stand."""
        if levels.get("dob") != "exact" and not (
            levels.get("dob") in TWINS_BIRTH_DATE_SLIPS
            and (levels.get("surname") in _SURNAME_AGREES or levels.get("location") == "address")
        ):
            return False
        if levels.get("forename") == "nickname":
            # A boy and a girl whose names meet only in a short form either could have
            # (Charlie: Charles or Charlotte) are a brother and sister (ADR 0014).
            return sexes_differ(levels) and left.forename_canon != right.forename_canon
        if levels.get("forename") not in _TWIN_NAMES:
            return False
        if _middle_names(left) & _middle_names(right):
            return False
        ratio = SHORT_FORM_RATIO if levels["forename"] == "prefix" else SLIP_RATIO
        # Different names outright, a disagreeing identifier, or a brother and sister (Amir
        # and Amira), however rare the names (ADR 0014); else names a letter apart that are
        # both real names (not a slip, in a rare name or a recurring one in a popular name).
        return (
            levels["forename"] == "else"
            or "else" in (levels.get("nhs_number"), levels.get("sex"), levels.get("upn"))
            or self._both_real_names(left.forename, right.forename, ratio)
            or self._both_attested(left, right, ratio)
        )

    def _both_attested(self, left: Features, right: Features, ratio: int) -> bool:
        """Both forenames are names in use: one at least spelt alike by two sources at its
        record's birth date or postcode (``attested_names``; ADR 0045), and the other so
        too, or seen often enough by the model and not ``ratio`` times rarer than the
        attested one (a common name beside an attested one, not a recurring slip of it:
        ADR 0048)."""
        attested = self._attested
        if not attested:
            return False
        spelt = [any(key in attested for key in _name_keys(f)) for f in (left, right)]
        if all(spelt):
            return True
        if not any(spelt):
            return False
        known, other = (left, right) if spelt[0] else (right, left)
        share = self._forename_share(other.forename)
        return self._common_forename(other.forename) and (
            share * ratio >= self._forename_share(known.forename)
        )

    def attesting(self, attested: Attested) -> TrainedScorer:
        """This scorer with ``attested`` (``attested_names``) the names in use of the records
        at hand: an engine matching one record gives its candidates' (ADR 0048)."""
        if attested == self._attested:
            return self
        scorer = copy.copy(self)
        scorer._attested = attested
        return scorer

    def _family_tf(self, forename: str, tf: float, *surnames: str | None) -> float:
        """The forename's share among the records of either surname where that is higher:
        with the surnames a letter apart (Ali, Ail) or sharing a part, too, as a slip in the
        surname must never make the forename stronger evidence than the surname written
        right would (on the 1,000,000-child country, a benefit record went to the namesake
        whose school record spelt her surname wrong)."""
        for surname in {s for s in surnames if s}:
            tf = max(tf, self._forename_by_surname.get(surname, {}).get(forename, tf))
        return tf

    def _rarity(self, name: str, value: str | None, surnames: tuple[str | None, ...]) -> float:
        """The term-frequency adjustment of an exact level: rarer values weigh more. A
        forename is weighed within the family of ``surnames`` (``_family_tf``)."""
        tf = self._tf.get(TF_COLUMNS[name], {}).get(value or "")
        if tf is None:
            return 0.0
        if name == "forename" and value:
            tf = self._family_tf(value, tf, *surnames)
        return math.log2(self._u_exact[name]) - math.log2(max(tf, _MIN_TF))

    def _swapped(self, left: Features, right: Features, odds: float) -> dict[str, float]:
        """Forename and surname weights of a pair whose names are the wrong way round on
        one record. The swap is one event, not two: weighed as the two names agreeing
        exactly (with their rarity, read the way that makes them commoner: either record
        may be the swapped one), and once ``odds``, that a true match's names are swapped
        rather than straight. The two ``swapped`` levels' own weights would count it twice:
        each is learnt as rare as both names crossing at once (+13.7 bits each on a country
        with 2% of records swapped, against +8.0 and +7.3 for the names agreeing)."""
        exact = {name: self._weights[name]["exact"] for name in ("forename", "surname")}
        forename, surname = min(
            (
                (
                    exact["forename"] + self._rarity("forename", given, (family,)) + odds,
                    exact["surname"] + self._rarity("surname", family, ()),
                )
                for given, family in (
                    (left.forename, left.surname),
                    (right.forename, right.surname),
                )
            ),
            key=sum,
        )
        return {"forename": forename, "surname": surname}

    def score(self, left: Features, right: Features) -> PairScore:
        """Score one pair; per-comparison weights explain the result."""
        levels = {name: level_of(left, right) for name, level_of in COMPARISONS.items()}
        weights: dict[str, float] = {}
        agree = levels["surname"] in _SURNAME_AGREES
        # A shared home is weaker evidence within one family, which siblings share.
        household = agree and may_be_siblings(left, right, levels)
        for name, level in levels.items():
            if level == "null":
                weights[name] = 0.0
                continue
            # A level the model was trained without weighs as the levels it was part of then.
            known = self._weights.get(name, {})
            weight = known.get(level, known.get("else", 0.0))
            if name == "location" and household:
                weight = self._household.get(level, weight)
            if name in TF_COLUMNS and level == "exact":
                family = (left.surname, right.surname) if agree else ()
                weight += self._rarity(name, getattr(left, TF_COLUMNS[name]), family)
            weights[name] = min(weight, 0.0) if name in AGAINST_ONLY else weight
        if levels["forename"] == "swapped" and self._swap_odds is not None:
            weights |= self._swapped(left, right, self._swap_odds)
        total = self._prior_weight + sum(weights.values())
        probability = 1.0 / (1.0 + 2.0 ** (-total)) if total > -1000 else 0.0
        twins = self.twin_names(left, right, levels)
        return PairScore(probability, weights, levels, total, twins)

    def decision_probability(self, score: PairScore) -> float:
        """The probability the thresholds see: possible twins never reach ``LINK``."""
        if not score.possible_twins:
            return score.probability
        distinct = score.twin_names in {"else", "prefix"} or "else" in (
            score.levels.get("nhs_number"),
            score.levels.get("upn"),
        )
        ceiling = REVIEW if distinct else LINK
        return min(score.probability, math.nextafter(ceiling, 0.0))

    def decision_strength(self, score: PairScore, probability: float) -> float:
        """The pair's strength in bits as the thresholds see it: the match weight, unless a
        rule capped ``probability`` below the model's (then the capped log odds)."""
        if probability >= score.probability:
            return score.match_weight
        if probability <= 0.0:
            return -math.inf
        return math.log2(probability / (1.0 - probability))
