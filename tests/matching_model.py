"""A hand-made matching model document for tests: agreement for, disagreement against;
and a pair of records it finds doubtful (between the review and link thresholds)."""

from __future__ import annotations

from typing import Any

from childindex.domain.ids import ChildId
from childindex.domain.source_record import Source
from childindex.matching import thresholds
from childindex.matching.comparisons import LEVELS
from childindex.matching.engine import ModelMatchEngine
from childindex.matching.features import features_of
from childindex.matching.ports import CandidateRecord, MatchKind
from shield_fixtures import la_record


def hand_model(**household: float) -> dict[str, Any]:
    """A model document shaped like ``childindex matching train`` output."""
    levels: dict[str, dict[str, dict[str, float]]] = {}
    for name, labels in LEVELS.items():
        levels[name] = {}
        for i, label in enumerate(labels):
            top = i == 0
            last = label == "else"
            m = 0.85 if top else (0.02 if last else 0.05)
            u = 0.001 if top else (0.95 if last else 0.01)
            levels[name][label] = {"m": m, "u": u}
    return {
        "model_version": "test",
        "prior": 0.0001,
        "levels": levels,
        "tf": {"forename": {"aidan": 0.01, "aiden": 0.01, "oliver": 0.02}, "surname": {}},
        "tf_totals": {"forename": 1000, "surname": 1000},
        "household_u": household,
    }


def forename_weighed(level: str, m: float, *common: str) -> dict[str, Any]:
    """:func:`hand_model` with the forename's ``level`` weighing more (m, against u 0.01),
    and the forenames ``common`` common names (so twins' names, never slips of each other)."""
    model = hand_model()
    model["tf"]["forename"].update(dict.fromkeys(common, 0.01))
    model["levels"]["forename"][level] = {"m": m, "u": 0.01}
    return model


def review_band_pair(
    prefix: str = "L",
    *,
    record_la: str | None = "901",
    shield: dict[str, str] | None = None,
    **names: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A child's la record (``<prefix>1``, authority 902) and a later one (``<prefix>2``)
    that might be the same child: the same names and postcode, another house, another birth
    date and sex unknown. Under :func:`hand_model` that is two strong agreements, a middle
    one and a disagreement: between the review and link thresholds, as
    :func:`review_band_probability` checks."""
    first = la_record(record_id=f"{prefix}1", la_code="902", shield=shield, **names)
    later = dict(
        first,
        record_id=f"{prefix}2",
        address_line1="40 Distant Lane",
        birth_date="2011-09-02",
        sex="U",  # unknown: no evidence either way
        la_code=record_la,
        shield=None,
    )
    return first, later


def review_band_probability(first: dict[str, Any], later: dict[str, Any]) -> float:
    """The engine's probability for the pair under :func:`hand_model`, asserted to be in the
    REVIEW band, so that a test built on the pair cannot pass with nothing doubtful."""

    def payload(record: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in record.items() if k != "record_id" and v is not None}

    candidate = CandidateRecord(ChildId.new(), Source.LA.value, first["record_id"], payload(first))
    decision = ModelMatchEngine(hand_model()).decide_among(features_of(payload(later)), [candidate])
    assert decision.kind is MatchKind.REVIEW
    assert decision.probability is not None
    assert thresholds.REVIEW <= decision.probability < thresholds.LINK
    return decision.probability
