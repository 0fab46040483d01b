"""Linking a stored source record to a child, through the matching port."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from childindex.domain.ids import ChildId
from childindex.domain.source_record import SourceRecord
from childindex.domain.survivorship import project
from childindex.matching.blocking import index_keys
from childindex.matching.features import features_of
from childindex.matching.ports import MatchDecision, MatchEngine, MatchKind
from childindex.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class LinkOutcome:
    """What linking one record did."""

    child_id: ChildId
    kind: MatchKind
    shielded: bool
    review_item: int | None = None


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


def without_rejected(uow: UnitOfWork, record: SourceRecord, decision: MatchDecision) -> MatchKind:
    """The decision's kind, unless an officer said this record is not that child."""
    if decision.child_id is None or decision.kind is MatchKind.NEW:
        return MatchKind.NEW
    rejected = uow.reviews.not_a_match(source=record.source, record_id=record.record_id)
    return MatchKind.NEW if decision.child_id in rejected else decision.kind


def link_record(
    *,
    uow: UnitOfWork,
    record: SourceRecord,
    engine: MatchEngine,
    actor: str,
    now: datetime | None = None,
) -> LinkOutcome:
    """Link ``record`` (already stored) to its child, or start a new child; refresh that child.

    A doubtful match (REVIEW) starts a new child, which the shield rule covers, and queues
    the pair for an officer of the responsible local authority.
    """
    current = uow.records.linked_child(source=record.source, record_id=record.record_id)
    keys = index_keys(features_of(record.payload))
    uow.records.set_blocking_keys(source=record.source, record_id=record.record_id, keys=keys)
    if current is not None:
        return LinkOutcome(current, MatchKind.LINK, refresh_child(uow, current))
    decision = engine.decide(record, uow.children)
    kind = without_rejected(uow, record, decision)
    if kind is MatchKind.LINK and decision.child_id is not None:
        child_id = decision.child_id
    else:
        child_id = ChildId.new()
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
    shielded = refresh_child(uow, child_id)
    item = None
    if kind is MatchKind.REVIEW and decision.child_id is not None:
        item = _queue(
            uow,
            record=record,
            decision=decision,
            candidate=decision.child_id,
            held_by=child_id,
            now=now,
        )
    return LinkOutcome(child_id, kind, shielded, item)


def _queue(
    uow: UnitOfWork,
    *,
    record: SourceRecord,
    decision: MatchDecision,
    candidate: ChildId,
    held_by: ChildId,
    now: datetime | None,
) -> int:
    explained = next((c for c in decision.candidates if c.child_id == candidate), None)
    candidate_child = uow.children.get(candidate)
    la_code = record.payload.get("la_code") or (
        candidate_child.la_code if candidate_child else None
    )
    return uow.reviews.add(
        source=record.source,
        record_id=record.record_id,
        record_child_id=held_by,
        candidate_child_id=candidate,
        probability=decision.probability or (explained.probability if explained else 0.0),
        weights=dict(explained.weights) if explained else {},
        la_code=str(la_code) if la_code else None,
        now=now or datetime.now(UTC),
    )
