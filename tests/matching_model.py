"""A hand-made matching model document for tests: agreement for, disagreement against."""

from __future__ import annotations

from typing import Any

from childindex.matching.comparisons import LEVELS


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
