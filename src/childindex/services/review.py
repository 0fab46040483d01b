"""The review queue: one shield-aware queue of doubtful pairs for officers to decide.

Two kinds of item share it (ADR 0007): *match* items (a record between the review and link
thresholds and the child it might be) and *caution* items (the shield screen's: a child that
might be a shielded child). Who may know of an item, and who may decide it, is one rule in
``policy/review_scope.py``, applied to both children as they stand when the queue is read.
An item the viewer may not know of is absent from lists and counts and "not found" when
named. Every list and decision is audited (IDs only) in the same unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from childindex.domain.ids import ChildId
from childindex.domain.review import ReviewAction, ReviewItem, ReviewStatus
from childindex.domain.shield import explain
from childindex.domain.shield_records import CautionItem, CautionStatus, ChildStanding
from childindex.domain.source_record import Source
from childindex.policy.review_scope import (
    ItemScope,
    may_decide,
    may_know,
    responsible_authority,
    routes_for,
)
from childindex.policy.viewer import Viewer
from childindex.policy.views import (
    ReviewDecisionResult,
    ReviewItemView,
    ReviewList,
    SplitResult,
    UndoMergeResult,
)
from childindex.services.merging import (
    merge_children,
    relink_record,
    remember_apart,
    split_child,
    undo_merge,
)
from childindex.services.operations import ensure_not_halted
from childindex.services.ports import UnitOfWork

CAUTION_PREFIX = "c"

_CLOSED_AS = {
    ReviewAction.LINK: ReviewStatus.LINKED,
    ReviewAction.NOT_A_MATCH: ReviewStatus.NOT_A_MATCH,
    ReviewAction.MERGE: ReviewStatus.MERGED,
}
# A caution pair is two children: linking or merging both mean "the same child" (the
# cautioned child is merged into the shielded one, which keeps its shield); not-a-match
# clears the pair so the screen never proposes it again. Neither lifts a shield: that stays
# an explicit officer action (invariant 2).
_CAUTION_CLOSED_AS = {
    ReviewAction.LINK: CautionStatus.CONFIRMED,
    ReviewAction.NOT_A_MATCH: CautionStatus.CLEARED,
    ReviewAction.MERGE: CautionStatus.CONFIRMED,
}


# Items a page shows unless asked otherwise, and the most a page may ask for.
PER_PAGE = 50
MAX_PER_PAGE = 200


@dataclass(frozen=True, slots=True)
class _Entry:
    """One open item with what the visibility rule needs."""

    view: ReviewItemView
    scope: ItemScope
    caution: CautionItem | None = None  # explained only when shown


def _unknown(child_id: str) -> ChildStanding:
    # A child that no longer exists gates nothing and belongs to nobody.
    return ChildStanding(child_id=child_id, shielded=False, la_code=None)


def _match_entry(item: ReviewItem, standing: dict[str, ChildStanding]) -> _Entry:
    sides = tuple(
        standing.get(c.value) or _unknown(c.value)
        for c in (item.candidate_child_id, item.record_child_id)
    )
    authority = responsible_authority(sides, queued_for=item.la_code)
    view = ReviewItemView(
        item_id=str(item.item_id),
        kind="match",
        source=item.source.value,
        record_id=item.record_id,
        record_child_id=str(item.record_child_id),
        candidate_child_id=str(item.candidate_child_id),
        probability=item.probability,
        weights=item.weights,
        status=item.status.value,
        authority=authority,
    )
    return _Entry(view, ItemScope(sides, authority))


def _caution_weights(uow: UnitOfWork, item: CautionItem) -> dict[str, float]:
    """The screen's per-field parts for the pair as it stands (stored is only the score)."""
    child = uow.shields.profile(item.child_id)
    shielded = uow.shields.profile(item.shielded_child_id)
    if child is None or shielded is None:
        return {}
    return explain(child, shielded)


def _caution_entry(
    uow: UnitOfWork, item: CautionItem, standing: dict[str, ChildStanding], *, explained: bool
) -> _Entry:
    sides = tuple(standing.get(c) or _unknown(c) for c in (item.shielded_child_id, item.child_id))
    authority = responsible_authority(sides, queued_for=item.la_code)
    view = ReviewItemView(
        item_id=f"{CAUTION_PREFIX}{item.item_id}",
        kind="caution",
        record_child_id=str(ChildId(item.child_id)),
        candidate_child_id=str(ChildId(item.shielded_child_id)),
        probability=item.score,
        weights=_caution_weights(uow, item) if explained else {},
        status=item.status.value,
        authority=authority,
    )
    return _Entry(view, ItemScope(sides, authority), caution=item)


def _for(viewer: Viewer, entry: _Entry) -> ReviewItemView:
    return entry.view.model_copy(update={"may_decide": may_decide(viewer, entry.scope)})


