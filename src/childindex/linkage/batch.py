"""Batch matching: every record of a feed set clustered into children.

Splink (DuckDB) generates and scores the blocked pairs; pairs that could matter are
re-scored in-process with the same weights and rules as the online engine (identifier
safeguard, twins rule), then clustered: identifier links and model links at or above
``LINK`` join clusters, strongest first, unless the two clusters hold different NHS numbers
that the pair itself does not bridge... (see :func:`cluster`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from childindex.linkage.training import linker_for
from childindex.matching.features import Features
from childindex.matching.identifier_rule import IdentifierVerdict, identifier_verdict
from childindex.matching.scoring import TrainedScorer
from childindex.matching.thresholds import LINK, REVIEW


@dataclass(slots=True)
class BatchResult:
    """Cluster of every record, the pairs left for review, and counts."""

    cluster_of: dict[str, str]
    review_pairs: list[tuple[str, str, float]] = field(default_factory=list)
    scored_pairs: int = 0


class _Clusters:
    """Union-find over record ids, keeping each cluster's NHS numbers."""

    def __init__(self, features: Mapping[str, Features]) -> None:
        self.parent = {uid: uid for uid in features}
        self.nhs = {uid: {f.nhs_number} - {None} for uid, f in features.items()}

    def find(self, uid: str) -> str:
        root = uid
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[uid] != root:
            self.parent[uid], uid = root, self.parent[uid]
        return root

    def union(self, a: str, b: str, *, force: bool) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        # Two clusters each holding NHS numbers, none shared: different registrations.
        # Only an identifier link or a pair strong enough to force it joins them.
        if not force and self.nhs[ra] and self.nhs[rb] and not (self.nhs[ra] & self.nhs[rb]):
            return False
        small, big = sorted((ra, rb), key=lambda r: len(self.nhs[r]))
        self.parent[small] = big
        self.nhs[big] |= self.nhs[small]
        return True


def _outright(levels: Mapping[str, str]) -> bool:
    return (
        levels["forename"] == "exact"
        and levels["dob"] == "exact"
        and levels["location"] in {"address", "postcode", "sector"}
    )


def cluster(rows: list[dict[str, Any]], model: Mapping[str, Any]) -> BatchResult:
    """Cluster ``rows`` (from :func:`linkage.training.feature_rows`) with ``model``."""
    features = {
        row["unique_id"]: Features(**{k: v for k, v in row.items() if k != "unique_id"})
        for row in rows
    }
    scorer = TrainedScorer(model)
    linker = linker_for(rows, model)
    predictions = linker.inference.predict(threshold_match_probability=REVIEW / 10)
    table = predictions.as_duckdbpyrelation().select("unique_id_l, unique_id_r").fetchall()
    scored: list[tuple[float, bool, str, str]] = []
    for left, right in table:
        verdict = identifier_verdict(features[left], features[right])
        if verdict is IdentifierVerdict.LINK:
            scored.append((1.0, True, left, right))
            continue
        score = scorer.score(features[left], features[right])
        probability = scorer.decision_probability(score)
        if verdict is IdentifierVerdict.REVIEW:
            probability = min(probability, REVIEW)
        # Two registrations of one child (different NHS numbers) join only on a pair that
        # agrees on forename and date of birth outright.
        force = probability >= LINK and _outright(score.levels)
        scored.append((probability, force, left, right))
    scored.sort(key=lambda item: (-item[0], item[2], item[3]))
    clusters = _Clusters(features)
    result = BatchResult(cluster_of={}, scored_pairs=len(table))
    linked: set[str] = set()
    for probability, deterministic, left, right in scored:
        if probability >= LINK and clusters.union(left, right, force=deterministic):
            linked.update((left, right))
        elif probability >= REVIEW:
            result.review_pairs.append((left, right, probability))
    result.cluster_of = {uid: clusters.find(uid) for uid in features}
    # A record linked on its own strength is not queued; one whose best is only "review" is.
    result.review_pairs = [
        (a, b, p)
        for a, b, p in result.review_pairs
        if clusters.find(a) != clusters.find(b) and not (a in linked and b in linked)
    ]
    return result
