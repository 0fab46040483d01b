"""Batch matching: every record of a feed set clustered into children.

Splink (DuckDB) generates and scores the blocked pairs; pairs that could matter are
re-scored in-process with the same weights and rules as the online engine (identifier
safeguard, twins rule), then clustered: identifier links and model links at or above
``LINK`` join clusters, strongest first, unless the two clusters hold different NHS numbers
or UPNs that the pair itself does not bridge, or hold records the twins rule keeps apart, or
the pair is one of several equally strong ones pulling a record towards two children (see
:func:`cluster_scored`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, combinations, groupby
from typing import Any

from childindex.linkage.training import feature_table, linker_for
from childindex.matching.features import Features
from childindex.matching.identifier_rule import (
    IdentifierVerdict,
    conflicting_kinds,
    identifier_verdict,
    identifiers_of,
    joinable_on_score,
)
from childindex.matching.scoring import (
    FITTING_NAMES,
    PULLED_NAMES,
    SHORT_FORMS,
    TrainedScorer,
    attested_names,
    born_apart_the_same_day,
    different_names,
    fits_short_form,
    outright,
    sexes_differ,
    twins_apart,
)
from childindex.matching.thresholds import AMBIGUOUS_BITS, LINK, REVIEW
from childindex.services.work_ahead import WorkAhead


@dataclass(slots=True)
class BatchResult:
    """Cluster of every record, the pairs left for review, and counts."""

    cluster_of: dict[str, str]
    review_pairs: list[tuple[str, str, float]] = field(default_factory=list)
    scored_pairs: int = 0
    # Each record some pair joined to another cluster: that pair's probability, and
    # whether it was an identifier link (the strongest such pair: they join strongest first).
    joined_by: dict[str, tuple[float, bool]] = field(default_factory=dict)


class _Clusters:
    """Union-find over record ids, keeping each cluster's NHS numbers and UPNs, and the
    clusters it is kept apart from: those holding a record that the twins rule says may be a
    twin of one of its records, a letter apart (``matching.scoring.twins_apart``).

    ``placed``: records already on a child (record id -> child id). The records of one child
    start as one cluster, and no pair joins two clusters holding children: what the index
    holds was decided (by the engine, or by an officer) and stays so."""

    def __init__(self, features: Mapping[str, Features], placed: Mapping[str, str]) -> None:
        self.parent = {uid: uid for uid in features}
        self.ids = {uid: identifiers_of([f]) for uid, f in features.items()}
        self.apart: defaultdict[str, set[str]] = defaultdict(set)  # by root
        self.child: dict[str, str] = {}  # root -> the held child it holds
        first: dict[str, str] = {}
        for uid, child in placed.items():
            if uid not in self.parent:
                continue
            if child in first:
                self._merge(self.find(first[child]), self.find(uid))
            else:
                first[child] = uid
                self.child[uid] = child

    def keep_apart(self, a: str, b: str) -> None:
        """Records ``a`` and ``b`` may be twins: only an identifier joins their clusters."""
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.apart[ra].add(rb)
            self.apart[rb].add(ra)

    def find(self, uid: str) -> str:
        root = uid
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[uid] != root:
            self.parent[uid], uid = root, self.parent[uid]
        return root

    def conflicts(self, ra: str, rb: str) -> int:
        """How many identifier kinds (NHS number, UPN) both clusters hold, none shared."""
        return conflicting_kinds(self.ids[ra], self.ids[rb])

    def distinct(self, ra: str, rb: str, *, outright: bool = False) -> bool:
        """Whether two clusters cannot be one child: no pair sharing no identifier may join
        them (``joinable``: identifiers conflict, the twins rule keeps them apart, or each
        holds a child already). ``outright``: not even two records holding their NHS numbers
        agreeing outright; such clusters can never be one child but by an identifier. A
        cluster is never distinct from itself, though it holds a child."""
        return not self.joinable(ra, rb, force=outright)

    def joinable(self, ra: str, rb: str, *, force: bool) -> bool:
        """Whether a pair sharing no identifier may join clusters ``ra`` and ``rb``: their
        identifiers allow it (``identifier_rule.joinable_on_score``; ``force``: two records
        holding their NHS numbers agree outright), the twins rule does not keep them apart,
        and they do not each hold a child already."""
        return ra == rb or (
            joinable_on_score(self.ids[ra], self.ids[rb], outright=force)
            and rb not in self.apart.get(ra, ())
            and not (ra in self.child and rb in self.child)
        )

    def union(self, a: str, b: str, *, force: bool, identifier: bool = False) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        # Two clusters each holding NHS numbers, none shared: two registrations of one
        # child, or two children. Only an identifier link, or two records holding the two
        # numbers that agree outright (``force``), joins them, and never over both kinds of
        # identifier at once. Two UPNs none shared are two pupils: only an identifier link
        # joins them (ADR 0041). Possible twins (Finn and Fynn) are joined by a shared
        # identifier only, never by a third record that looks like both ("Fnn"): online
        # they are two children, and a record pulled to both goes to review
        # (``ModelMatchEngine.score_children``). Two children held already are never joined
        # here.
        if self.conflicts(ra, rb) > 1 or (ra in self.child and rb in self.child):
            return False
        if not identifier and not self.joinable(ra, rb, force=force):
            return False
        self._merge(ra, rb)
        return True

    def both_placed(self, a: str, b: str) -> bool:
        """Whether the clusters of ``a`` and ``b`` each hold a child already."""
        return self.find(a) in self.child and self.find(b) in self.child

    def _merge(self, ra: str, rb: str) -> None:
        small, big = sorted((ra, rb), key=lambda r: len(self.ids[r][0]) + len(self.ids[r][1]))
        self.parent[small] = big
        if small in self.child:
            self.child[big] = self.child.pop(small)
        for kind in (0, 1):
            self.ids[big][kind].update(self.ids[small][kind])
        for other in self.apart.pop(small, ()):
            self.apart[other].discard(small)
            if other != big:
                self.apart[other].add(big)
                self.apart[big].add(other)

    def ambiguous(
        self,
        pairs: list[_Pair],
        near: list[_Pair],
        forced: Callable[[_Pair], bool] | None = None,
    ) -> set[str]:
        """Clusters with no identifier of their own that ``pairs`` (one band) would join to
        two clusters that cannot be one child (``distinct``), pulled to both within
        ``AMBIGUOUS_BITS``: which one is a coin toss. ``near`` (the bands either side)
        counts too, so two pulls a fraction of a bit apart across a band's edge are equally
        strong, as online. (A cluster with an identifier is kept apart by it.)

        With ``forced``, the pairs are outright agreements (``forced(pair)``: one that may
        join across two NHS numbers), and clusters with identifiers count too: pulled alike
        to two clusters that can never be one child (``distinct`` even outright: two UPNs,
        two pupils; the twins rule), which its own identifiers do not tell apart. Twins of
        one name (Leo and Léo), each with his own NHS number and UPN: which health record is
        whose school record's, nothing in the records says (ADR 0042)."""
        outright = forced is not None
        pulls: defaultdict[str, list[tuple[float, bool, str, _Pair]]] = defaultdict(list)
        parent, find, parts = self.parent, self.find, self._parts
        for pair, here in chain(((p, True) for p in pairs), ((p, False) for p in near)):
            ra, rb = parent[pair.left], parent[pair.right]  # the root, most often
            if parent[ra] != ra:
                ra = find(ra)
            if parent[rb] != rb:
                rb = find(rb)
            if ra == rb:
                continue
            # Only a pull to a cluster that may be parted from another counts, and a pull
            # from a band near only to a cluster pulled in this band. A cluster with an
            # identifier counts its pulls to clusters the twins rule keeps apart (a slip a
            # letter from both twins' names, with an identifier nothing of either twin's
            # contradicts: ADR 0045).
            for mine, theirs in ((ra, rb), (rb, ra)):
                if (
                    (here or mine in pulls)
                    and (outright or not any(self.ids[mine]) or self.apart.get(theirs))
                    and parts(theirs, outright=outright)
                ):
                    pulls[mine].append((pair.strength, here, theirs, pair))
        tossed: set[str] = set()
        for root, found in pulls.items():
            if len({target for _, _, target, _ in found}) < 2:
                continue  # most are: pulled to one cluster
            # Only pulls the cluster could take: outright, by the pair's force; else, with
            # identifiers of its own, by them.
            counted = (
                found
                if forced is None and not any(self.ids[root])
                else [
                    f
                    for f in found
                    if self.joinable(root, f[2], force=forced is not None and forced(f[3]))
                ]
            )
            if any(
                (here or there)
                and p != q
                and abs(s - t) < AMBIGUOUS_BITS
                and self.distinct(p, q, outright=outright)
                for (s, here, p, _), (t, there, q, _) in combinations(counted, 2)
            ):
                tossed.add(root)
        return tossed

    def _parts(self, root: str, *, outright: bool) -> bool:
        """Whether the cluster ``root`` may be ``distinct`` from another (with ``outright``
        too): it holds identifiers (outright, a UPN: two NHS numbers may be one
        child registered twice), or a child, or is kept apart from another cluster."""
        held = self.ids[root][1] if outright else any(self.ids[root])
        return bool(held) or root in self.child or bool(self.apart.get(root))