def _explained(uow: UnitOfWork, viewer: Viewer, entry: _Entry) -> ReviewItemView:
    """The item as a page shows it: a caution item's parts are worked out only here, for
    the items shown (each opens two children's screen keys)."""
    view = _for(viewer, entry)
    if entry.caution is None:
        return view
    return view.model_copy(update={"weights": _caution_weights(uow, entry.caution)})


def _open_entries(uow: UnitOfWork, viewer: Viewer, *, narrow: bool) -> list[_Entry]:
    """Every open item of either kind that ``viewer`` may know of: match items, then caution
    items, each oldest first.

    With ``narrow`` (always, but for the benchmark's and the property test's side-by-side
    measure) storage first returns only the items that could be routed to the viewer
    (``routes_for``); without it, every open item. Either way ``may_know`` judges each item,
    so the two give the same list (``tests/properties/test_review_narrowing.py``).
    """
    if narrow:
        routes = routes_for(viewer)
        matches = uow.reviews.open_routed(routes)
        cautions = uow.shields.routed_cautions(routes)
    else:
        matches = uow.reviews.all_open()
        cautions = uow.shields.caution_items(la_codes=None)
    children = {c.value for i in matches for c in (i.record_child_id, i.candidate_child_id)}
    children |= {c for i in cautions for c in (i.child_id, i.shielded_child_id)}
    standing = uow.shields.standing(children)
    entries = [_match_entry(i, standing) for i in matches]
    entries += [_caution_entry(uow, c, standing, explained=False) for c in cautions]
    return [e for e in entries if may_know(viewer, e.scope)]


def _audit_list(
    uow: UnitOfWork,
    viewer: Viewer,
    now: datetime,
    views: list[ReviewItemView],
    *,
    total: int | None = None,
) -> None:
    detail: dict[str, int] = {"items": len(views)}
    if total is not None:
        detail["total"] = total
    uow.audit.record(
        AuditEvent(
            tag=AuditTag.REVIEW_LISTED,
            actor=viewer.username,
            at=now,
            child_ids=tuple(
                sorted({c for v in views for c in (v.record_child_id, v.candidate_child_id)})
            ),
            detail=detail,
        )
    )


def list_review(
    *,
    uow: UnitOfWork,
    viewer: Viewer,
    now: datetime,
    page: int = 1,
    per_page: int = PER_PAGE,
    narrow: bool = True,
) -> ReviewList:
    """One page of the open review items (both kinds) this viewer may know of, with their
    explanations, and how many there are in all.

    Pages are cut from the list the rule admits, so totals, page sizes and order are what they
    would be if the items the viewer may not know of did not exist. Only the page's children
    are audited as listed. ``narrow=False`` skips the SQL pre-filter (same result, slower:
    kept to measure and test the pre-filter against)."""
    if page < 1:
        raise InvalidInput("page must be 1 or more", field="page")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"per_page must be from 1 to {MAX_PER_PAGE}", field="per_page")
    with uow:
        entries = _open_entries(uow, viewer, narrow=narrow)
        first = (page - 1) * per_page
        views = [_explained(uow, viewer, e) for e in entries[first : first + per_page]]
        _audit_list(uow, viewer, now, views, total=len(entries))
        uow.commit()
    return ReviewList(
        items=views,
        total=len(entries),
        page=page,
        per_page=per_page,
        pages=max(1, -(-len(entries) // per_page)),
    )


def _parse_item_id(item_id: int | str) -> tuple[str, int]:
    text = str(item_id).strip()
    kind = "match"
    if text[:1].lower() == CAUTION_PREFIX:
        kind, text = "caution", text[1:]
    if not text.isdigit() or len(text) > 18:
        raise NotFound(f"no review item {item_id}", field="item_id")
    return kind, int(text)


def _find(uow: UnitOfWork, viewer: Viewer, item_id: int | str) -> tuple[_Entry, object]:
    """The item and its entry, if ``viewer`` may know of it; else NotFound."""
    kind, number = _parse_item_id(item_id)
    missing = NotFound(f"no review item {item_id}", field="item_id")
    if kind == "match":
        match = uow.reviews.get(number)
        if match is None:
            raise missing
        children = {match.record_child_id.value, match.candidate_child_id.value}
        entry = _match_entry(match, uow.shields.standing(children))
        found: object = match
    else:
        caution = uow.shields.caution_item(number)
        if caution is None:
            raise missing
        standing = uow.shields.standing({caution.child_id, caution.shielded_child_id})
        entry = _caution_entry(uow, caution, standing, explained=True)
        found = caution
    if not may_know(viewer, entry.scope):
        raise missing
    return entry, found


def review_item(
    *, uow: UnitOfWork, viewer: Viewer, item_id: int | str, now: datetime
) -> ReviewItemView:
    """One review item (either kind) this viewer may know of, with its explanation; audited."""
    with uow:
        entry, _ = _find(uow, viewer, item_id)
        _audit_list(uow, viewer, now, [entry.view])
        uow.commit()
    return _for(viewer, entry)


def _decide_match(
    uow: UnitOfWork, viewer: Viewer, item: ReviewItem, action: ReviewAction, now: datetime
) -> tuple[str, ChildId]:
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
    uow.reviews.close(item_id=item.item_id, status=status, actor=viewer.username, now=now)
    return status.value, result_child


def _decide_caution(
    uow: UnitOfWork, viewer: Viewer, item: CautionItem, action: ReviewAction, now: datetime
) -> tuple[str, ChildId]:
    child, shielded = ChildId(item.child_id), ChildId(item.shielded_child_id)
    result_child = child
    if action in {ReviewAction.LINK, ReviewAction.MERGE}:
        merge_children(uow=uow, child_id=child, into=shielded, actor=viewer.username)
        result_child = shielded
    else:
        remember_apart(uow, child, shielded, actor=viewer.username, now=now)
    status = _CAUTION_CLOSED_AS[action]
    uow.shields.close_item(item_id=item.item_id, status=status, decided_by=viewer.username, at=now)
    return status.value, result_child


def decide_review(
    *, uow: UnitOfWork, viewer: Viewer, item_id: int | str, action: ReviewAction, now: datetime
) -> ReviewDecisionResult:
    """Apply an officer's decision (link, not-a-match or merge) to an open item of either
    kind (``item_id``: a match item's number, or ``c`` and a caution item's number)."""
    with uow:
        ensure_not_halted(uow)
        entry, found = _find(uow, viewer, item_id)
        if not may_decide(viewer, entry.scope):
            msg = "only an officer of the responsible local authority decides this item"
            raise PermissionDenied(msg)
        if entry.view.status != "open":
            raise Conflict(f"review item {item_id} is already {entry.view.status}")
        if action is not ReviewAction.NOT_A_MATCH:
            for side in (entry.view.record_child_id, entry.view.candidate_child_id):
                if uow.children.merged_into(ChildId.parse(side)) is not None:
                    msg = f"child {side} was merged into another child since this item was queued"
                    raise Conflict(msg)
        if isinstance(found, ReviewItem):
            status, result_child = _decide_match(uow, viewer, found, action, now)
        else:
            assert isinstance(found, CautionItem)  # noqa: S101 - _find returns one of two
            status, result_child = _decide_caution(uow, viewer, found, action, now)
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.REVIEW_DECIDED,
                actor=viewer.username,
                at=now,
                child_ids=(entry.view.record_child_id, entry.view.candidate_child_id),
                detail={
                    "item": entry.view.item_id,
                    "kind": entry.view.kind,
                    "action": action.value,
                },
            )
        )
        uow.commit()
    return ReviewDecisionResult(
        item_id=entry.view.item_id, action=action.value, status=status, child_id=str(result_child)
    )


