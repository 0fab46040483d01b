"""Linking a stored source record to a child, through the matching port."""

from __future__ import annotations

from dataclasses import dataclass

from childindex.domain.ids import ChildId
from childindex.domain.source_record import SourceRecord
from childindex.domain.survivorship import project
from childindex.matching.blocking import index_keys
from childindex.matching.features import features_of
from childindex.matching.ports import MatchEngine, MatchKind
from childindex.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class LinkOutcome:
    """What linking one record did."""

    child_id: ChildId
    kind: MatchKind
    shielded: bool


def refresh_child(uow: UnitOfWork, child_id: ChildId) -> bool:
    """Recompute the child's details from its records; return whether it is shielded.

    A shield already held is kept: nothing here lifts one (invariant 2).
    """
    existing = uow.children.get(child_id)
    child = project(
        child_id,
        uow.records.current_records(child_id),
        shielded=existing.shielded if existing else False,
    )
    uow.children.save(child)
    return child.shielded


def link_record(
    *, uow: UnitOfWork, record: SourceRecord, engine: MatchEngine, actor: str
) -> LinkOutcome:
    """Link ``record`` (already stored) to its child, or start a new child; refresh that child."""
    current = uow.records.linked_child(source=record.source, record_id=record.record_id)
    keys = index_keys(features_of(record.payload))
    uow.records.set_blocking_keys(source=record.source, record_id=record.record_id, keys=keys)
    if current is not None:
        return LinkOutcome(current, MatchKind.LINK, refresh_child(uow, current))
    decision = engine.decide(record, uow.children)
    if decision.kind is MatchKind.LINK and decision.child_id is not None:
        child_id = decision.child_id
        kind = MatchKind.LINK
    else:
        # REVIEW is not yet queued: until the review queue exists a doubtful record starts a
        # new child, which the shield rule still covers.
        child_id = ChildId.new()
        kind = MatchKind.NEW
        # The child row must exist before the link refers to it.
        uow.children.save(project(child_id, [record], shielded=False))
    uow.records.link(
        source=record.source,
        record_id=record.record_id,
        child_id=child_id,
        decided_by=decision.decided_by if kind is MatchKind.LINK else "new",
        actor=actor,
        score=decision.probability if kind is MatchKind.LINK else None,
    )
    return LinkOutcome(child_id, kind, refresh_child(uow, child_id))
