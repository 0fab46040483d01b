"""The trained engine: identifier rules with their safeguard, then the Fellegi-Sunter model.

In-process and per record: candidates come from the store's indexed blocking keys, each is
scored with the trained weights (``matching/scoring.py``), and a child's score is that of its
best-matching record. No database engine runs per record.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from typing import Any

from childindex.domain.ids import ChildId
from childindex.domain.source_record import SourceRecord
from childindex.matching.blocking import query_keys
from childindex.matching.features import Features, features_of
from childindex.matching.identifier_rule import (
    IdentifierVerdict,
    conflicting_kinds,
    identifier_verdict,
    identifiers_of,
    joinable_on_score,
)
from childindex.matching.ports import (
    Candidate,
    CandidateRecord,
    CandidateStore,
    MatchDecision,
    MatchKind,
)
from childindex.matching.scoring import (
    ANOTHER_NAME,
    FITTING_NAMES,
    SHORT_FORMS,
    TrainedScorer,
    attested_names,
    born_apart_the_same_day,
    cut_short,
    different_names,
    fits_short_form,
    outright,
    resemblance_weight,
    sexes_differ,
    twins_apart,
)
from childindex.matching.thresholds import AMBIGUOUS_BITS, LINK, REVIEW

# At most this many stored records are compared with one record: past it (a common name born
# in one month), those sharing its NHS number or UPN, then the most of its keys (ADR 0049).
CANDIDATE_LIMIT = 400


class ModelMatchEngine:
    """``MatchEngine`` scoring with a trained model document.

    >>> engine = ModelMatchEngine(model)  # doctest: +SKIP
    >>> engine.decide(record, uow.children).kind  # doctest: +SKIP
    <MatchKind.LINK: 'link'>
    """

    def __init__(self, model: Mapping[str, Any]) -> None:
        self.scorer = TrainedScorer(model)
        self.model_version = self.scorer.model_version

    def weight(self, left: Mapping[str, Any], right: Mapping[str, Any]) -> float:
        """The model's match weight (log2 odds, prior included) of two records' payloads:
        what the shield screen's gate asks (``services.ports.PairWeigher``, ADR 0019), without
        the carers (``scoring.resemblance_weight``, ADR 0025)."""
        return self.weight_of(features_of(left), features_of(right))

    def weight_of(self, left: Features, right: Features) -> float:
        """:meth:`weight` of two payloads' features (``features_of``), for a caller asking
        about the same records many times: standardising a payload costs more than scoring."""
        return resemblance_weight(self.scorer.score(left, right))

    def decide(self, record: SourceRecord, store: CandidateStore) -> MatchDecision:
        """LINK, REVIEW or NEW for ``record``, with every candidate child scored."""
        features = features_of(record.payload)
        found = store.by_blocking_keys(query_keys(features), limit=CANDIDATE_LIMIT)
        own = (record.source.value, record.record_id)
        return self.decide_among(features, (c for c in found if (c.source, c.record_id) != own))

    def joinable(self, left: Sequence[SourceRecord], right: Sequence[SourceRecord]) -> bool:
        """Whether two children, by their records, may be one child: what the
        batch clustering asks before a third record joins them (``linkage.batch``'s
        ``_Clusters.distinct``), and more: not if both hold NHS numbers (or UPNs), none
        shared, nor if the twins rule says any two of their records may be twins
        (``PairScore.possible_twins``: the batch keeps apart only twins a letter apart).
        Two records with two different names, one on each child, are no twins' when a
        record of the two children is known by both names ("William Dafydd" joins William
        and Dafydd, as the batch joins them), and the two records agree on sex (ADR 0038).
        Names two sources of the two children spell alike are names in use (ADR 0045, 0048),
        as the batch reads them."""
        ours = [features_of(r.payload) for r in left]
        theirs = [features_of(r.payload) for r in right]
        if conflicting_kinds(identifiers_of(ours), identifiers_of(theirs)):
            return False
        sources = [r.source.value for r in (*left, *right)]
        scorer = self.scorer.attesting(attested_names(zip(sources, (*ours, *theirs), strict=True)))
        known_as = [set((f.forenames or "").split()) for f in (*ours, *theirs)]
        return not any(_kept_apart(scorer, a, b, known_as) for a in ours for b in theirs)

    def decide_among(
        self, features: Features, candidates: Iterable[CandidateRecord]
    ) -> MatchDecision:
        """The decision against exactly these candidate records (e.g. one shielded child's)."""
        scored = self.score_children(features, candidates)
        if not scored:
            return MatchDecision(kind=MatchKind.NEW, child_id=None, decided_by="new")
        best_child, (decision_probability, verdict, candidate, _) = next(iter(scored.items()))
        ordered = tuple(
            sorted(
                (c for _, _, c, _ in scored.values()),
                key=lambda c: -c.probability,  # stable: ties as ``score_children`` ranks them
            )
        )
        # Other children the record links to on its own (``_bridgeable``).
        bridged = tuple(
            child
            for child, (probability, _, _, bridgeable) in scored.items()
            if child != best_child and probability >= LINK and bridgeable
        )
        if verdict is IdentifierVerdict.LINK:
            return MatchDecision(MatchKind.LINK, best_child, "identifier", 1.0, ordered, bridged)
        if verdict is IdentifierVerdict.REVIEW:
            return MatchDecision(
                MatchKind.REVIEW, best_child, "identifier", candidate.probability, ordered
            )
        if decision_probability >= LINK:
            return MatchDecision(
                MatchKind.LINK, best_child, "score", decision_probability, ordered, bridged
            )
        if decision_probability >= REVIEW:
            return MatchDecision(
                MatchKind.REVIEW, best_child, "score", decision_probability, ordered
            )
        return MatchDecision(MatchKind.NEW, None, "new", decision_probability, ordered)

    def score_children(
        self, features: Features, candidates: Iterable[CandidateRecord]
    ) -> dict[ChildId, tuple[float, IdentifierVerdict, Candidate, bool]]:
        """Per child: decision probability, identifier verdict, the explained candidate
        (model probability and per-field weights of its best-matching record), and whether
        the record may join it to another (``_bridgeable``).

        The batch clustering's guards apply per child too (ADR 0008): a child holding NHS
        numbers none of which is the record's is linked only by an identifier or by an
        outright agreement with one of its records holding an NHS number (a child
        registered twice), and one holding UPNs none of which is the record's only by an
        identifier (ADR 0041); a child any of whose records the
        twins rule says may be the record's twin, a letter apart (``twins_apart``), is
        linked only by an identifier, however well another of its records matches (one
        with the day and month of birth swapped); and when two children are at or above
        ``LINK`` within ``AMBIGUOUS_BITS`` of each other, or the best has the record's
        forename a letter off while another has it exactly or a letter off as a possible
        twin (twins), or only as a nickname while another child with identifiers in
        conflict has it exactly (twins Theo and Theodore, ADR 0024), or the record's
        forename is an initial or a name cut short that fits two children born the same day
        in one family or home by different names, or fits the best while another child
        holds it exactly or a letter off (ADR 0021), or the best's sex differs from the
        record's while another child holds a possible twin of it, or its name and cannot be
        the same child (ADR 0044), or the record's forename fits, and is not, the names of
        two children's records born the same day, the best holding it only so (ADR 0046),
        none is linked automatically (``_doubtful``).
        """
        best: dict[ChildId, _Best] = {}
        twins: set[ChildId] = set()  # children holding a possible twin of the record
        # Per child, the forenames of its records the record's forename fits as a short form
        # ("R": Rohan) born the same day in the same family or home (``fits_short_form``).
        fitted: dict[ChildId, set[str]] = {}
        # Per child, its records whose forenames the record's fits, not being them
        # (``FITTING_NAMES``), at REVIEW or above (``_fits_two``); and the children holding
        # the record's forename itself at REVIEW or above.
        fitting: dict[ChildId, list[Features]] = {}
        named: set[ChildId] = set()
        seen: list[tuple[ChildId, Features]] = []
        # Children a record of which holding an NHS number agrees with the record outright:
        # where the numbers differ, a child registered twice (``joinable_on_score``).
        registered: set[ChildId] = set()
        stored = list(candidates)
        # Names two sources of the candidates spell alike are names in use (ADR 0045, 0048).
        scorer = self.scorer.attesting(attested_names((c.source, c.features) for c in stored))
        # Per child, the first of its records by source and record id: what breaks a tie
        # between two children, never their IDs, which are drawn at random.
        first_of: dict[ChildId, tuple[str, str]] = {}
        for found in stored:
            other = found.features
            seen.append((found.child_id, other))
            here = (found.source, found.record_id)
            first_of[found.child_id] = min(first_of.get(found.child_id, here), here)
            score = scorer.score(features, other)
            if other.nhs_number and outright(score.levels):
                registered.add(found.child_id)
            if twins_apart(score):
                twins.add(found.child_id)
            if fits_short_form(score.levels, features, other) and other.forename is not None:
                fitted.setdefault(found.child_id, set()).add(other.forename)
            verdict = identifier_verdict(features, other)
            probability = scorer.decision_probability(score)
            if verdict is IdentifierVerdict.REVIEW:
                probability = min(probability, REVIEW)
            if probability >= REVIEW:
                _note_name(score.levels["forename"], found.child_id, other, named, fitting)
            strength = (
                math.inf
                if verdict is IdentifierVerdict.LINK
                else scorer.decision_strength(score, probability)
            )
            candidate = Candidate(found.child_id, score.probability, dict(score.weights))
            mine = _Best(
                probability,
                verdict,
                candidate,
                strength,
                score.levels["forename"],
                other,
                cut_short(features, other, score.levels),
                sexes_differ(score.levels),
            )
            held = best.get(found.child_id)
            if held is None or mine.rank > held.rank:
                best[found.child_id] = mine
        # Per child, the NHS numbers and UPNs its candidate records hold.
        records_of: dict[ChildId, list[Features]] = {}
        for child_id, other in seen:
            records_of.setdefault(child_id, []).append(other)
        ids = {child_id: identifiers_of(records) for child_id, records in records_of.items()}
        its_ids = identifiers_of([features])
        for child_id, held in best.items():
            if held.verdict is not IdentifierVerdict.LINK and held.probability >= LINK:
                joinable = joinable_on_score(
                    its_ids, ids[child_id], outright=child_id in registered
                )
                if not joinable or child_id in twins:
                    best[child_id] = held.capped()
        ranked = sorted(best.items(), key=lambda item: (item[1].order, first_of[item[0]]))
        if _doubtful(ranked, ids, twins, fitted, fitting=fitting, named=named):
            ranked = [(c, b.capped() if b.probability >= LINK else b) for c, b in ranked]
        return {
            c: (
                b.probability,
                b.verdict,
                b.candidate,
                b.probability >= LINK and self._bridgeable(features, c, b, seen),
            )
            for c, b in ranked
        }

    def _bridgeable(
        self, features: Features, child: ChildId, held: _Best, seen: list[tuple[ChildId, Features]]
    ) -> bool:
        """Whether ``child`` may be joined through the record (``MatchDecision.bridged``):
        not if the record reaches it only through a name cut short or an initial that may be
        another child's. The child's record "A" fits Arlo, the record; it is joined only if
        it fits no record of another child born the same day in the same family or home by
        another name (his twin Aiden), as the batch's short-form guard asks. A record that
        is itself the short form bridges nothing that way."""
        if held.forename not in SHORT_FORMS:
            return True
        short = held.features
        if len(short.forename or "") >= len(features.forename or ""):
            return False
        return not any(
            other_child != child
            and different_names(other.forename, features.forename)
            and fits_short_form(self.scorer.score(short, other).levels, short, other)
            for other_child, other in seen
        )


def _kept_apart(
    scorer: TrainedScorer, a: Features, b: Features, known_as: Sequence[set[str]]
) -> bool:
    """Whether ``a`` and ``b`` may be twins, so that their children are never joined."""
    score = scorer.score(a, b)
    if not score.possible_twins:
        return False
    both = {a.forename or "", b.forename or ""}
    one_child_by_either_name = (
        score.twin_names == "else"
        and not sexes_differ(score.levels)
        and any(both <= names for names in known_as)
    )
    return not one_child_by_either_name


def _doubtful(
    ranked: list[tuple[ChildId, _Best]],
    ids: Mapping[ChildId, tuple[set[str], set[str]]],
    twins: Collection[ChildId],
    fitted: Mapping[ChildId, set[str]],
    *,
    fitting: Mapping[ChildId, list[Features]],
    named: Collection[ChildId],
) -> bool:
    """Whether the best child at LINK (of ``ranked``, best first) is in doubt, so that no
    child is linked on score: another within ``AMBIGUOUS_BITS``; the record's name fits the
    names of two children's records born the same day (``fitting``, ``_fits_two``), the best
    not holding it (``named``); the record's short form fits another child too, or another
    holds it exactly or a letter off; or the twin guard (below), the best's sex differing
    too."""
    linked = [(c, b) for c, b in ranked if b.probability >= LINK]
    if not linked or linked[0][1].verdict is IdentifierVerdict.LINK:
        return False
    (first, best), others = linked[0], linked[1:]
    if others and best.strength - others[0][1].strength < AMBIGUOUS_BITS:
        return True
    if first not in named and _fits_two(fitting):
        # The record's name fits the names of two children's records born the same day,
        # and the best holds it only as another name ("Will": William and his twin
        # Willliam): whatever the address says, an officer decides (ADR 0046).
        return True
    if best.short and (
        _fits_another(first, fitted) or any(b.forename in {"exact", "typo"} for _, b in others)
    ):
        # A short form ("R", or "Sar" a letter from Sara) fitting another child, born the
        # same day in the same family or home, by another name (Rohan, Rohit; Sarah), or
        # while another child at LINK holds the name itself or a letter off it ("Sara": the
        # start of Sarah's "Sarahh", a letter from Sara's "Sarra"): which one it is, an
        # officer decides.
        return True
    # Another child holds a possible twin of the record, a letter apart; or, who cannot be
    # the same child (identifiers in conflict), the record's name itself.
    twin_held = any(c in twins for c, _ in ranked[1:])
    name_held_apart = any(
        b.forename == "exact" and conflicting_kinds(ids[first], ids[c]) for c, b in others
    )
    if best.forename == "typo":
        # Twin guard: the best has a forename a letter off, another the same one, or a name
        # a letter off that the twins rule capped ("Fnn" between Finn and his twin Fynn).
        return twin_held or any(b.forename == "exact" for _, b in others)
    # The best only by a nickname (Theo, for the record's Theodore) or a middle name (Mai
    # Ling, for the record's Ling: ADR 0043) while another child who cannot be the same has
    # the name itself; or the best but for the sex ("Louis", F, to Louis) while another
    # holds a possible twin (Louise) or the name (ADR 0044).
    return (best.forename in ANOTHER_NAME and name_held_apart) or (
        best.sex_differs and (twin_held or name_held_apart)
    )


def _note_name(
    level: str,
    child: ChildId,
    other: Features,
    named: set[ChildId],
    fitting: dict[ChildId, list[Features]],
) -> None:
    """Note a child's record at REVIEW or above by the forename comparison's ``level``: in
    ``named`` if it holds the record's forename, in ``fitting`` if the record's fits it."""
    if level == "exact":
        named.add(child)
    elif level in FITTING_NAMES:
        fitting.setdefault(child, []).append(other)


def _fits_two(fitting: Mapping[ChildId, list[Features]]) -> bool:
    """Whether records of two children, born the same day under different forenames, are
    among those whose forename the record's fits (``FITTING_NAMES``) at REVIEW or above."""
    return any(
        born_apart_the_same_day(mine, theirs)
        for (_, ours), (_, others) in combinations(fitting.items(), 2)
        for mine in ours
        for theirs in others
    )


def _fits_another(best: ChildId, fitted: Mapping[ChildId, set[str]]) -> bool:
    """Whether the short form fits another child than ``best`` by a name none of ``best``'s
    fitted records has (nor a nickname of one)."""
    mine = fitted.get(best, set())
    return any(
        all(different_names(name, held) for held in mine)
        for child, names in fitted.items()
        if child != best
        for name in names
    )


_RANK = {IdentifierVerdict.LINK: 2, IdentifierVerdict.REVIEW: 1, IdentifierVerdict.NONE: 0}


@dataclass(frozen=True, slots=True)
class _Best:
    """A child's best-matching record as the thresholds see it."""

    probability: float
    verdict: IdentifierVerdict
    candidate: Candidate
    strength: float
    forename: str  # the forename comparison's level
    features: Features  # the record's
    short: bool = False  # one forename is the other cut short (``cut_short``)
    sex_differs: bool = False  # the sexes differ (ADR 0044)

    @property
    def rank(self) -> tuple[bool, bool, bool, float]:
        # A child's best record: one its identifier links; else one linking on score (the
        # child's other records agree with the record, whatever one of them sharing its
        # identifier but not its birth date or sex says); else one whose identifier sends
        # the pair to review; else the strongest.
        return (
            self.verdict is IdentifierVerdict.LINK,
            self.probability >= LINK,
            self.verdict is IdentifierVerdict.REVIEW,
            self.strength,
        )

    @property
    def order(self) -> tuple[int, float, float]:
        # An identifier link beats any score; then probability, then strength.
        return (-_RANK[self.verdict], -self.probability, -self.strength)

    def capped(self) -> _Best:
        """The same, held just below ``LINK`` (so at most REVIEW)."""
        return replace(self, probability=min(self.probability, math.nextafter(LINK, 0.0)))
