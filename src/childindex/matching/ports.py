"""The matching port: how the ingest and linking services ask "which child is this record?".

Engines (exact identifiers now; the Splink-trained model in ``linkage/``) implement
:class:`MatchEngine`; storage implements :class:`CandidateStore`. Decisions only — the
services apply them, and the shield rule, in one unit of work.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from childindex.domain.ids import ChildId
from childindex.domain.source_record import SourceRecord
from childindex.matching.features import Features, features_of


class MatchKind(StrEnum):
    """What to do with an incoming record."""

    LINK = "link"  # at or above the link threshold, or a verified identifier
    REVIEW = "review"  # between the thresholds: queue for an officer
    NEW = "new"  # below: a new child


@dataclass(frozen=True, slots=True)
class Candidate:
    """A child the record was compared with, and why it scored as it did."""

    child_id: ChildId
    probability: float
    weights: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MatchDecision:
    """The engine's answer for one record.

    ``child_id`` is the child to link to (LINK) or the best candidate (REVIEW).
    ``candidates`` holds every child compared, best first, so that the shield rule can see
    any candidate at or above the caution threshold.
    """

    kind: MatchKind
    child_id: ChildId | None
    decided_by: str  # "identifier", "score" or "new"
    probability: float | None = None
    candidates: tuple[Candidate, ...] = ()
    # Other children the record links to in its own right (at or above LINK, after every
    # guard), clearly weaker than ``child_id``: one child's records split by an earlier
    # miss, which the record joins (``services.linking.join_bridged``). LINK only.
    bridged: tuple[ChildId, ...] = ()


@dataclass(frozen=True, slots=True)
class CandidateRecord:
    """A stored record currently linked to an active child: what an engine compares with."""

    child_id: ChildId
    source: str
    record_id: str
    payload: Mapping[str, Any]
    # ``payload`` standardised: worked out once, however many records it is compared with
    # (a batch holds each candidate for all its records). Given when already known.
    known_features: Features | None = field(default=None, compare=False, repr=False)

    @property
    def features(self) -> Features:
        """``features_of(payload)``."""
        known = self.known_features
        if known is None:
            known = features_of(self.payload)
            object.__setattr__(self, "known_features", known)  # frozen: a cache, set once
        return known

    @property
    def order(self) -> tuple[str, str, str]:
        """Where it comes in the store's order (``CandidateStore.by_blocking_keys``)."""
        return (self.child_id.value, self.source, self.record_id)


class CandidateStore(Protocol):
    """Where an engine finds the children a record might be."""

    def by_blocking_keys(self, keys: Collection[str], *, limit: int) -> list[CandidateRecord]:
        """Records of active children sharing any of ``keys``, in ``CandidateRecord.order``.
        Past ``limit``, those sharing an identifier's key first, then those sharing the most
        of the keys, then by source and record id: never by the children's IDs, which are
        drawn at random (ADR 0049)."""
        ...

    def by_identifier(self, kind: str, value: str) -> list[ChildId]:
        """Active children holding this verified identifier (``nhs_number`` or ``upn``)."""
        ...


class MatchEngine(Protocol):
    """Decides which child a record belongs to."""

    def decide(self, record: SourceRecord, store: CandidateStore) -> MatchDecision:
        """The decision for ``record``, given the children in ``store``."""
        ...

    def joinable(self, left: Sequence[SourceRecord], right: Sequence[SourceRecord]) -> bool:
        """Whether two children, given their records, may be one child (a decision's
        ``bridged`` children are joined only then)."""
        ...