def undo_merge_child(
    *, uow: UnitOfWork, viewer: Viewer, child_id: ChildId, now: datetime
) -> UndoMergeResult:
    """Undo the merge that retired ``child_id``: its records move back and it is active
    again; both children go through the shield screen. An officer of the responsible
    authority only; a child this viewer may not know of is "not found"."""
    with uow:
        missing = NotFound(f"no child {child_id}", field="child_id")
        into = uow.children.merged_into(child_id)
        # The resulting child first: its authority decides when no side is shielded.
        order = ([into.value] if into is not None else []) + [child_id.value]
        standing = uow.shields.standing(order)
        if child_id.value not in standing:
            raise missing
        if into is None:
            # Any reader may know a child exists; whether it was merged tells nothing hidden.
            raise Conflict(f"child {child_id} was not merged into another child")
        sides = tuple(standing.get(c) or _unknown(c) for c in order)
        scope = ItemScope(sides, responsible_authority(sides, queued_for=None))
        if not may_know(viewer, scope):
            raise missing
        if not may_decide(viewer, scope):
            msg = "only an officer of the responsible local authority undoes this merge"
            raise PermissionDenied(msg)
        moved = len(uow.records.moved_by_merge(merged=child_id, into=into))
        undo_merge(uow=uow, child_id=child_id, actor=viewer.username)
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.MERGE_UNDONE,
                actor=viewer.username,
                at=now,
                child_ids=(str(child_id), str(into)),
                detail={"moved": moved},
            )
        )
        uow.commit()
    return UndoMergeResult(child_id=str(child_id), merged_into=str(into), moved=moved)


def merged_into_child(*, uow: UnitOfWork, viewer: Viewer, child_id: ChildId) -> list[str]:
    """Children merged into ``child_id`` whose merge this viewer may undo (for the page's
    Undo merge buttons); empty for anyone else."""
    with uow:
        merged = uow.children.merged_from(child_id)
        ids = {child_id.value} | {m.value for m in merged}
        standing = uow.shields.standing(ids)
        found = []
        for m in merged:
            sides = tuple(standing.get(c) or _unknown(c) for c in (child_id.value, m.value))
            scope = ItemScope(sides, responsible_authority(sides, queued_for=None))
            if may_decide(viewer, scope):
                found.append(str(m))
    return found


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
