"""Review items: a record and a child that might be the same, for an officer to decide."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from childindex.domain.ids import ChildId
from childindex.domain.source_record import Source


class ReviewAction(StrEnum):
    """What an officer may decide about a review item."""

    LINK = "link"  # the record belongs to the candidate child
    NOT_A_MATCH = "not-a-match"  # remembered: never proposed again
    MERGE = "merge"  # the record's child and the candidate are one child


# Who closed an item (of either kind) that a merge answered: its two sides became one child.
MERGED_BY = "merge"


class ReviewStatus(StrEnum):
    """Where a review item stands."""

    OPEN = "open"
    LINKED = "linked"
    NOT_A_MATCH = "not-a-match"
    MERGED = "merged"
    WITHDRAWN = "withdrawn"  # overtaken: the record or a child changed since it was queued


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A pair between the review and link thresholds, with its explanation."""

    item_id: int
    source: Source
    record_id: str
    record_child_id: ChildId  # the child the record is linked to while it waits
    candidate_child_id: ChildId
    probability: float
    weights: dict[str, float] = field(default_factory=dict)
    la_code: str | None = None
    status: ReviewStatus = ReviewStatus.OPEN


@dataclass(frozen=True, slots=True)
class ReviewRoutes:
    """Which open items storage may hand a viewer's queue (``policy.review_scope.routes_for``).

    A pre-filter only, so listing need not read the whole national queue: storage returns
    every open item whose responsible authority *could* be one of ``authorities`` (or none,
    when ``national``), judged from the item's queued authority, its sides' authorities and
    whether a side is shielded. It may return more than the viewer may know of, never less;
    the rule in ``policy/review_scope.py`` still decides each item returned.
    """

    authorities: frozenset[str]
    national: bool
