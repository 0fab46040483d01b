"""The trained engine: identifier rules with their safeguard, then the Fellegi-Sunter model.

In-process and per record: candidates come from the store's indexed blocking keys, each is
scored with the trained weights (``matching/scoring.py``), and a child's score is that of its
best-matching record. No database engine runs per record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from childindex.domain.ids import ChildId
from childindex.domain.source_record import SourceRecord
from childindex.matching.blocking import query_keys
from childindex.matching.features import Features, features_of
from childindex.matching.identifier_rule import IdentifierVerdict, identifier_verdict
from childindex.matching.ports import (
    Candidate,
    CandidateRecord,
    CandidateStore,
    MatchDecision,
    MatchKind,
)
from childindex.matching.scoring import TrainedScorer
from childindex.matching.thresholds import LINK, REVIEW

# More stored records than this sharing a key means a very common key; the rest are not
# compared (the identifier and name keys still find the right child).
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

    def decide(self, record: SourceRecord, store: CandidateStore) -> MatchDecision:
        """LINK, REVIEW or NEW for ``record``, with every candidate child scored."""
        features = features_of(record.payload)
        found = store.by_blocking_keys(query_keys(features), limit=CANDIDATE_LIMIT)
        own = (record.source.value, record.record_id)
        return self.decide_among(features, (c for c in found if (c.source, c.record_id) != own))

    def decide_among(
        self, features: Features, candidates: Iterable[CandidateRecord]
    ) -> MatchDecision:
        """The decision against exactly these candidate records (e.g. one shielded child's)."""
        scored = self.score_children(features, candidates)
        if not scored:
            return MatchDecision(kind=MatchKind.NEW, child_id=None, decided_by="new")
        best_child, (decision_probability, verdict, candidate) = next(iter(scored.items()))
        ordered = tuple(
            sorted(
                (c for _, _, c in scored.values()), key=lambda c: (-c.probability, c.child_id.value)
            )
        )
        if verdict is IdentifierVerdict.LINK:
            return MatchDecision(MatchKind.LINK, best_child, "identifier", 1.0, ordered)
        if verdict is IdentifierVerdict.REVIEW:
            return MatchDecision(
                MatchKind.REVIEW, best_child, "identifier", candidate.probability, ordered
            )
        if decision_probability >= LINK:
            return MatchDecision(MatchKind.LINK, best_child, "score", decision_probability, ordered)
        if decision_probability >= REVIEW:
            return MatchDecision(
                MatchKind.REVIEW, best_child, "score", decision_probability, ordered
            )
        return MatchDecision(MatchKind.NEW, None, "new", decision_probability, ordered)

    def score_children(
        self, features: Features, candidates: Iterable[CandidateRecord]
    ) -> dict[ChildId, tuple[float, IdentifierVerdict, Candidate]]:
        """Per child: decision probability, identifier verdict, and the explained candidate
        (model probability and per-field weights of its best-matching record)."""
        best: dict[ChildId, tuple[float, IdentifierVerdict, Candidate]] = {}
        rank = {IdentifierVerdict.LINK: 2, IdentifierVerdict.REVIEW: 1, IdentifierVerdict.NONE: 0}
        for found in candidates:
            other = features_of(found.payload)
            score = self.scorer.score(features, other)
            verdict = identifier_verdict(features, other)
            probability = self.scorer.decision_probability(score)
            if verdict is IdentifierVerdict.REVIEW:
                probability = min(probability, REVIEW)
            candidate = Candidate(found.child_id, score.probability, dict(score.weights))
            held = best.get(found.child_id)
            mine = (rank[verdict], probability)
            if held is None or mine > (rank[held[1]], held[0]):
                best[found.child_id] = (probability, verdict, candidate)
        # Rank children by verdict first: an identifier link beats any score.
        return dict(
            sorted(best.items(), key=lambda item: (-rank[item[1][1]], -item[1][0], item[0].value))
        )