@dataclass(frozen=True, slots=True)
class _Pair:
    strength: float  # log2 odds as the thresholds see it; inf for an identifier link
    probability: float
    force: bool
    identifier: bool
    left: str
    right: str
    forename: str = "null"  # the forename comparison's level
    twins: bool = False  # possible twins a letter apart (``twins_apart``)
    fits: bool = False  # one forename fits the other, same birth date (``fits_short_form``)
    sex_differs: bool = False  # the two records' sexes differ (ADR 0044)


def _band(pair: _Pair) -> float:
    """Pairs in one band are equally strong (within ``AMBIGUOUS_BITS``)."""
    if pair.identifier or math.isinf(pair.strength):
        return pair.strength
    return math.floor(pair.strength / AMBIGUOUS_BITS)


# Blocked pairs from which a second process scores the later half of them while this one
# scores the first (``services/work_ahead.py``): below it, forking costs more than it saves.
SCORE_AHEAD_FROM = 200_000
# Pairs scored between two looks at what the second process has sent, and per job of it.
SCORE_CHUNK = 20_000
# A pair's score without its records: what the second process sends (a ``_Pair``'s fields
# from ``strength`` on, but ``left`` and ``right``).
_Scored = tuple[float, float, bool, bool, str, bool, bool, bool]


