"""One batch of a feed load, set-based where it can be and record by record where it must.

The common case of a bulk load is a record never held before that becomes a new, visible
child. For those a batch runs a handful of statements in all, instead of about twenty per
record: the raw lines in one insert, the held versions in one query, the identifiers the
engine asks about in one query per kind, the shielded children (few) in one query, and then
records, versions, blocking keys, children, search keys and links in one insert each.

Everything else keeps the record-by-record path (``SourceRecordRepository.put_version``
then ``services.linking.link_record``): an update or a stale version, a record id seen
earlier in the batch, a record the engine links to a child or sends to review, a record
whose source asks for a shield, and a new child the shield screen cautions. Before such a
record runs, what the batch has gathered is written, so it sees the database exactly as it
would have record by record; so the end state, the counts and the callbacks are those of
processing the lines one at a time, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field

from childindex.domain.child import Child
from childindex.domain.ids import ChildId
from childindex.domain.shield import ShieldRule, blocking_keys
from childindex.domain.source_record import ParsedLine, RecordError, SourceRecord, VersionOutcome
from childindex.domain.survivorship import asks_for_shield, project
from childindex.matching.blocking import index_keys
from childindex.matching.features import features_of
from childindex.matching.ports import CandidateRecord, MatchEngine, MatchKind
from childindex.services.areas import route
from childindex.services.linking import LinkOutcome, link_record
from childindex.services.ports import NewLinkedRecord, RawLine, UnitOfWork
from childindex.services.screen_index import ShieldedIndex

IDENTIFIER_KINDS = ("nhs_number", "upn")


@dataclass(slots=True)
class _Pending:
    """New children and their records gathered for one set-based write."""

    children: list[Child] = field(default_factory=list)
    records: list[NewLinkedRecord] = field(default_factory=list)


class BatchCandidates:
    """The ``CandidateStore`` an engine sees during a batch: identifiers from one query per
    kind for the whole batch, plus the children the batch has created; anything else from
    the database once the batch's gathered writes are in it."""

    def __init__(self, uow: UnitOfWork, write_pending: Callable[[], None]) -> None:
        self._uow = uow
        self._write_pending = write_pending
        self._known: dict[str, set[str]] = {kind: set() for kind in IDENTIFIER_KINDS}
        self._holders: dict[tuple[str, str], list[ChildId]] = {}

    def prefetch(self, records: Iterable[SourceRecord]) -> None:
        """Ask once for every identifier the records carry."""
        wanted: dict[str, set[str]] = {kind: set() for kind in IDENTIFIER_KINDS}
        for record in records:
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

    def hold(self, child_id: ChildId, identifiers: Iterable[tuple[str, str | None]]) -> None:
        """Note that ``child_id`` (created or changed by this batch) holds these values."""
        for kind, value in identifiers:
            if not value or value not in self._known.get(kind, set()):
                continue  # never asked: a later question goes to the database
            holders = self._holders.setdefault((kind, value), [])
            if child_id not in holders:
                holders.append(child_id)
                holders.sort(key=lambda c: c.value)

    def by_identifier(self, kind: str, value: str) -> list[ChildId]:
        """Active children holding this identifier."""
        if value in self._known.get(kind, set()):
            return list(self._holders.get((kind, value), ()))
        self._write_pending()
        return self._uow.children.by_identifier(kind, value)

    def by_blocking_keys(self, keys: Collection[str], *, limit: int) -> list[CandidateRecord]:
        """Records of active children sharing any of ``keys`` (from the database)."""
        self._write_pending()
        return self._uow.children.by_blocking_keys(keys, limit=limit)


@dataclass(slots=True)
class BatchContext:
    """What the batch needs from the load (``services.ingest._Load``)."""

    load_id: int
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

    def write_pending(self) -> None:
        """Write the gathered new children and records (children first: links refer to them)."""
        if not self.pending.records:
            return
        self.uow.children.add_new(self.pending.children)
        self.uow.records.add_new_linked(items=self.pending.records, actor=self.context.actor)
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
        child = self.uow.children.get(linked.child_id)
        if child is not None:
            self.candidates.hold(
                child.child_id, (("nhs_number", child.nhs_number), ("upn", child.upn))
            )
        if linked.shielded:
            # The batch may have shielded children, or changed a shielded child's keys.
            self._index = None

    def new_child(self, record: SourceRecord, raw_id: int) -> bool:
        """Gather ``record`` as a new visible child if that is what it becomes; False if it
        must take the record-by-record path."""
        if asks_for_shield(record):
            return False
        decision = self.context.engine.decide(record, self.candidates)
        if decision.kind is not MatchKind.NEW:
            return False
        child_id = ChildId.new()
        child = route(self.uow, project(child_id, [record], shielded=False), lookup=self.authority)
        if child.shielded:
            return False
        index = self.shielded_index()
        if self.context.rule.caution is not None and index.size:
            profile = self.uow.children.screen_profile(child)
            found = index.candidates(blocking_keys(profile))
            if found and self.context.rule.cautions(profile, found):
                return False
        self.pending.children.append(child)
        self.pending.records.append(
            NewLinkedRecord(
                record=record,
                raw_id=raw_id,
                child_id=child_id,
                index_keys=index_keys(features_of(record.payload)),
            )
        )
        self.candidates.hold(child_id, (("nhs_number", child.nhs_number), ("upn", child.upn)))
        self.counts.new += 1
        self.counts.fast += 1
        return True

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
            elif not first_here or key in held or not self.new_child(record, raw_id):
                self.one_by_one(record, raw_id)
        self.write_pending()
        return counts


def process_batch(
    uow: UnitOfWork, context: BatchContext, lines: Sequence[ParsedLine]
) -> BatchCounts:
    """Store, validate, version and link ``lines`` in ``uow`` (not committed)."""
    uow.shields.lock_screen()
    return _Batch(uow, context).run(lines)
