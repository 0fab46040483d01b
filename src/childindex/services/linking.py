"""Linking a stored source record to a child, through the matching port, then the shield
screen (``services/shield_screen.py``) before anything can be read."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.ids import ChildId
from childindex.domain.shield import ShieldRule
from childindex.domain.shield_records import ShieldOrigin
from childindex.domain.source_record import Source, SourceRecord
from childindex.domain.survivorship import asks_for_shield, project
from childindex.matching.blocking import index_keys
from childindex.matching.features import features_of
from childindex.matching.ports import MatchDecision, MatchEngine, MatchKind
from childindex.services.areas import route
from childindex.services.merging import merge_children
from childindex.services.ports import UnitOfWork
from childindex.services.shield_screen import DEFAULT_RULE, screen_child


@dataclass(frozen=True, slots=True)
class LinkOutcome:
    """What linking one record did."""

    child_id: ChildId
    kind: MatchKind
    shielded: bool
    review_item: int | None = None
    cautions: int = 0
    # Shielded children this record's child might be (each queued for review).
    cautioned: tuple[str, ...] = ()
    # Other children whose shield the screen wrote (newly shielded near twins of this
    # record's child, or ones it now holds more strongly).
    rewritten: tuple[str, ...] = ()
    # Children the record showed to be this one, merged into it (``join_bridged``), and
    # the records that moved with them.
    joined: tuple[ChildId, ...] = ()
    moved: tuple[tuple[Source, str], ...] = ()


def refresh_child(uow: UnitOfWork, child_id: ChildId, *, actor: str = "system") -> bool:
    """Recompute the child's details from its records; return whether it is shielded.

    A shield already held is kept: nothing here lifts one (invariant 2). A source's flag
    that newly shields the child is recorded in the shields table.
    """
    existing = uow.children.get(child_id)
    was_shielded = existing.shielded if existing else False
    records = uow.records.current_records(child_id)
    child = route(uow, project(child_id, records, shielded=was_shielded))
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
    rule: ShieldRule = DEFAULT_RULE,
    now: datetime | None = None,
) -> LinkOutcome:
    """Link ``record`` (already stored) to its child, or start a new child; refresh that
    child and screen it against every shielded child it might be (invariant 2).

    A doubtful match (REVIEW) starts a new child, which the shield screen covers, and queues
    the pair for an officer of the responsible local authority. A record that links to other
    children too shows they are one: they are merged into its child (:func:`join_bridged`).
    """
    current = uow.records.linked_child(source=record.source, record_id=record.record_id)
    keys = index_keys(features_of(record.payload))
    uow.records.set_blocking_keys(source=record.source, record_id=record.record_id, keys=keys)
    item = None
    joined: tuple[ChildId, ...] = ()
    moved: tuple[tuple[Source, str], ...] = ()
    if current is not None:
        child_id, kind = current, MatchKind.LINK
    else:
        decision = engine.decide(record, uow.children)
        kind = without_rejected(uow, record, decision)
        if kind is MatchKind.LINK and decision.child_id is not None:
            child_id = decision.child_id
        else:
            child_id = ChildId.new()
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
            score=decision.probability if kind is MatchKind.LINK else None,
        )
        if kind is MatchKind.REVIEW:
            item = queue_for_review(
                uow, record=record, decision=decision, held_by=child_id, now=now
            )
        elif kind is MatchKind.LINK and decision.bridged:
            joined, moved = join_bridged(
                uow,
                record=record,
                into=child_id,
                bridged=decision.bridged,
                engine=engine,
                actor=actor,
                now=now,
            )
    refresh_child(uow, child_id, actor=actor)
    # Walked from every identity, its shown one too even if unchanged: the child's records
    # changed, and with them the model gate's answer for pairs it had lifted (ADR 0019).
    screened = screen_child(uow, child_id, rule=rule)
    return LinkOutcome(
        child_id,
        kind,
        screened.shielded,
        item,
        len(screened.cautions),
        tuple(c.shielded_child_id for c in screened.cautions),
        screened.rewritten,
        joined,
        moved,
    )


def join_bridged(
    uow: UnitOfWork,
    *,
    record: SourceRecord,
    into: ChildId,
    bridged: tuple[ChildId, ...],
    engine: MatchEngine,
    actor: str,
    now: datetime | None = None,
) -> tuple[tuple[ChildId, ...], tuple[tuple[Source, str], ...]]:
    """Merge into ``into`` (the child ``record`` was just linked to) each child of
    ``bridged``: others the record also links to in its own right (ADR 0023). Return the
    children merged and the records moved.

    Records of one child arrive one at a time, and an earlier miss leaves them on two
    children (a birth date mistyped in the first, the second not close enough to it): a
    record that links to both shows they are one, as the batch clustering joins two
    clusters through a third record. Each is merged only if:

    - every record on both was placed by the machine (an officer's placing stands, as in
      a rescore);
    - no officer said one of their records (or ``record``) is not the other child;
    - no record on either is in an open review item proposing it as a third child,
      waiting for an officer to say whose it is;
    - the engine says they may be one child (``MatchEngine.joinable``: no NHS numbers,
      or UPNs, that both hold and none shared; no two records that may be twins);
    - and, when the record links to several children, every two of them may be joined
      too: if two cannot (namesakes in two towns, each with an NHS number), the record
      cannot say which is its child's, and none is joined.

    A merge is audited, is an officer's to undo, and carries any shield with it: the
    merged child is shielded if either was (invariant 2, ``services.merging``).
    """
    rejected = uow.reviews.not_a_match(source=record.source, record_id=record.record_id)
    joining = [
        other
        for other in bridged
        if other != into and other not in rejected and _may_join(uow, engine, other, into)
    ]
    if not _one_child(uow, engine, joining):
        # The record links on its own to children that cannot all be one (namesakes in two
        # towns, each with an NHS number): it cannot say which is its child's, so it joins
        # none; merging the first by child ID would merge two children.
        joining = []
    # Two children are not joined where either holds a record in an open review item that
    # proposes it as a third child: the engine could not say whose that record is, and
    # joining its child to another would decide what an officer has yet to (on the
    # 100,000-child country, a school record "Dafydd Davies" in review against William
    # Dafydd Davies, at its home, was joined through a benefit claim to Dafydd Davies in
    # another town). Joined to the child the item proposes, it goes where the item says.
    joining = [
        other
        for other in joining
        if not (
            uow.reviews.in_doubt(other, but_for=into) or uow.reviews.in_doubt(into, but_for=other)
        )
    ]
    joined: list[ChildId] = []
    moved: list[tuple[Source, str]] = []
    for other in joining:
        moved.extend(
            merge_children(uow=uow, child_id=other, into=into, actor=actor, decided_by="score")
        )
        joined.append(other)
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.CHILDREN_MERGED,
                actor=actor,
                at=now or datetime.now(UTC),
                child_ids=(other.value, into.value),
                detail={
                    "decided_by": "bridge",
                    "source": record.source.value,
                    "record_id": record.record_id,
                },
            )
        )
    return tuple(joined), tuple(moved)


def _one_child(uow: UnitOfWork, engine: MatchEngine, children: list[ChildId]) -> bool:
    """Whether every two of ``children`` may be joined (``_may_join``)."""
    return all(
        _may_join(uow, engine, a, b) for i, a in enumerate(children) for b in children[i + 1 :]
    )


def _may_join(uow: UnitOfWork, engine: MatchEngine, child: ChildId, into: ChildId) -> bool:
    """Whether ``join_bridged`` may merge ``child`` into ``into``."""
    held, target = uow.records.held_child(child), uow.records.held_child(into)
    if held is None or target is None:
        return False
    if uow.records.placed_by_officer(child) or uow.records.placed_by_officer(into):
        return False
    # An officer said a record of one is not the other (a not-a-match, a separation: ADR
    # 0035).
    if uow.reviews.said_apart(child, into):
        return False
    return engine.joinable(held[1], target[1])


def queue_for_review(
    uow: UnitOfWork,
    *,
    record: SourceRecord,
    decision: MatchDecision,
    held_by: ChildId,
    now: datetime | None = None,
) -> int | None:
    """Queue a doubtful pair (a REVIEW decision) for an officer; return the item's id, or
    None if there is no candidate or an open item already proposes this record as it.

    The item is routed to the record's local authority, else the candidate's (the review
    rule decides at read time who may know of it), and carries the probability and the
    per-field weights of the candidate the engine explained. Used by a feed load
    (:func:`link_record`) and by ``services/rescore.py``; deciding whether the pair may be
    proposed at all (:func:`without_rejected`) is the caller's.

    >>> queue_for_review(uow, record=record, decision=decision, held_by=child_id)  # doctest: +SKIP
    42
    """
    candidate = decision.child_id
    if candidate is None or uow.reviews.has_open(
        source=record.source, record_id=record.record_id, candidate_child_id=candidate
    ):
        return None
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
