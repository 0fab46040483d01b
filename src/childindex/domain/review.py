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
