"""The review queue: officers of the responsible local authority decide doubtful pairs.

Every list and decision is audited in the same unit of work. An officer sees and decides
only items of their own local authority; any other item is "not found" (it leaks nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.errors import Conflict, NotFound
from childindex.domain.ids import ChildId
from childindex.domain.review import ReviewAction, ReviewItem, ReviewStatus
from childindex.domain.source_record import Source
from childindex.policy.viewer import Viewer
from childindex.policy.views import ReviewDecisionResult, ReviewItemView, ReviewList, SplitResult
from childindex.services.merging import merge_children, relink_record, split_child
from childindex.services.operations import ensure_not_halted
from childindex.services.ports import UnitOfWork

_CLOSED_AS = {
    ReviewAction.LINK: ReviewStatus.LINKED,
    ReviewAction.NOT_A_MATCH: ReviewStatus.NOT_A_MATCH,
    ReviewAction.MERGE: ReviewStatus.MERGED,
}


def _view(item: ReviewItem) -> ReviewItemView:
    return ReviewItemView(
        item_id=item.item_id,
        source=item.source.value,
        record_id=item.record_id,
        record_child_id=str(item.record_child_id),
        candidate_child_id=str(item.candidate_child_id),
        probability=item.probability,
        weights=item.weights,
        status=item.status.value,
    )


def list_review(*, uow: UnitOfWork, viewer: Viewer, now: datetime) -> ReviewList:
    """Open review items of the viewer's local authority, with their explanations."""
    with uow:
        items = uow.reviews.open_items(la_code=viewer.la_code) if viewer.la_code else []
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.REVIEW_LISTED,
                actor=viewer.username,
                at=now,
                detail={"items": len(items)},
            )
        )
        uow.commit()
    return ReviewList(items=[_view(i) for i in items])


def decide_review(
    *, uow: UnitOfWork, viewer: Viewer, item_id: int, action: ReviewAction, now: datetime
) -> ReviewDecisionResult:
    """Apply an officer's decision (link, not-a-match or merge) to an open item."""
    with uow:
        ensure_not_halted(uow)
        item = uow.reviews.get(item_id)
        if item is None or viewer.la_code is None or item.la_code != viewer.la_code:
            raise NotFound(f"no review item {item_id}", field="item_id")
        if item.status is not ReviewStatus.OPEN:
            raise Conflict(f"review item {item_id} is already {item.status.value}")
        result_child = item.candidate_child_id
        if action is ReviewAction.LINK:
            relink_record(
                uow=uow,
                source=item.source,
                record_id=item.record_id,
                into=item.candidate_child_id,
                actor=viewer.username,
            )
        elif action is ReviewAction.MERGE:
            merge_children(
                uow=uow,
                child_id=item.record_child_id,
                into=item.candidate_child_id,
                actor=viewer.username,
            )
        else:
            uow.reviews.remember_not_a_match(
                source=item.source,
                record_id=item.record_id,
                child_id=item.candidate_child_id,
                actor=viewer.username,
                now=now,
            )
            result_child = item.record_child_id
        status = _CLOSED_AS[action]
        uow.reviews.close(item_id=item_id, status=status, actor=viewer.username, now=now)
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.REVIEW_DECIDED,
                actor=viewer.username,
                at=now,
                child_ids=(str(item.record_child_id), str(item.candidate_child_id)),
                detail={"item": item_id, "action": action.value},
            )
        )
        uow.commit()
    return ReviewDecisionResult(
        item_id=item_id, action=action.value, status=status.value, child_id=str(result_child)
    )


def split(
    *,
    uow: UnitOfWork,
    viewer: Viewer,
    child_id: ChildId,
    records: Sequence[tuple[Source, str]],
    now: datetime,
) -> SplitResult:
    """Split the named records off a child of the officer's authority onto a new child."""
    with uow:
        ensure_not_halted(uow)
        child = uow.children.get(child_id)
        if child is None or viewer.la_code is None or child.la_code != viewer.la_code:
            raise NotFound(f"no child {child_id}", field="child_id")
        new_id = split_child(uow=uow, child_id=child_id, records=records, actor=viewer.username)
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.CHILD_SPLIT,
                actor=viewer.username,
                at=now,
                child_ids=(str(child_id), str(new_id)),
                detail={"moved": len(records)},
            )
        )
        uow.commit()
    return SplitResult(child_id=str(child_id), new_child_id=str(new_id), moved=len(records))
