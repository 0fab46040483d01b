"""Re-running matching over the records held, after a model or rule change.

Never undoes an officer's decision: records linked by an officer are left where they are,
and a remembered not-a-match is never proposed. A record alone on its child (it started a
new child, or was linked by score and is still alone) that now matches another child is
moved there, carrying any shield with it (invariant 2); nothing is split automatically.
One that now only *might* be an earlier child (REVIEW) stays where it is and the pair is
queued for an officer, as a feed load queues it (``linking.queue_for_review``), unless an
open item already proposes it (so a second rescore queues nothing new).

Records are re-decided in the order they first arrived, each against the children that
already held a record before it, as if the feeds were arriving again with the new model.
Without that, feeds loaded before any model was trained leave one child per source for
each real child: a school record would then find the same child twice (its health and its
benefit copies), both at LINK, and the ambiguity guard would rightly link neither.

A child whose records were all placed by the machine moves as a whole when its first
record now links to an earlier child: its other records came to it through that record (a
shared UPN, a score), as they would have come to the earlier child had the model been
there when they arrived. A child any of whose records an officer placed is left as it is. If
that first record also links, on its own, to other earlier children, they are joined to the
one it moved to (``linking.join_bridged``, ADR 0023), as a feed load joins them.

Each batch writes one audit entry in its own transaction: the children it merged (each
retired child and the child it went into) and the batch's counts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.ids import ChildId
from childindex.domain.source_record import Source, SourceRecord
from childindex.matching.ports import (
    CandidateRecord,
    CandidateStore,
    MatchDecision,
    MatchEngine,
    MatchKind,
)
from childindex.services.key_rules import ensure_keys_current
from childindex.services.linking import join_bridged, queue_for_review
from childindex.services.merging import merge_children
from childindex.services.operations import ensure_not_halted
from childindex.services.ports import UnitOfWork, UnitOfWorkFactory

BATCH = 500


class _Earlier:
    """The candidate store as a record arriving at ``position`` would have found it: only
    records that arrived before it, on children that already held one of those."""

    def __init__(
        self,
        store: CandidateStore,
        first_seen: dict[ChildId, int],
        arrived: dict[tuple[Source, str], int],
        position: int,
    ) -> None:
        self._store = store
        self._first_seen = first_seen
        self._arrived = arrived
        self._position = position

    def _earlier(self, child_id: ChildId) -> bool:
        return self._first_seen.get(child_id, math.inf) < self._position

    def by_blocking_keys(self, keys: Collection[str], *, limit: int) -> list[CandidateRecord]:
        # A record that arrived later is not compared, even on an earlier child: a feed
        # arriving again would not have held it yet (and a second rescore would otherwise
        # see what the first one moved, and move again).
        found = self._store.by_blocking_keys(keys, limit=limit)
        return [
            c
            for c in found
            if self._arrived.get((Source(c.source), c.record_id), math.inf) < self._position
        ]

    def by_identifier(self, kind: str, value: str) -> list[ChildId]:
        return [c for c in self._store.by_identifier(kind, value) if self._earlier(c)]


@dataclass(slots=True)
class RescoreReport:
    """What a rescore did."""

    examined: int = 0
    officer_kept: int = 0
    relinked: int = 0
    # Records left where they are, their doubtful pair queued for an officer (REVIEW).
    queued_for_review: int = 0
    unchanged: int = 0
    # Other children a re-decided record linked to on its own, joined to its child.
    joined: int = 0

    def counts(self) -> dict[str, int]:
        """The counts as a plain mapping."""
        return asdict(self)


def rescore(
    *,
    uow_factory: UnitOfWorkFactory,
    engine: MatchEngine,
    actor: str,
    now: datetime | None = None,
    on_progress: Callable[[RescoreReport], None] = lambda _r: None,
) -> RescoreReport:
    """Re-decide every held record that no officer decided; see the module docstring.

    Refused while updates are halted, or while the stored blocking keys are of other rules
    (``services/key_rules.py``); a halt set part way stops it between batches (each
    batch is whole: committed, or not at all).
    """
    report = RescoreReport()
    with uow_factory() as uow:
        ensure_not_halted(uow)
        ensure_keys_current(uow)
        # Statistics first, as a big load takes them: feeds too small to fill a batch
        # never did, and a planner costing the tables as nearly empty chose nested loops
        # that ran one batch's candidate query for minutes on PostgreSQL.
        uow.feeds.refresh_statistics()
        uow.commit()
    with uow_factory() as uow:
        arrived = {key: n for n, key in enumerate(uow.records.arrival_order())}
        links = sorted(uow.records.current_links(), key=lambda link: arrived[link[:2]])
    first_seen: dict[ChildId, int] = {}
    for source, record_id, child_id, _ in links:
        first_seen.setdefault(child_id, arrived[(source, record_id)])
    shaped_by_officer = {child_id for *_, child_id, decided_by in links if decided_by == "officer"}
    moved: set[tuple[Source, str]] = set()  # records carried along with their child
    for start in range(0, len(links), BATCH):
        before = report.counts()
        merged: set[str] = set()
        batch = links[start : start + BATCH]
        with uow_factory() as uow:
            ensure_not_halted(uow)
            ensure_keys_current(uow)
            # Payloads a batch at a time: all of them at once would not fit in memory for
            # a national index (29 million records).
            payloads = uow.records.current_payloads(
                [(source, record_id) for source, record_id, *_ in batch]
            )
            for source, record_id, child_id, decided_by in batch:
                report.examined += 1
                if (source, record_id) in moved:
                    report.relinked += 1
                    continue
                if decided_by == "officer":
                    report.officer_kept += 1
                    continue
                position = arrived[(source, record_id)]
                if first_seen.get(child_id) != position or child_id in shaped_by_officer:
                    report.unchanged += 1
                    continue
                record = SourceRecord(
                    Source(source), record_id, payloads[(source, record_id)], None
                )
                decision = engine.decide(
                    record, _Earlier(uow.children, first_seen, arrived, position)
                )
                target = decision.child_id
                kind = _kind(uow, decision, child_id)
                if kind is MatchKind.LINK and target is not None:
                    report.relinked += 1
                    carried, joined = _move(
                        uow,
                        record,
                        child_id=child_id,
                        target=target,
                        decision=decision,
                        engine=engine,
                        actor=actor,
                        now=now,
                    )
                    moved.update(carried)
                    report.joined += len(joined)
                    merged.update(c.value for c in (child_id, target, *joined))
                elif (
                    kind is MatchKind.REVIEW
                    and queue_for_review(
                        uow, record=record, decision=decision, held_by=child_id, now=now
                    )
                    is not None
                ):
                    report.queued_for_review += 1
                else:
                    report.unchanged += 1
            done = report.counts()
            uow.audit.record(
                AuditEvent(
                    tag=AuditTag.RESCORED,
                    actor=actor,
                    at=now or datetime.now(UTC),
                    child_ids=tuple(sorted(merged)),
                    detail={key: done[key] - before[key] for key in done},
                )
            )
            uow.commit()
        on_progress(report)
    return report


def _kind(uow: UnitOfWork, decision: MatchDecision, child_id: ChildId) -> MatchKind | None:
    """What becomes of ``child_id``, by the decision on its first record: None if that is
    where it is. A remembered not-a-match is never proposed again, as a link or for review;
    and as the whole child would move, no record of it (its first among them) may have
    been said not to be the target, nor one of the target's not to be it (ADR 0035)."""
    target = decision.child_id
    if target == child_id:
        return None
    if target is not None and uow.reviews.said_apart(child_id, target):
        return MatchKind.NEW
    return decision.kind


def _move(
    uow: UnitOfWork,
    record: SourceRecord,
    *,
    child_id: ChildId,
    target: ChildId,
    decision: MatchDecision,
    engine: MatchEngine,
    actor: str,
    now: datetime | None,
) -> tuple[set[tuple[Source, str]], tuple[ChildId, ...]]:
    """Merge ``child_id`` (whose first record is ``record``) into ``target``, the child the
    decision links it to, then join the other earlier children the record links to on its
    own, as a feed load would have (``linking.join_bridged``, ADR 0023). Return the records
    carried along (not ``record`` itself) and the children joined."""
    carried = set(
        merge_children(
            uow=uow,
            child_id=child_id,
            into=target,
            actor=actor,
            decided_by=decision.decided_by,
        )
    )
    carried.discard((record.source, record.record_id))
    joined, moved = join_bridged(
        uow,
        record=record,
        into=target,
        bridged=decision.bridged,
        engine=engine,
        actor=actor,
        now=now,
    )
    return carried | set(moved), joined
