"""One batch of a feed load, set-based where it can be and record by record where it must.

The common cases of a bulk load are a record never held before that becomes a new, visible
child, and (once a model is trained) one the engine links to a visible child that stays
visible. For those a batch runs a handful of statements in all, instead of about twenty per
record: the raw lines in one insert, the held versions in one query, the identifiers and the
blocking keys the engine asks about in one query each (kept up to date in memory as the
batch goes), the shielded children (few) in one query, then records, versions, blocking
keys, children, search keys and links in one insert each, and each child given a record
saved once.

Everything else keeps the record-by-record path (``SourceRecordRepository.put_version``
then ``services.linking.link_record``): an update or a stale version, a record id seen
earlier in the batch, a record the engine sends to review, a record whose source asks for a
shield, a record for a shielded child, and a child the shield screen might caution. Before
such a record runs, what the batch has gathered is written, so it sees the database exactly
as it would have record by record; so the end state, the counts and the callbacks are those
of processing the lines one at a time, in order (up to ties the engine breaks by random child
ID, which differ between two one-at-a-time loads as well; the screen's ties never depend on
child IDs: ADR 0011).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace

from childindex.domain.child import Child
from childindex.domain.errors import LoadTaken
from childindex.domain.ids import ChildId
from childindex.domain.shield import ScreenProfile, ShieldRule
from childindex.domain.source_record import ParsedLine, RecordError, SourceRecord, VersionOutcome
from childindex.domain.survivorship import asks_for_shield, project
from childindex.matching.blocking import index_keys, query_keys
from childindex.matching.engine import CANDIDATE_LIMIT
from childindex.matching.features import features_of
from childindex.matching.ports import CandidateRecord, MatchDecision, MatchEngine, MatchKind
from childindex.services.areas import route
from childindex.services.key_rules import ensure_keys_current
from childindex.services.linking import LinkOutcome, link_record
from childindex.services.ports import NewLinkedRecord, RawLine, UnitOfWork
from childindex.services.screen_index import ShieldedIndex
from childindex.services.shield_screen import any_caution, model_weight

IDENTIFIER_KINDS = ("nhs_number", "upn")


@dataclass(slots=True)
class _Pending:
    """Children and records gathered for one set-based write."""

    children: dict[ChildId, Child] = field(default_factory=dict)  # new ones
    records: list[NewLinkedRecord] = field(default_factory=list)
    # Children (new or held) given a linked record, with their records: saved once the
    # records are stored.
    changed: dict[ChildId, tuple[Child, list[SourceRecord]]] = field(default_factory=dict)


class BatchCandidates:
    """The ``CandidateStore`` an engine sees during a batch, answered from memory where it
    can be: identifiers from one query per kind, and the records under each blocking key from
    one query for the whole batch, both kept up to date with what the batch links; anything
    else from the database once the batch's gathered writes are in it.

    A key is answered from memory only while every record stored under it is held here: a
    key with more than ``CANDIDATE_LIMIT`` records, or one a record left by changing, goes to
    the database; so does a question whose keys together hold more than the limit (which of
    them the store would give is its to say)."""

    def __init__(self, uow: UnitOfWork, write_pending: Callable[[], None]) -> None:
        self._uow = uow
        self._write_pending = write_pending
        self._known: dict[str, set[str]] = {kind: set() for kind in IDENTIFIER_KINDS}
        self._holders: dict[tuple[str, str], list[ChildId]] = {}
        # Blocking key (in clear) -> every record stored under it, for the keys asked.
        self._by_key: dict[str, list[CandidateRecord]] = {}
        # Each record held above -> the keys it is held under.
        self._keys_of: dict[tuple[str, str], list[str]] = {}
        self._unasked: list[SourceRecord] = []  # records whose keys are not yet asked

    def prefetch(self, records: Iterable[SourceRecord]) -> None:
        """Ask once for every identifier the records carry; their blocking keys are asked
        together when an engine first asks about one (an engine of identifiers never does)."""
        self._unasked = list(records)
        wanted: dict[str, set[str]] = {kind: set() for kind in IDENTIFIER_KINDS}
        for record in self._unasked:
            for kind in IDENTIFIER_KINDS:
                value = record.payload.get(kind)
                if value:
                    wanted[kind].add(str(value))
        for kind, asked in wanted.items():
            values = asked - self._known[kind]
            if not values:
                continue
            for value, holders in self._uow.children.by_identifiers(kind, values).items():
                self._holders[(kind, value)] = holders
            self._known[kind] |= values

    def _ask_keys(self) -> None:
        """Read the records under every blocking key the batch's records look up."""
        records, self._unasked = self._unasked, []
        keys: set[str] = set()
        for record in records:
            keys |= query_keys(features_of(record.payload))
        keys -= self._by_key.keys()
        if not keys:
            return
        self._write_pending()  # so that what the batch gathered so far is read back too
        found, common = self._uow.children.by_each_blocking_key(keys, limit=CANDIDATE_LIMIT)
        for key in keys - common:
            held = self._by_key[key] = found.get(key, [])
            for candidate in held:
                self._keys_of.setdefault((candidate.source, candidate.record_id), []).append(key)

    def hold(self, child_id: ChildId, identifiers: Iterable[tuple[str, str | None]]) -> None:
        """Note that ``child_id`` (created or changed by this batch) holds these values."""
        for kind, value in identifiers:
            if not value or value not in self._known.get(kind, set()):
                continue  # never asked: a later question goes to the database
            holders = self._holders.setdefault((kind, value), [])
            if child_id not in holders:
                holders.append(child_id)
                holders.sort(key=lambda c: c.value)

    def stored(self, candidate: CandidateRecord, keys: Iterable[str]) -> None:
        """Note that the batch stored this record (its current payload, on its child) under
        ``keys``, in place of whatever was held for it before."""
        own = (candidate.source, candidate.record_id)
        for key in self._keys_of.pop(own, ()):
            held = self._by_key.get(key)
            if held is not None:
                held[:] = [c for c in held if (c.source, c.record_id) != own]
        for key in keys:
            held = self._by_key.get(key)
            if held is None:
                continue  # never asked (or too common): a question goes to the database
            if len(held) >= CANDIDATE_LIMIT:
                del self._by_key[key]  # now over the limit
                continue
            held.append(candidate)
            held.sort(key=lambda c: c.order)
            self._keys_of.setdefault(own, []).append(key)

    def merged(
        self, joined: Collection[ChildId], into: ChildId, moved: Iterable[tuple[str, str]]
    ) -> None:
        """Note that the children ``joined`` were merged into ``into``, moving the records
        ``moved`` (``(source, record_id)``) there."""
        for own in moved:
            for key in self._keys_of.get(own, ()):
                held = self._by_key.get(key)
                if held is not None:
                    held[:] = sorted(
                        (
                            replace(c, child_id=into) if (c.source, c.record_id) == own else c
                            for c in held
                        ),
                        key=lambda c: c.order,
                    )
        gone = set(joined)
        for holders in self._holders.values():
            if gone.intersection(holders):
                holders[:] = sorted(
                    {into if c in gone else c for c in holders}, key=lambda c: c.value
                )

    def by_identifier(self, kind: str, value: str) -> list[ChildId]:
        """Active children holding this identifier."""
        if value in self._known.get(kind, set()):
            return list(self._holders.get((kind, value), ()))
        self._write_pending()
        return self._uow.children.by_identifier(kind, value)

    def by_blocking_keys(self, keys: Collection[str], *, limit: int) -> list[CandidateRecord]:
        """Records of active children sharing any of ``keys``."""
        if self._unasked:
            self._ask_keys()
        if all(key in self._by_key for key in keys):
            found: dict[tuple[str, str], CandidateRecord] = {}
            for key in keys:
                for candidate in self._by_key[key]:
                    found[(candidate.source, candidate.record_id)] = candidate
            if len(found) <= limit:
                return sorted(found.values(), key=lambda c: c.order)
        self._write_pending()
        return self._uow.children.by_blocking_keys(keys, limit=limit)


