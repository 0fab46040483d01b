"""Linking a stored source record to a child, through the matching port, then the shield
screen (``services/shield_screen.py``) before anything can be read."""

from __future__ import annotations

from dataclasses import dataclass, replace

from childindex.domain.ids import ChildId
from childindex.domain.shield import ShieldRule
from childindex.domain.shield_records import ShieldOrigin
from childindex.domain.source_record import SourceRecord
from childindex.domain.survivorship import asks_for_shield, project
from childindex.matching.ports import MatchEngine, MatchKind
from childindex.services.ports import UnitOfWork
from childindex.services.shield_screen import DEFAULT_RULE, screen_child


@dataclass(frozen=True, slots=True)
class LinkOutcome:
    """What linking one record did."""

    child_id: ChildId
    kind: MatchKind
    shielded: bool
    cautions: int = 0
    # Shielded children this record's child might be (each queued for review).
    cautioned: tuple[str, ...] = ()


def refresh_child(uow: UnitOfWork, child_id: ChildId, *, actor: str = "system") -> bool:
    """Recompute the child's details from its records; return whether it is shielded.

    A shield already held is kept: nothing here lifts one (invariant 2). A source's flag
    that newly shields the child is recorded in the shields table.
    """
    existing = uow.children.get(child_id)
    was_shielded = existing.shielded if existing else False
    records = uow.records.current_records(child_id)
    child = project(child_id, records, shielded=was_shielded)
    uow.children.save(child)
    if child.shielded and not was_shielded:
        flagged = sorted({r.source.value for r in records if asks_for_shield(r)})
        uow.shields.add_shield(
            child_id=child_id.value,
            origin=ShieldOrigin.SOURCE,
            reason=f"flagged by source: {', '.join(flagged)}",
            set_by=actor,
            review_date=None,
        )
    return child.shielded


def link_record(
    *,
    uow: UnitOfWork,
    record: SourceRecord,
    engine: MatchEngine,
    actor: str,
    rule: ShieldRule = DEFAULT_RULE,
) -> LinkOutcome:
    """Link ``record`` (already stored) to its child, or start a new child; refresh that
    child and screen it against every shielded child it might be (invariant 2)."""
    current = uow.records.linked_child(source=record.source, record_id=record.record_id)
    if current is not None:
        child_id, kind = current, MatchKind.LINK
        before = uow.shields.profile(current.value)
    else:
        decision = engine.decide(record, uow.children)
        if decision.kind is MatchKind.LINK and decision.child_id is not None:
            child_id, kind = decision.child_id, MatchKind.LINK
            before = uow.shields.profile(child_id.value)
        else:
            # REVIEW is not yet queued: until the review queue exists a doubtful record
            # starts a new child, which the shield screen still covers.
            child_id, kind, before = ChildId.new(), MatchKind.NEW, None
            # The child row must exist before the link refers to it; nothing commits
            # before the screen below has run. Saved unshielded so that a source's flag is
            # recorded as what shielded it.
            uow.children.save(replace(project(child_id, [record], shielded=False), shielded=False))
        uow.records.link(
            source=record.source,
            record_id=record.record_id,
            child_id=child_id,
            decided_by=decision.decided_by if kind is MatchKind.LINK else "new",
            actor=actor,
        )
    refresh_child(uow, child_id, actor=actor)
    # Only a profile that was already shielded lets the screen skip re-checking visible
    # children (nothing about the shielded child changed).
    screened = screen_child(
        uow, child_id, rule=rule, before=before if before and before.shielded else None
    )
    return LinkOutcome(
        child_id,
        kind,
        screened.shielded,
        len(screened.cautions),
        tuple(c.shielded_child_id for c in screened.cautions),
    )