def score_pairs(
    table: Iterable[tuple[str, str]],
    features: Mapping[str, Features],
    model: Mapping[str, Any],
    *,
    ahead_from: int = SCORE_AHEAD_FROM,
    chunk: int = SCORE_CHUNK,
    wait: bool = False,
) -> list[_Pair]:
    """Every blocked pair re-scored with the online engine's rules, strongest first. From
    ``ahead_from`` pairs, a fork scores the later half, ``chunk`` pairs a job, while this
    process scores the first (``WorkAhead``; ``wait``: each job's scores come from the fork,
    the tests'). A pair's score is a function of the pair, the features and the model alone,
    so whichever process scores it, it is the same."""
    pairs = list(table)
    attested = attested_names((uid.partition(":")[0], f) for uid, f in features.items())
    scorer = TrainedScorer(model, attested=attested)
    half = len(pairs) // 2 if len(pairs) >= ahead_from else len(pairs)
    later = [pairs[start : start + chunk] for start in range(half, len(pairs), chunk)]
    work = partial(_scores, scorer, features)
    scored: list[_Pair] = []
    with WorkAhead(later, work, wait=wait) as ahead:
        for start in range(0, half, chunk):
            mine = pairs[start : min(start + chunk, half)]
            scored += _with_records(mine, work(mine))
            ahead.gather()
        for number, theirs in enumerate(later):
            scored += _with_records(theirs, ahead.take(number))
    scored.sort(key=lambda p: (-p.strength, p.left, p.right))
    return scored