def might_be_shielded(
    uow: UnitOfWork,
    *,
    index: ShieldedIndex,
    rule: ShieldRule,
    child: Child,
    records: Sequence[SourceRecord],
    identities: Iterable[Child] = (),
) -> bool:
    """Whether the shield screen might caution ``child`` against the shielded children held
    in ``index``, showing the details of ``child`` or of any of ``identities`` (its records'
    own), with ``records`` its records, stored or not: a cheap first look, in memory; only a
    child it says might be goes through ``screen_child``."""
    profiles = (
        replace(
            uow.children.screen_profile(shown),
            child_id=child.child_id.value,
            la_code=child.la_code,
            shielded=False,
        )
        for shown in (child, *identities)
    )
    return might_caution(
        uow, index=index, rule=rule, child_id=child.child_id, records=records, profiles=profiles
    )


def might_caution(
    uow: UnitOfWork,
    *,
    index: ShieldedIndex,
    rule: ShieldRule,
    child_id: ChildId,
    records: Sequence[SourceRecord],
    profiles: Iterable[ScreenProfile],
) -> bool:
    """``might_be_shielded`` for a child whose screen profiles are ``profiles`` (visible)."""
    if rule.caution is None or not index.size:
        return False
    weight = model_weight(uow, pending={child_id.value: records})
    return any_caution(index=index, rule=rule, profiles=profiles, weight=weight)


