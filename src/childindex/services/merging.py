"""Moving records between children: relink one record, or merge two children.

Shields only spread here (invariant 2): a record or child moving onto another child carries
its shield with it; nothing in this module lifts one.
"""

from __future__ import annotations

from childindex.domain.ids import ChildId
from childindex.domain.source_record import Source
from childindex.domain.survivorship import project
from childindex.services.ports import UnitOfWork


def _reproject(uow: UnitOfWork, child_id: ChildId, *, shielded: bool) -> None:
    existing = uow.children.get(child_id)
    keep = shielded or (existing.shielded if existing else False)
    uow.children.save(project(child_id, uow.records.current_records(child_id), shielded=keep))


def relink_record(
    *, uow: UnitOfWork, source: Source, record_id: str, into: ChildId, actor: str
) -> None:
    """Move one record onto ``into`` (an officer's decision). A child left with no records
    is retired as merged into ``into``, and its shield goes with it."""
    old = uow.records.linked_child(source=source, record_id=record_id)
    old_child = uow.children.get(old) if old is not None else None
    uow.records.link(
        source=source, record_id=record_id, child_id=into, decided_by="officer", actor=actor
    )
    carried = bool(old_child and old_child.shielded)
    _reproject(uow, into, shielded=carried)
    if old is None or old == into:
        return
    if uow.records.current_records(old):
        _reproject(uow, old, shielded=False)
    else:
        uow.children.mark_merged(old, into=into)


def merge_children(*, uow: UnitOfWork, child_id: ChildId, into: ChildId, actor: str) -> None:
    """Move every record of ``child_id`` onto ``into`` and retire ``child_id``.

    The result is shielded if either child was (invariant 2).
    """
    if child_id == into:
        return
    merged = uow.children.get(child_id)
    for record in uow.records.current_records(child_id):
        uow.records.link(
            source=record.source,
            record_id=record.record_id,
            child_id=into,
            decided_by="officer",
            actor=actor,
        )
    _reproject(uow, into, shielded=bool(merged and merged.shielded))
    uow.children.mark_merged(child_id, into=into)