def _scores(
    scorer: TrainedScorer, features: Mapping[str, Features], pairs: Iterable[tuple[str, str]]
) -> list[_Scored]:
    """Each pair's score (:func:`score_pairs`)."""
    scores: list[_Scored] = []
    for left, right in pairs:
        verdict = identifier_verdict(features[left], features[right])
        if verdict is IdentifierVerdict.LINK:
            scores.append((math.inf, 1.0, True, True, "null", False, False, False))
            continue
        score = scorer.score(features[left], features[right])
        probability = scorer.decision_probability(score)
        if verdict is IdentifierVerdict.REVIEW:
            probability = min(probability, REVIEW)
        # Two registrations of one child (different NHS numbers) join only on a pair that
        # agrees on forename and date of birth outright.
        force = probability >= LINK and outright(score.levels)
        strength = scorer.decision_strength(score, probability)
        forename = score.levels["forename"]
        twins = twins_apart(score)
        fits = fits_short_form(score.levels, features[left], features[right])
        sex = sexes_differ(score.levels)
        scores.append((strength, probability, force, False, forename, twins, fits, sex))
    return scores


def _with_records(pairs: list[tuple[str, str]], scores: list[_Scored]) -> list[_Pair]:
    """Each of ``pairs`` with its score."""
    return [
        _Pair(score[0], score[1], score[2], score[3], left, right, *score[4:])
        for (left, right), score in zip(pairs, scores, strict=True)
    ]


def features_by_id(rows: Iterable[Mapping[str, Any]]) -> dict[str, Features]:
    """Each row's features (from :func:`linkage.training.feature_rows`), by its id."""
    return {
        row["unique_id"]: Features(**{k: v for k, v in row.items() if k != "unique_id"})
        for row in rows
    }


def blocked_pairs(
    rows: list[dict[str, Any]] | Any, model: Mapping[str, Any], *, placed_apart: bool = False
) -> list[tuple[str, str]]:
    """The pairs Splink's blocking rules give that its model does not rule out outright, of
    ``rows`` (or their table: ``linkage.training.feature_table``); with ``placed_apart``,
    no pair of two records already on children (``linkage.training.linker_for``)."""
    linker = linker_for(rows, model, placed_apart=placed_apart)
    predictions = linker.inference.predict(threshold_match_probability=REVIEW / 10)
    pairs: list[tuple[str, str]] = (
        predictions.as_duckdbpyrelation().select("unique_id_l, unique_id_r").fetchall()
    )
    return pairs


def cluster(
    rows: list[dict[str, Any]], model: Mapping[str, Any], placed: Mapping[str, str] | None = None
) -> BatchResult:
    """Cluster ``rows`` (from :func:`linkage.training.feature_rows`) with ``model``:
    :func:`cluster_features` of their features."""
    return cluster_features(features_by_id(rows), model, placed)


def cluster_features(
    features: Mapping[str, Features],
    model: Mapping[str, Any],
    placed: Mapping[str, str] | None = None,
) -> BatchResult:
    """Cluster records (their ``features`` by id) with ``model``: Splink blocks and prunes
    the pairs, then :func:`cluster_scored`. ``placed``: records already on a child (record
    id -> child id), which stay as they are: a pair of two of them is not scored, and the
    clusters are grown around them (:func:`cluster_scored`)."""
    held = placed or None  # none held: no column, and today's rules as they are
    table = blocked_pairs(feature_table(features, held), model, placed_apart=held is not None)
    return cluster_scored(features, score_pairs(table, features, model), placed)


def _rivals(
    scored: Iterable[_Pair],
) -> tuple[defaultdict[str, list[str]], defaultdict[str, list[str]]]:
    """Each record's rivals for the twin guard (``cluster_scored``): records it matches by
    forename exactly at LINK on score alone, and those the twins rule says may be its twin;
    and, apart, the first of them only (its namesakes)."""
    rivals: defaultdict[str, list[str]] = defaultdict(list)
    namesakes: defaultdict[str, list[str]] = defaultdict(list)
    for pair in scored:
        named = pair.forename == "exact" and pair.probability >= LINK and not pair.identifier
        if named:
            namesakes[pair.left].append(pair.right)
            namesakes[pair.right].append(pair.left)
        if named or pair.twins:
            rivals[pair.left].append(pair.right)
            rivals[pair.right].append(pair.left)
    return rivals, namesakes