@dataclass(slots=True)
class BatchContext:
    """What the batch needs from the load (``services.ingest._Load``)."""

    load_id: int
    # The line up to which this run has committed the load (its checkpoint, as this run
    # knows it): another run that moved the checkpoint on stops this one (``LoadTaken``).
    after_line: int
    actor: str
    engine: MatchEngine
    rule: ShieldRule
    notes: Callable[[ParsedLine], list[RecordError]]
    on_error: Callable[[RecordError], None]
    on_warning: Callable[[RecordError], None]


@dataclass(slots=True)
class BatchCounts:
    """Counts one batch adds to the load's report."""

    read: int = 0
    accepted: int = 0
    rejected: int = 0
    warnings: int = 0
    unchanged: int = 0
    stale: int = 0
    linked: int = 0
    review: int = 0
    new: int = 0
    shielded: int = 0
    cautioned: int = 0
    joined: int = 0
    fast: int = 0  # records written set-based (not part of the report)

    def add_link(self, outcome: LinkOutcome) -> None:
        """Count what linking one record did."""
        if outcome.kind is MatchKind.LINK:
            self.linked += 1
        elif outcome.kind is MatchKind.REVIEW:
            self.review += 1
        else:
            self.new += 1
        if outcome.shielded:
            self.shielded += 1
        if outcome.cautions:
            self.cautioned += 1
        self.joined += len(outcome.joined)


