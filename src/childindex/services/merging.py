"""Moving records between children: relink one record, or merge two children.

Shields only spread here (invariant 2): a record or child moving onto another child carries
its shield with it; nothing in this module lifts one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from childindex.domain.errors import InvalidInput, NotFound
from childindex.domain.ids import ChildId
from childindex.domain.shield_records import CautionStatus
from childindex.domain.source_record import Source
from childindex.domain.survivorship import project
from childindex.services.areas import route
from childindex.services.operations import ensure_not_halted
from childindex.services.ports import UnitOfWork
from childindex.services.shield_screen import screen_child


def _reproject(uow: UnitOfWork, child_id: ChildId, *, shielded: bool) -> None:
    existing = uow.children.get(child_id)
    keep = shielded or (existing.shielded if existing else False)
    projected = project(child_id, uow.records.current_records(child_id), shielded=keep)
    uow.children.save(route(uow, projected))
    # Merge, split, undo and rescore change what a child looks like: the same fail-closed
    # screen as a feed runs before the change can be read (invariant 2).
    screen_child(uow, child_id)


def relink_record(
    *,
    uow: UnitOfWork,
    source: Source,
    record_id: str,
    into: ChildId,
    actor: str,
    decided_by: str = "officer",
) -> None:
    """Move one record onto ``into`` (an officer's decision). A child left with no records
    is retired as merged into ``into``, and its shield goes with it."""
    ensure_not_halted(uow)
    old = uow.records.linked_child(source=source, record_id=record_id)
    old_child = uow.children.get(old) if old is not None else None
    uow.records.link(
        source=source, record_id=record_id, child_id=into, decided_by=decided_by, actor=actor
    )
    carried = bool(old_child and old_child.shielded)
    moved_away = old is not None and old != into
    # An emptied child is retired before the screen runs over ``into``: a retired child is
    # no candidate, so the screen does not queue ``into`` against its own former record.
    retired = moved_away and old is not None and not uow.records.current_records(old)
    if retired and old is not None:
        _retire(uow, old, into=into)
    _reproject(uow, into, shielded=carried)
    if moved_away and not retired and old is not None:
        _reproject(uow, old, shielded=False)


def _retire(uow: UnitOfWork, child_id: ChildId, *, into: ChildId) -> None:
    """Retire ``child_id`` as merged into ``into``; its open review and caution items follow
    it there, and an item the merge answered (both sides now one child) is closed."""
    uow.children.mark_merged(child_id, into=into)
    now = datetime.now(UTC)  # as linking's queue does: these calls carry no clock
    uow.reviews.follow_merge(merged=child_id, into=into, now=now)
    uow.shields.follow_merge(merged=child_id.value, into=into.value, at=now)


def merge_children(
    *, uow: UnitOfWork, child_id: ChildId, into: ChildId, actor: str, decided_by: str = "officer"
) -> list[tuple[Source, str]]:
    """Move every record of ``child_id`` onto ``into`` and retire ``child_id`` (an officer's
    decision unless ``decided_by`` names the rule that made it, as rescore does); return the
    records moved.

    The result is shielded if either child was (invariant 2).
    """
    ensure_not_halted(uow)
    if child_id == into:
        return []
    merged = uow.children.get(child_id)
    moved = [(r.source, r.record_id) for r in uow.records.current_records(child_id)]
    for source, record_id in moved:
        uow.records.link(
            source=source,
            record_id=record_id,
            child_id=into,
            decided_by=decided_by,
            actor=actor,
        )
    # Retired first, so the screen over ``into`` does not see ``child_id`` as a near twin.
    _retire(uow, child_id, into=into)
    _reproject(uow, into, shielded=bool(merged and merged.shielded))
    return moved


def split_child(
    *, uow: UnitOfWork, child_id: ChildId, records: Sequence[tuple[Source, str]], actor: str
) -> ChildId:
    """Move ``records`` (some, not all, of the child's) onto a new child; return its ID.

    Splitting a shielded child shields both parts (invariant 2).
    """
    ensure_not_halted(uow)
    child = uow.children.get(child_id)
    if child is None:
        raise NotFound(f"no child {child_id}", field="child_id")
    held = {(r.source, r.record_id): r for r in uow.records.current_records(child_id)}
    wanted = list(dict.fromkeys(records))
    missing = [f"{s.value}/{rid}" for s, rid in wanted if (s, rid) not in held]
    if missing:
        raise InvalidInput(f"not records of this child: {', '.join(missing)}", field="records")
    if not wanted or len(wanted) == len(held):
        raise InvalidInput("a split must leave records on both children", field="records")
    new_id = ChildId.new()
    first = held[wanted[0]]
    uow.children.save(project(new_id, [first], shielded=child.shielded))
    for source, record_id in wanted:
        uow.records.link(
            source=source, record_id=record_id, child_id=new_id, decided_by="officer", actor=actor
        )
    _reproject(uow, new_id, shielded=child.shielded)
    _reproject(uow, child_id, shielded=child.shielded)
    remember_apart(uow, child_id, new_id, actor=actor)
    return new_id


def undo_merge(*, uow: UnitOfWork, child_id: ChildId, actor: str) -> ChildId:
    """Move back what merging ``child_id`` moved and make it active again; return the child
    it had been merged into. Both children keep any shield the merged child had (a shield is
    never lifted by undoing a merge: invariant 2)."""
    ensure_not_halted(uow)
    into = uow.children.merged_into(child_id)
    if into is None:
        raise InvalidInput(f"child {child_id} was not merged", field="child_id")
    moved = uow.records.moved_by_merge(merged=child_id, into=into)
    target = uow.children.get(into)
    shielded = bool(target and target.shielded)
    uow.children.reactivate(child_id)
    for source, record_id in moved:
        uow.records.link(
            source=source, record_id=record_id, child_id=child_id, decided_by="officer", actor=actor
        )
    _reproject(uow, child_id, shielded=shielded)
    _reproject(uow, into, shielded=shielded)
    remember_apart(uow, child_id, into, actor=actor)
    return into


def remember_apart(
    uow: UnitOfWork, one: ChildId, other: ChildId, *, actor: str, now: datetime | None = None
) -> None:
    """An officer has said two children are not one (a split, an undone merge, a caution
    pair cleared, a lift: ADR 0035). Each record either holds now is remembered as not the
    other child, as a not-a-match decision is, so that no rescore joins the two again and
    no load proposes it (``linking.without_rejected``); a feed's join checks them too
    (``linking._may_join``). Open caution items between the two, either way round, are
    cleared: the screen asks no officer again what this one has just said."""
    at = now or datetime.now(UTC)  # splits and undone merges carry no clock, as ``_retire``
    uow.reviews.remember_apart(one=one, other=other, actor=actor, now=at)
    for child_id, not_child in ((one, other), (other, one)):
        uow.shields.close_items(
            child_id=child_id.value,
            status=CautionStatus.CLEARED,
            decided_by=actor,
            at=at,
            against=not_child.value,
        )