def _fitted(scored: Iterable[_Pair]) -> defaultdict[str, set[str]]:
    """Each record's records whose forename fits its own cut short (the short-form guard)."""
    fitted: defaultdict[str, set[str]] = defaultdict(set)
    for pair in scored:
        if pair.fits:
            fitted[pair.left].add(pair.right)
            fitted[pair.right].add(pair.left)
    return fitted


def _between(
    scored: Iterable[_Pair], features: Mapping[str, Features]
) -> defaultdict[str, list[tuple[str, str]]]:
    """Each record whose forename fits, exactly neither, the names of two records born the
    same day under two different names, both pairs at REVIEW or above: those two records
    ("Aav" between Ava and Aava, "Will" between William and Willliam). Where they are two
    children (``_Clusters.distinct``), nothing in its name says whose it is (ADR 0046)."""
    fits: defaultdict[str, list[str]] = defaultdict(list)
    for pair in scored:
        if pair.forename in FITTING_NAMES and pair.probability >= REVIEW and not pair.identifier:
            fits[pair.left].append(pair.right)
            fits[pair.right].append(pair.left)
    between: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
    for uid, others in fits.items():
        for x, y in combinations(others, 2):
            if born_apart_the_same_day(features[x], features[y]):
                between[uid].append((x, y))
    return between


def _between_pull(
    pair: _Pair, clusters: _Clusters, between: Mapping[str, list[tuple[str, str]]]
) -> bool:
    """The between-twins guard of :func:`cluster_scored` on ``pair``: whether a record of
    it, joined by a name it does not hold, is between two records (``_between``) on two
    clusters that cannot be one child, neither its own. The other fields (a home the twins
    share, at one time or another) favour whichever twin's records are newer there."""
    if pair.forename == "exact" or not between:
        return False
    for uid in (pair.left, pair.right):
        mine = clusters.find(uid)
        for x, y in between.get(uid, ()):
            there, other = clusters.find(x), clusters.find(y)
            if mine not in (there, other) and clusters.distinct(there, other):
                return True
    return False


def _linked(result: BatchResult, linked: set[str], pair: _Pair) -> None:
    """Note that ``pair`` joined its records' clusters (the first such pair of a record is
    its strongest: pairs join strongest first)."""
    for uid in (pair.left, pair.right):
        linked.add(uid)
        result.joined_by.setdefault(uid, (pair.probability, pair.identifier))


def _twin_pull(
    pair: _Pair,
    clusters: _Clusters,
    rivals: Mapping[str, list[str]],
    namesakes: Mapping[str, list[str]],
    torn: dict[str, set[str]],
) -> bool:
    """The twin guard of :func:`cluster_scored` on ``pair``: whether a record of it is held
    by a rival (``_rivals``) that cannot be one child with the other side, noting in
    ``torn`` the record's cluster the rival tore. The other side is the record's cluster and
    the clusters of the records holding its name exactly at LINK: the child it will be on
    once they join, later (Elle's health record, pulled by Ella's benefit record before
    Elle's other records joined it). A pair already in one cluster pulls nothing. Pulls by a
    name not the record's own (``PULLED_NAMES``), and pulls with the sexes different
    (Louise's record "Louis" to her twin Louis: ADR 0044), are asked about."""
    pulled_by = pair.forename in PULLED_NAMES or pair.sex_differs
    if not pulled_by or clusters.find(pair.left) == clusters.find(pair.right):
        return False
    pulled = False
    for mine, theirs in ((pair.left, pair.right), (pair.right, pair.left)):
        targets = {clusters.find(theirs)} | {clusters.find(n) for n in namesakes.get(theirs, ())}
        for rival in rivals.get(mine, ()):
            there = clusters.find(rival)
            if any(clusters.distinct(there, target) for target in targets):
                pulled = True
                if there != clusters.find(mine):
                    torn.setdefault(clusters.find(mine), set()).add(rival)
    return pulled