class _Batch:
    def __init__(self, uow: UnitOfWork, context: BatchContext) -> None:
        self.uow = uow
        self.context = context
        self.counts = BatchCounts()
        self.pending = _Pending()
        self.candidates = BatchCandidates(uow, self.write_pending)
        self._index: ShieldedIndex | None = None
        # Postcode district -> responsible authority, as asked in this batch (a memo).
        self._authorities: dict[str, str | None] = {}
        # Children the batch has read or made, with their current records, while nothing
        # but the batch's own gathered writes can change them (cleared by ``one_by_one``).
        self._children: dict[ChildId, tuple[Child, list[SourceRecord]]] = {}

    def write_pending(self) -> None:
        """Write the gathered new children, then the records (links refer to the children),
        then the children given a record (their identities are read from their records)."""
        if not self.pending.records:
            return
        self.uow.children.add_new(list(self.pending.children.values()))
        self.uow.records.add_new_linked(items=self.pending.records, actor=self.context.actor)
        self.uow.children.save_many(list(self.pending.changed.values()))
        self.pending = _Pending()

    def authority(self, district: str) -> str | None:
        """The district's local authority (``services/areas.py``), asked once per batch."""
        if district not in self._authorities:
            self._authorities[district] = self.uow.areas.authority_for(district)
        return self._authorities[district]

    def shielded_index(self) -> ShieldedIndex:
        if self._index is None:
            self._index = ShieldedIndex(self.uow.shields.shielded_entries())
        return self._index

    def one_by_one(self, record: SourceRecord, raw_id: int) -> None:
        """The record-by-record path, on a database holding everything gathered so far."""
        self.write_pending()
        self._children.clear()
        outcome = self.uow.records.put_version(record=record, raw_id=raw_id)
        if outcome is VersionOutcome.UNCHANGED:
            self.counts.unchanged += 1
            return
        if outcome is VersionOutcome.STALE:
            self.counts.stale += 1
            return
        linked = link_record(
            uow=self.uow,
            record=record,
            engine=self.context.engine,
            actor=self.context.actor,
            rule=self.context.rule,
        )
        self.counts.add_link(linked)
        if linked.joined:
            self.candidates.merged(
                linked.joined, linked.child_id, [(s.value, r) for s, r in linked.moved]
            )
        features = features_of(record.payload)
        self.candidates.stored(
            CandidateRecord(
                linked.child_id, record.source.value, record.record_id, record.payload, features
            ),
            index_keys(features),
        )
        child = self.uow.children.get(linked.child_id)
        if child is not None:
            self.candidates.hold(
                child.child_id, (("nhs_number", child.nhs_number), ("upn", child.upn))
            )
        if linked.shielded and self._index is not None:
            # The record's child is shielded (newly, or its keys changed), and the screen
            # may have shielded near twins of it, or held some more strongly: the index
            # holds them as they are now.
            changed = {linked.child_id.value, *linked.rewritten}
            self._index.replace(changed, self.uow.shields.shielded_entries(only=changed))

    def gather(self, record: SourceRecord, raw_id: int) -> bool:
        """Gather ``record`` (never held before) for the set-based write if it becomes a new
        visible child, or links to a visible child that stays visible; False if it must take
        the record-by-record path (a review, a shield, a caution, or anything unusual)."""
        if asks_for_shield(record):
            return False
        decision = self.context.engine.decide(record, self.candidates)
        if decision.kind is MatchKind.NEW:
            return self._gather_new(record, raw_id)
        if decision.kind is MatchKind.LINK and decision.child_id is not None:
            if decision.bridged:  # it joins children: record by record
                return False
            return self._gather_link(record, raw_id, decision, decision.child_id)
        return False

    def _cautioned(
        self, child: Child, records: list[SourceRecord], identities: Iterable[Child] = ()
    ) -> bool:
        """Whether the shield screen might caution ``child`` (showing the details of
        ``child``, or any of ``identities``, against the shielded children), whose records,
        not stored yet, are ``records``."""
        return might_be_shielded(
            self.uow,
            index=self.shielded_index(),
            rule=self.context.rule,
            child=child,
            records=records,
            identities=identities,
        )

    def _gather_new(self, record: SourceRecord, raw_id: int) -> bool:
        child_id = ChildId.new()
        child = route(self.uow, project(child_id, [record], shielded=False), lookup=self.authority)
        if child.shielded or self._cautioned(child, [record]):
            return False
        self.pending.children[child_id] = child
        self._gathered(record, raw_id, child, [record], decided_by="new", score=None)
        self.counts.new += 1
        return True

    def _gather_link(
        self, record: SourceRecord, raw_id: int, decision: MatchDecision, child_id: ChildId
    ) -> bool:
        held = self._children.get(child_id)
        if held is not None:
            shielded, records = held[0].shielded, held[1]
        else:
            stored = self.uow.records.held_child(child_id)
            if stored is None:
                return False
            shielded, records = stored
        if shielded:
            return False
        records = sorted([*records, record], key=lambda r: (r.source.value, r.record_id))
        child = route(self.uow, project(child_id, records, shielded=False), lookup=self.authority)
        # Every record's own identity too, as the screen compares each (ADR 0012).
        alone = (project(child_id, [r], shielded=False) for r in records)
        if child.shielded or self._cautioned(child, records, alone):
            return False
        if child_id in self.pending.children:
            self.pending.children[child_id] = child
        self.pending.changed[child_id] = (child, records)
        self._gathered(
            record,
            raw_id,
            child,
            records,
            decided_by=decision.decided_by,
            score=decision.probability,
        )
        self.counts.linked += 1
        return True

    def _gathered(
        self,
        record: SourceRecord,
        raw_id: int,
        child: Child,
        records: list[SourceRecord],
        *,
        decided_by: str,
        score: float | None,
    ) -> None:
        features = features_of(record.payload)
        keys = index_keys(features)
        self.pending.records.append(
            NewLinkedRecord(
                record=record,
                raw_id=raw_id,
                child_id=child.child_id,
                index_keys=keys,
                decided_by=decided_by,
                score=score,
            )
        )
        self._children[child.child_id] = (child, records)
        self.candidates.stored(
            CandidateRecord(
                child.child_id, record.source.value, record.record_id, record.payload, features
            ),
            keys,
        )
        self.candidates.hold(child.child_id, (("nhs_number", child.nhs_number), ("upn", child.upn)))
        self.counts.fast += 1

    def run(self, lines: Sequence[ParsedLine]) -> BatchCounts:
        context, counts = self.context, self.counts
        raw_ids = self.uow.feeds.store_raw_many(
            load_id=context.load_id,
            lines=[
                RawLine(p.line, p.text, None if p.record is not None else list(p.errors))
                for p in lines
            ],
        )
        accepted: list[tuple[SourceRecord, int]] = []
        for parsed, raw_id in zip(lines, raw_ids, strict=True):
            counts.read += 1
            for warning in context.notes(parsed):
                counts.warnings += 1
                context.on_warning(warning)
            if parsed.record is None:
                counts.rejected += 1
                for error in parsed.errors:
                    context.on_error(error)
                continue
            counts.accepted += 1
            accepted.append((parsed.record, raw_id))
        if not accepted:
            return counts
        held: dict[tuple[str, str], bool] = {}
        by_source: dict[str, list[SourceRecord]] = {}
        for record, _ in accepted:
            by_source.setdefault(record.source.value, []).append(record)
        for group in by_source.values():
            source = group[0].source
            for record_id, same in self.uow.records.held(source=source, records=group).items():
                held[(source.value, record_id)] = same
        self.candidates.prefetch(record for record, _ in accepted)
        touched: set[tuple[str, str]] = set()
        for record, raw_id in accepted:
            key = (record.source.value, record.record_id)
            first_here = key not in touched
            touched.add(key)
            if first_here and held.get(key) is True:
                counts.unchanged += 1  # the same content is held: a no-op, as put_version
            elif not first_here or key in held or not self.gather(record, raw_id):
                self.one_by_one(record, raw_id)
        self.write_pending()
        return counts


def process_batch(
    uow: UnitOfWork, context: BatchContext, lines: Sequence[ParsedLine]
) -> BatchCounts:
    """Store, validate, version and link ``lines`` in ``uow`` (not committed); refused
    (``StaleKeys``) while the stored blocking keys are of other rules, and (``LoadTaken``)
    when another run of the same load has committed batches this one has not.

    The screen lock serialises batches (on SQLite, any write transaction does), so the
    load's checkpoint read under it is the last committed one."""
    uow.shields.lock_screen()
    ensure_keys_current(uow)
    position = uow.feeds.position(context.load_id)
    if position != context.after_line:
        where = "has finished" if position is None else f"is done up to line {position:,}"
        msg = (
            f"load {context.load_id} of this file is being run by another process too: it "
            f"{where}, while this run is at line {context.after_line:,}. This run stops "
            "here and stores nothing more: the other run finishes the load"
        )
        raise LoadTaken(msg)
    return _Batch(uow, context).run(lines)
