"""The match thresholds, named once, beside the model version they were chosen for.

Probabilities that a record and a child are the same real child:

* ``LINK``: at or above, link automatically.
* ``REVIEW``: at or above (and below ``LINK``), queue for a local-authority officer.
* ``CAUTION``: at or above against a *shielded* child, even below ``REVIEW``, the record is
  created shielded and queued for a cleared officer (invariant 2; ``docs/adr``). It is set
  low on purpose: a false caution costs an officer a minute, a missed one exposes a child.

Below ``REVIEW`` (and ``CAUTION`` for shielded children) a record starts a new child.
"""

from __future__ import annotations

# The scoring the thresholds were tuned for: the Fellegi-Sunter model of `linkage/`. fs-2
# compares middle names too (ADR 0020); fs-3 reads names entered the wrong way round and a
# forename cut short (ADR 0021); fs-4 a birth year one off (ADR 0022); fs-5 compares the
# carers, only ever against a match (ADR 0025); fs-6 a birth date a day apart (ADR 0039). An
# older model file weighs the comparisons as it did (no weight for a comparison it lacks; a
# new level weighs as "else", where it fell before), under today's rules (``scoring.py``),
# and `feeds load` reports which one matched, so an operator sees a model to retrain.
MODEL_VERSION = "fs-6"
LINK = 0.95
REVIEW = 0.80
CAUTION = 0.20
# The shield screen's model gate (ADR 0019): a caution by resemblance stands unless the
# trained model puts the pair below this match weight (log2 odds, prior included: about one
# in a million). On the synthetic 1,000,000-child country, no record of a shielded child
# that matching left on another child was below -20 bits; 62% of the screen's shields were.
SCREEN_GATE_BITS = -20.0
# Two candidates at or above LINK whose strengths (log2 odds) are this close are equally
# good: linking to either is a coin toss (namesakes: same name and birth date, different
# homes), so the record goes to REVIEW instead (ADR 0008).
AMBIGUOUS_BITS = 1.0

assert 0.0 < CAUTION < REVIEW < LINK <= 1.0  # noqa: S101 - a mis-edit must fail at import