def _pulled_alike(
    clusters: _Clusters,
    bands: list[list[_Pair]],
    number: int,
    forced: Callable[[_Pair], bool] | None = None,
) -> set[str]:
    """``_Clusters.ambiguous`` over band ``number`` of ``bands``, the bands either side
    near."""
    here = bands[number]
    near = [p for side in (number - 1, number + 1) if 0 <= side < len(bands) for p in bands[side]]
    return clusters.ambiguous(here, near, forced) if here and len(here) + len(near) > 1 else set()


def cluster_scored(
    features: Mapping[str, Features],
    scored: list[_Pair],
    placed: Mapping[str, str] | None = None,
) -> BatchResult:
    """Cluster the records of ``features`` over ``scored`` (:func:`score_pairs`).

    ``placed``: records already on a child (record id -> child id). A child's records start
    as one cluster; no pair joins two clusters holding children (a pair that would goes to
    review, as a pair joining clusters whose identifiers conflict does), and a record pulled
    alike to two of them is left for an officer, as the online engine leaves it.

    Pairs join strongest first (by log odds: probabilities saturate). Two records the twins
    rule says may be twins, a letter apart, keep their clusters apart, unless an identifier
    joins them.
    Within a band of equally strong pairs, a cluster that would join two clusters that
    cannot be one child joins neither: its pairs go to review (namesakes: same name and
    birth date, no identifier and an address matching neither), and so do its weaker pairs
    in later bands. So does a cluster, identifiers or none, that outright agreements pull
    alike to two clusters that can never be one child (two pupils: twins of one name, Leo
    and Léo; ADR 0042).
    """
    if placed:  # two placed records: their children are decided
        scored = [p for p in scored if p.left not in placed or p.right not in placed]
    clusters = _Clusters(features, placed or {})
    for pair in scored:
        if pair.twins:
            clusters.keep_apart(pair.left, pair.right)
    result = BatchResult(cluster_of={}, scored_pairs=len(scored))
    # A placed record is decided: a doubt about it is kept only for a record that no pair
    # linked.
    linked: set[str] = set(placed or ())

    # Pairs queued whatever links their records have: at LINK between two children held
    # apart (``placed``), where a feed load would join the children (ADR 0023) and a bulk
    # load leaves it to an officer; and at LINK from a doubted cluster (below), which may be
    # records linked to each other by an identifier (two school records, one UPN).
    kept: set[tuple[str, str]] = set()

    def forced(pair: _Pair) -> bool:
        # Two NHS numbers are one child registered twice only where two records holding
        # them agree outright (``identifier_rule.joinable_on_score``).
        return pair.force and bool(
            features[pair.left].nhs_number and features[pair.right].nhs_number
        )

    def join(pair: _Pair, *, unsure: bool) -> None:
        if (
            pair.probability >= LINK
            and not unsure
            and clusters.union(
                pair.left, pair.right, force=forced(pair), identifier=pair.identifier
            )
        ):
            _linked(result, linked, pair)
        elif pair.probability >= REVIEW:
            result.review_pairs.append((pair.left, pair.right, pair.probability))
            if pair.probability >= LINK and (
                clusters.both_placed(pair.left, pair.right) or doubt(pair)
            ):
                kept.add((pair.left, pair.right))

    # Twin guard: a record held exactly by one child's forename and only a letter off by
    # another's (Zara, Zora), or only as a nickname (Theodore, Theo), both at LINK, the two
    # children kept apart by identifiers; or a letter off both, the other twin's a name the
    # twins rule capped ("Fnn": a slip of the common Finn, and as like his twin Fynn); or
    # held by one child but for the sex while a possible twin of it is another ("Louis",
    # F, between Louis and Louise: ADR 0044). Which twin it is, an officer decides.
    rivals, namesakes = _rivals(scored)

    # Clusters a twin pull tore between two children: the record's own cluster, when the
    # child holding its name exactly is another (a weaker pull to it must not join them
    # either: online the record goes to review), until an identifier joins it. Each (by
    # its root then) with the records holding its name exactly that tore it: an outright
    # agreement with one of them does not join them either.
    torn: dict[str, set[str]] = {}

    # Short-form guard: a record whose forename is another's cut short ("R": Rohan) joins
    # no cluster while it fits a record of another cluster, born the same day in the same
    # family or home, by another name (Rohit): which twin it is, an officer decides.
    fitted = _fitted(scored)

    def short_pull(pair: _Pair) -> bool:
        # A name cut short: a prefix or an initial, or a letter dropped from its end, which
        # the comparison reads as a typo (a typo that fits: ``fits_short_form``).
        if pair.forename not in SHORT_FORMS and not (pair.forename == "typo" and pair.fits):
            return False
        short, long = sorted(
            (pair.left, pair.right), key=lambda uid: len(features[uid].forename or "")
        )
        name, target = features[long].forename, clusters.find(long)
        # A letter off may as well be a letter added ("Amariu" for Amari): the records
        # holding the shorter name itself are its own name's, not another name it fits.
        own = features[short].forename if pair.forename == "typo" else None
        return any(
            clusters.find(other) != target
            and features[other].forename != own
            and different_names(features[other].forename, name)
            for other in fitted[short]
        )

    # Between-twins guard: a record whose name fits two children's born the same day,
    # exactly neither ("Aav": Ava and Aava), joins neither by a name it does not hold while
    # they stand apart (``_between_pull``). Which twin it is, an officer decides.
    between = _between(scored, features)

    def doubt(pair: _Pair) -> bool:
        return bool(doubted) and bool(
            {clusters.find(pair.left), clusters.find(pair.right)} & doubted
        )

    def rival_pull(pair: _Pair) -> bool:
        return any(
            clusters.find(rival) == clusters.find(theirs)
            for mine, theirs in ((pair.left, pair.right), (pair.right, pair.left))
            for rival in torn.get(clusters.find(mine), ())
        )

    bands = [list(band) for _, band in groupby(scored, key=_band)]
    # Per band, the pairs that could join on score (not identifiers, not outright), and
    # the outright agreements.
    linkable = [
        [p for p in band if p.probability >= LINK and not (p.identifier or p.force)]
        for band in bands
    ]
    agreed = [[p for p in band if p.force and not p.identifier] for band in bands]
    # Clusters (by root) with no identifier found pulled alike to two that cannot be one
    # child: a weaker pull in a later band does not join them either (online, the record
    # goes to review whatever its weaker candidates), until an identifier joins them.
    held: set[str] = set()
    # Clusters (by root) found pulled outright alike to two that can never be one child
    # (Leo and Léo): no pair sharing no identifier joins them, weaker or later.
    doubted: set[str] = set()
    for number, pairs in enumerate(bands):
        doubted = {clusters.find(r) for r in doubted} | _pulled_alike(
            clusters, agreed, number, forced
        )
        # Identifier links and outright agreements first: they may make two clusters one.
        # An outright agreement does not join a cluster a twin pull tore to the child that
        # holds its record's name exactly, though (Henry's record "Harry" to Harry next
        # door): online the record goes to review.
        for pair in pairs:
            if pair.identifier or pair.force:
                join(pair, unsure=not pair.identifier and (rival_pull(pair) or doubt(pair)))
        rest = [p for p in pairs if not (p.identifier or p.force)]
        ambiguous = _pulled_alike(clusters, linkable, number)
        held = {r for r in held | ambiguous if clusters.find(r) == r and not any(clusters.ids[r])}
        torn = {r: tore for r, tore in torn.items() if clusters.find(r) == r}
        for pair in rest:
            roots = {clusters.find(pair.left), clusters.find(pair.right)}
            # The pull guards first: a twin pull may tear the record's cluster (``torn``).
            pulled = pair.probability >= LINK and (
                _twin_pull(pair, clusters, rivals, namesakes, torn)
                or short_pull(pair)
                or _between_pull(pair, clusters, between)
            )
            unsure = (
                pulled or doubt(pair) or bool(roots & (ambiguous | held) or roots & torn.keys())
            )
            join(pair, unsure=unsure)
    result.cluster_of = {uid: clusters.find(uid) for uid in features}
    # A record linked on its own strength is not queued; one whose best is only "review" is.
    result.review_pairs = [
        (a, b, p)
        for a, b, p in result.review_pairs
        if clusters.find(a) != clusters.find(b)
        and ((a, b) in kept or not (a in linked and b in linked))
    ]
    return result
