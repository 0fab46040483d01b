"""A first load: a country's feeds into an empty index at once (ADR 0026); and a bulk load of
feeds onto an index already holding records, clustered around them (ADR 0027).

``feeds load`` links each record to the children held when it arrives, and screens every
child it touches as it goes: right for the daily feeds, but a national go-live would take
days that way. An empty index has nothing to match against but the feeds themselves, so a
first load reads every file, clusters all their records together (``linkage.batch``, the
trained model, the same rules as the online engine), writes the children set-based, and then
runs the shield screen from every shielded child:

1. **Raw first.** Every line of every file is stored as received, the rejected with their
   errors (file, line, field), the loads recorded as ``feeds load`` records them.
2. **Clusters.** The first version of each record (by file, then line) is clustered with all
   the others; each cluster becomes a child, its details by survivorship, shielded if any
   of its records' sources asks for it (the shield recorded as the source's). Pairs the
   model doubts, left in two children, are queued for review with their explanation. The
   children are written a chunk at a time, a second process working out each chunk's rows
   (sealed, keyed) while the one before is written (``services/work_ahead.py``, ADR 0032).
3. **The screen.** Every shielded child is screened as a write to it would be
   (``shield_screen.screen_child``): each visible child that might be it is shielded and
   queued, and so on along the chain. The candidate relation is symmetric, so when this
   ends no visible child scores at or above caution against a shielded one: the invariant
   a feed load keeps (``tests/properties/test_first_load_screen.py`` checks it by screening
   every visible child again). A second process works out the first steps of the walks
   ahead, and which visible children are worth comparing after them
   (``services/screen_ahead.py``, ADR 0030, ADR 0031).
4. **Later versions.** A record id that comes again in a file is a later version, loaded
   as ``feeds load`` would (``put_version`` then ``link_record``) once the rest is in.

The whole load is one transaction: killed part way, it leaves nothing, and runs again from
the start. It is refused unless the index holds no source record, and while updates are
halted; the command refuses it without a trained model (there is nothing to cluster with).

A **bulk load** (:func:`load_at_once` ``onto_held``) does the same onto an index holding
records. Every held record is read (a second process working out the incoming records'
features meanwhile: ADR 0033) and clustered with the incoming ones, its child fixed
(``linkage.batch``'s ``placed``): an incoming record joins a held child or makes a new one,
and no two held children are ever joined (a pair at LINK between two of them is queued for
an officer, where ``feeds load`` would join them: ADR 0023). A held child given records is
written again with all of them, as ``feeds load`` writes it. A record id the index holds
already is an update: unchanged content is counted and skipped, a change is loaded as
``feeds load`` loads it, after the rest. The screen then runs from every shielded child the
load touched, and every visible child it touched is compared with the shielded children no
walk came from (in memory; one that might be one is screened as a write would be), so that
the invariant holds again when it commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial

from childindex.domain.child import Child
from childindex.domain.errors import Conflict
from childindex.domain.ids import ChildId
from childindex.domain.shield import ShieldRule
from childindex.domain.shield_records import ShieldOrigin
from childindex.domain.source_record import (
    ParsedLine,
    RecordError,
    Source,
    SourceRecord,
    VersionOutcome,
)
from childindex.domain.survivorship import asks_for_shield, project
from childindex.matching.blocking import index_keys
from childindex.matching.engine import ModelMatchEngine
from childindex.matching.features import Features, features_of
from childindex.matching.ports import CandidateRecord
from childindex.services.areas import route
from childindex.services.ingest import LoadReport, finish, later_version_warning
from childindex.services.ingest_batch import BatchCounts, might_caution
from childindex.services.key_rules import ensure_keys_current
from childindex.services.linking import link_record, queue_for_review
from childindex.services.operations import ensure_not_halted
from childindex.services.ports import (
    ChildRepository,
    Clusterer,
    NewLinkedRecord,
    Prepared,
    RawLine,
    SourceRecordRepository,
    UnitOfWork,
    UnitOfWorkFactory,
)
from childindex.services.screen_ahead import APART_CHUNK, ScreenAhead
from childindex.services.screen_index import ShieldedIndex
from childindex.services.shield_screen import (
    DEFAULT_RULE,
    LoadMemory,
    StepsAhead,
    screen_child,
    weight_of_features,
)
from childindex.services.work_ahead import WorkAhead

# Rows written by one statement.
CHUNK = 2000
# Pages a first load keeps in memory: its one transaction writes every index of a country,
# and with the usual cache (64 MiB) SQLite wrote each page out many times over.
CACHE_MIB = 4096
# Shielded children to screen from which a second process works out the first steps of
# their walks ahead (``services/screen_ahead.py``): below it, forking costs more than it
# saves.
SCREEN_AHEAD_FROM = 200
# Children to write (made or given records) from which a second process works out the rows
# of each chunk while the one before is written (``services/work_ahead.py``): below it,
# forking costs more than it saves.
WRITE_AHEAD_FROM = 20_000
# Incoming records of a bulk load from which a second process works out their features
# while the load reads the records held (``_read_held``): below it, forking costs more than
# it saves.
FEATURES_AHEAD_FROM = 20_000
# Held records read between two looks at what that second process has sent: its pipe holds
# a chunk's features or two, and it waits while the pipe is full.
GATHER_EVERY = 500
# Shielded children screened between two progress lines (at 1,000,000 children a walk
# takes a quarter of a second or so).
SCREEN_PROGRESS = 250


@dataclass(frozen=True, slots=True)
class FeedFile:
    """One file of a first load: its source, name, content hash and parsed lines."""

    source: Source
    filename: str
    content_sha256: str
    lines: Iterable[ParsedLine]


@dataclass(slots=True)
class FirstLoadReport:
    """What a first or bulk load did: each file's counts, as ``feeds load`` reports them,
    and the children it made or gave records."""

    files: list[tuple[FeedFile, LoadReport]] = field(default_factory=list)
    children: int = 0  # new children
    grown_children: int = 0  # children held already, given records (a bulk load)
    shielded_children: int = 0  # by a source's flag
    screened_children: int = 0  # shielded by the screen: they might be a shielded child
    review_items: int = 0
    scored_pairs: int = 0
    # Screens whose walk took its first step from a second process (``screen_ahead``).
    screens_ahead: int = 0
    # Visible children the second process compared, after the walks, with the shielded
    # children held apart from them (the load compares only those it found might be one).
    compared_ahead: int = 0
    # Chunks of the writing whose rows a second process worked out (``work_ahead``).
    written_ahead: int = 0
    # Chunks of the incoming records whose features a second process worked out while the
    # records held were read (a bulk load's).
    standardised_ahead: int = 0

    def counts(self) -> dict[str, int]:
        """The totals (for the CLI and the audit)."""
        totals = {
            "children": self.children,
            "grown_children": self.grown_children,
            "shielded_children": self.shielded_children,
            "screened_children": self.screened_children,
            "review_items": self.review_items,
            "scored_pairs": self.scored_pairs,
            "screens_ahead": self.screens_ahead,
            "compared_ahead": self.compared_ahead,
            "written_ahead": self.written_ahead,
            "standardised_ahead": self.standardised_ahead,
        }
        for _, report in self.files:
            for name, value in report.counts().items():
                if name not in {"load_id", "resumed_after_line", "last_line"}:
                    totals[name] = totals.get(name, 0) + value
        return totals


@dataclass(slots=True)
class _Held:
    """An accepted record's first version, with where it came from."""

    record: SourceRecord
    raw_id: int
    report: LoadReport
    # Its features: worked out by a second process while the held records are read
    # (:func:`_read_held`), else when first asked for (never, for an unchanged record).
    known: Features | None = None

    @property
    def features(self) -> Features:
        if self.known is None:
            self.known = features_of(self.record.payload)
        return self.known

    @property
    def uid(self) -> str:
        return f"{self.record.source.value}:{self.record.record_id}"


class FirstLoadRefused(Conflict):
    """The index is not empty."""


NOT_EMPTY = (
    "the index already holds source records: a first load is only for an empty index; load "
    "each feed with `childindex feeds load SOURCE PATH`, or large ones at once with "
    "`childindex feeds bulk-load`"
)


@dataclass(slots=True)
class _Placed:
    """A record the index holds, on its child: what a bulk load clusters around."""

    child_id: ChildId
    shielded: bool  # its child's shield, before the load
    record: SourceRecord
    features: Features = field(init=False)

    def __post_init__(self) -> None:
        self.features = features_of(self.record.payload)

    @property
    def uid(self) -> str:
        return f"{self.record.source.value}:{self.record.record_id}"


def load_at_once(
    *,
    uow_factory: UnitOfWorkFactory,
    files: Sequence[FeedFile],
    cluster: Clusterer,
    engine: ModelMatchEngine,
    actor: str,
    now: datetime,
    onto_held: bool,
    on_error: Callable[[RecordError], None] = lambda _e: None,
    on_warning: Callable[[RecordError], None] = lambda _e: None,
    on_phase: Callable[[str], None] = lambda _p: None,
    rule: ShieldRule = DEFAULT_RULE,
    screen_ahead_from: int = SCREEN_AHEAD_FROM,
    write_ahead_from: int = WRITE_AHEAD_FROM,
    features_ahead_from: int = FEATURES_AHEAD_FROM,
    wait_for_ahead: bool = False,
) -> FirstLoadReport:
    """Load ``files`` in one transaction (see the module); audited. A first load unless
    ``onto_held``: refused (``FirstLoadRefused``) on an index holding any record. A bulk
    load if ``onto_held``: onto the index as it is, clustered around its records.
    ``screen_ahead_from``: with this many shielded children to screen or more, a second
    process works out the first steps of their walks ahead (``services/screen_ahead.py``).
    ``write_ahead_from``: with this many children or more to write, a second process works
    out the rows of each chunk ahead of writing it (``services/work_ahead.py``).
    ``features_ahead_from``: with this many incoming records or more in a bulk load, a
    second process works out their features while the load reads the records held. With
    ``wait_for_ahead``, the load waits for each chunk's rows and features from them, and
    for each answer of the screens' (the tests': they all cross from the second
    processes)."""
    result = FirstLoadReport()
    with uow_factory() as uow:
        ensure_not_halted(uow)  # the halt lock, then the screen lock (ADR 0013)
        empty = not uow.records.holds_any()
        if not onto_held and not empty:
            raise FirstLoadRefused(NOT_EMPTY)
        ensure_keys_current(uow)
        uow.feeds.hold_pages(CACHE_MIB)
        if empty:
            uow.feeds.defer_indexes()  # made again once the rows are in, before the screen
        held: list[_Held] = []
        later: list[_Held] = []
        for feed in files:
            on_phase(f"reading {feed.filename}")
            report = _store_raw(uow, feed, held, later, on_error=on_error, on_warning=on_warning)
            result.files.append((feed, report))
        placed: list[_Placed] = []
        if not empty:
            held, updates = _split_updates(uow, held)
            later = updates + later
            on_phase("reading the records held")
            placed, result.standardised_ahead = _read_held(
                uow, held, ahead=len(held) >= features_ahead_from, wait=wait_for_ahead
            )
        with_held = f" with the {len(placed):,} held" if placed else ""
        on_phase(f"clustering {len(held):,} records{with_held}")
        children = _cluster(uow, held, placed, cluster, result)
        grown = f", and {result.grown_children:,} held ones" if placed else ""
        on_phase(f"writing {result.children:,} children{grown}")
        result.written_ahead = _write(
            uow,
            children,
            actor=actor,
            ahead=len(children.children) >= write_ahead_from,
            wait=wait_for_ahead,
        )
        if empty:
            on_phase("indexing")
            uow.feeds.build_indexes()
        uow.feeds.refresh_statistics()  # the screen's queries need the planner to know them
        _queue_doubts(uow, children, engine, result, now=now)
        children.count()
        on_phase(
            f"screening {sum(m.child.shielded for m in children.children):,} shielded children"
        )
        _screen(
            uow,
            children,
            rule,
            result,
            on_phase,
            ahead_from=screen_ahead_from,
            wait=wait_for_ahead,
        )
        for item in later:  # later versions of a record, as ``feeds load`` loads them
            _one_by_one(uow, item, engine=engine, actor=actor, rule=rule)
        for feed, report in result.files:
            finish(
                uow,
                source=feed.source,
                filename=feed.filename,
                report=report,
                actor=actor,
                now=now,
                **({"bulk_load": True} if onto_held else {"first_load": True}),
            )
        if later:
            # The statistics above were taken with every incoming row written; since then the
            # screens have only set flags and added shields and items, but later versions are
            # rows of their own. (At 1,000,000 children an ANALYZE takes 7 s.)
            uow.feeds.refresh_statistics()
        on_phase("committing")
        uow.commit()
    return result


def _read_held(
    uow: UnitOfWork, incoming: Sequence[_Held], *, ahead: bool, wait: bool = False
) -> tuple[list[_Placed], int]:
    """Every record the index holds, on its child; and the chunks of ``incoming`` whose
    features a second process worked out, while the store read those records (``ahead``;
    ``wait``: see ``WorkAhead``). The load works out itself the features of any chunk it did
    not, once the records are read."""
    chunks = [incoming[start : start + CHUNK] for start in range(0, len(incoming), CHUNK)]
    placed: list[_Placed] = []
    with WorkAhead(chunks, _features_of, fork=ahead, wait=wait) as features:
        for one in uow.records.all_held():
            placed.append(_Placed(*one))
            if len(placed) % GATHER_EVERY == 0:
                features.gather()
        for number, chunk in enumerate(chunks):
            for item, values in zip(chunk, features.take(number), strict=True):
                item.known = Features(*values)
        return placed, features.from_fork


def _features_of(items: Sequence[_Held]) -> list[tuple[str | None, ...]]:
    """The features of ``items``' records, as values (``Features.as_values``)."""
    return [features_of(item.record.payload).as_values() for item in items]


def _split_updates(uow: UnitOfWork, held: list[_Held]) -> tuple[list[_Held], list[_Held]]:
    """Of first versions read, those of records the index does not hold yet; and those of
    records it does hold whose content differs (updates). One whose content is held
    already is counted unchanged, as ``feeds load`` counts it."""
    same: dict[tuple[str, str], bool] = {}
    by_source: dict[Source, list[SourceRecord]] = {}
    for item in held:
        by_source.setdefault(item.record.source, []).append(item.record)
    for source, records in by_source.items():
        for start in range(0, len(records), CHUNK):
            for record_id, unchanged in uow.records.held(
                source=source, records=records[start : start + CHUNK]
            ).items():
                same[(source.value, record_id)] = unchanged
    new: list[_Held] = []
    updates: list[_Held] = []
    for item in held:
        known = same.get((item.record.source.value, item.record.record_id))
        if known is None:
            new.append(item)
        elif known:
            item.report.unchanged += 1
        else:
            updates.append(item)
    return new, updates


def _store_raw(
    uow: UnitOfWork,
    feed: FeedFile,
    held: list[_Held],
    later: list[_Held],
    *,
    on_error: Callable[[RecordError], None],
    on_warning: Callable[[RecordError], None],
) -> LoadReport:
    """Store every line of ``feed`` raw; note the accepted (first versions in ``held``,
    later ones in ``later``); report the rejected and the warnings."""
    report = LoadReport(
        load_id=uow.feeds.start_load(
            source=feed.source, filename=feed.filename, content_sha256=feed.content_sha256
        )
    )
    seen: dict[str, int] = {}
    chunk: list[ParsedLine] = []

    def flush() -> None:
        raw_ids = uow.feeds.store_raw_many(
            load_id=report.load_id,
            lines=[
                RawLine(p.line, p.text, None if p.record is not None else list(p.errors))
                for p in chunk
            ],
        )
        for parsed, raw_id in zip(chunk, raw_ids, strict=True):
            report.read += 1
            report.last_line = parsed.line
            warnings = list(parsed.warnings)
            again = later_version_warning(seen, feed.filename, parsed)
            if again is not None:
                warnings.append(again)
            for warning in warnings:
                report.warnings += 1
                on_warning(warning)
            if parsed.record is None:
                report.rejected += 1
                for error in parsed.errors:
                    on_error(error)
                continue
            report.accepted += 1
            (later if again is not None else held).append(_Held(parsed.record, raw_id, report))
        chunk.clear()

    for parsed in feed.lines:
        chunk.append(parsed)
        if len(chunk) >= CHUNK:
            flush()
    if chunk:
        flush()
    return report


@dataclass(slots=True)
class _Made:
    """A child the load makes, or one held that it gives records (``held``), with the
    incoming records (first versions) in load order, and the held ones."""

    child: Child
    records: list[_Held]
    held: bool = False
    placed: list[SourceRecord] = field(default_factory=list)
    was_shielded: bool = False

    def in_order(self) -> list[SourceRecord]:
        """All its records in ``(source, record_id)`` order, as survivorship reads them."""
        return _in_order(self.records, self.placed)


def _in_order(items: Iterable[_Held], placed: Iterable[SourceRecord] = ()) -> list[SourceRecord]:
    return sorted(
        [*(i.record for i in items), *placed], key=lambda r: (r.source.value, r.record_id)
    )


@dataclass(slots=True)
class _Clustered:
    """The children a load makes or grows, by their records' ids, and what joined them."""

    children: list[_Made] = field(default_factory=list)
    of: dict[str, _Made] = field(default_factory=dict)  # incoming record uid -> its child
    placed: dict[str, _Placed] = field(default_factory=dict)  # held record uid -> it
    joined_by: dict[str, tuple[float, bool]] = field(default_factory=dict)
    doubts: list[tuple[str, str, float]] = field(default_factory=list)
    queued: set[str] = field(default_factory=set)  # records given a review item
    order: dict[str, int] = field(default_factory=dict)  # record uid -> place in the load

    def provenance(self, one: _Made, item: _Held) -> tuple[str, float | None]:
        """How ``item`` came to ``one``: ``new`` for a new child's first record (or one no
        pair joined), else ``identifier`` or ``score`` with the pair's probability."""
        if not one.held and item is one.records[0]:
            return "new", None
        joined = self.joined_by.get(item.uid)
        if joined is None:
            return ("score", None) if one.held else ("new", None)
        return ("identifier" if joined[1] else "score"), joined[0]

    def where(self, uid: str) -> tuple[ChildId, SourceRecord]:
        """The child a record (incoming or held) is on, and the record."""
        if uid in self.placed:
            one = self.placed[uid]
            return one.child_id, one.record
        made = self.of[uid]
        return made.child.child_id, next(i.record for i in made.records if i.uid == uid)

    def count(self) -> None:
        """Add each record to its file's report once: review (given an item), new or
        linked, as ``feeds load`` counts a record; and shielded."""
        for one in self.children:
            for item in one.records:
                report = item.report
                if item.uid in self.queued:
                    report.review += 1
                elif self.provenance(one, item)[0] == "new":
                    report.new += 1
                else:
                    report.linked += 1
                if one.child.shielded:
                    report.shielded += 1


def _cluster(
    uow: UnitOfWork,
    held: list[_Held],
    placed: list[_Placed],
    cluster: Clusterer,
    result: FirstLoadReport,
) -> _Clustered:
    """Cluster the incoming records around the held ones (``placed``); one new child per
    cluster of incoming records alone, in load order of its first record, and each held
    child given records."""
    made = _Clustered(placed={p.uid: p for p in placed})
    if not held:
        return made
    features = {h.uid: h.features for h in held} | {p.uid: p.features for p in placed}
    clustered = cluster(features, {p.uid: p.child_id.value for p in placed})
    result.scored_pairs = clustered.scored_pairs
    made.joined_by, made.doubts = clustered.joined_by, clustered.review_pairs
    made.order = {p.uid: n for n, p in enumerate(placed)}
    made.order |= {item.uid: len(placed) + n for n, item in enumerate(held)}
    holder: dict[str, ChildId] = {}  # cluster -> the held child in it
    records_of: dict[ChildId, list[_Placed]] = {}
    for mine in placed:
        holder[clustered.cluster_of[mine.uid]] = mine.child_id
        records_of.setdefault(mine.child_id, []).append(mine)
    members: dict[str, list[_Held]] = {}
    for item in held:
        members.setdefault(clustered.cluster_of[item.uid], []).append(item)
    authorities: dict[str, str | None] = {}

    def authority(district: str) -> str | None:
        if district not in authorities:
            authorities[district] = uow.areas.authority_for(district)
        return authorities[district]

    for root, items in members.items():
        child_id = holder.get(root)
        if child_id is None:
            new = project(ChildId.new(), _in_order(items), shielded=False)
            child = route(uow, new, lookup=authority)
            one = _Made(child, items)
            result.children += 1
        else:
            theirs = records_of[child_id]
            was = theirs[0].shielded
            records = _in_order(items, (p.record for p in theirs))
            child = route(uow, project(child_id, records, shielded=was), lookup=authority)
            one = _Made(
                child, items, held=True, placed=[p.record for p in theirs], was_shielded=was
            )
            result.grown_children += 1
        made.children.append(one)
        for item in items:
            made.of[item.uid] = one
    result.shielded_children = sum(m.child.shielded and not m.was_shielded for m in made.children)
    return made


@dataclass(frozen=True, slots=True)
class _Write:
    """One statement's worth of a load's writing: ``prepare`` works out its rows without
    the database (in the second process, if there is one), ``write`` writes them."""

    prepare: Callable[[], Prepared]
    write: Callable[[Prepared], None]


def _write(
    uow: UnitOfWork, made: _Clustered, *, actor: str, ahead: bool, wait: bool = False
) -> int:
    """Write the new children, then the incoming records and links (a link refers to its
    child), then the other identities of each new child given several records, and each
    held child given records again with all of them (as ``feeds load`` writes it); record
    each source's shield. With ``ahead``, a fork of this process works out each chunk's
    rows while the one before is written (``services/work_ahead.py``; ``wait``: for each
    chunk's). How many chunks' rows came from the fork."""
    new = [m for m in made.children if not m.held]
    children, records = uow.children, uow.records
    writes = [
        _Write(partial(_new_children, children, chunk), children.write_new)
        for chunk in _chunks(new)
    ]
    writes += [
        _Write(partial(_new_records, records, made, chunk, actor), records.write_new_linked)
        for chunk in _chunks(made.children, size=lambda one: len(one.records))
    ]
    # A new child's own row is written once; of what ``save_many`` would write again, only
    # its other identities are new (records of a shielded child are shielded as linked).
    writes += [
        _Write(partial(_other_identities, children, chunk), children.write_other_identities)
        for chunk in _chunks([m for m in new if len(m.records) > 1])
    ]
    writes += [
        _Write(partial(_held_children, children, chunk), children.write_held)
        for chunk in _chunks([m for m in made.children if m.held])
    ]
    with WorkAhead(writes, _prepare, fork=ahead, wait=wait) as rows:
        for number, write in enumerate(writes):
            write.write(rows.take(number))
        from_fork = rows.from_fork
    for one in made.children:
        if one.child.shielded and not one.was_shielded:
            flagged = sorted({r.source.value for r in one.in_order() if asks_for_shield(r)})
            uow.shields.add_shield(
                child_id=one.child.child_id.value,
                origin=ShieldOrigin.SOURCE,
                reason=f"flagged by source: {', '.join(flagged)}",
                set_by=actor,
                review_date=None,
            )
    return from_fork


def _prepare(write: _Write) -> Prepared:
    return write.prepare()


def _chunks(
    children: Sequence[_Made], size: Callable[[_Made], int] = lambda _one: 1
) -> list[Sequence[_Made]]:
    """``children`` in consecutive slices of at least ``CHUNK`` in ``size`` (the last
    perhaps less), none empty."""
    chunks: list[Sequence[_Made]] = []
    start, total = 0, 0
    for end, one in enumerate(children, start=1):
        total += size(one)
        if total >= CHUNK:
            chunks.append(children[start:end])
            start, total = end, 0
    if start < len(children):
        chunks.append(children[start:])
    return chunks


# What each kind of write works out without the database, from its chunk alone.


def _new_children(children: ChildRepository, chunk: Sequence[_Made]) -> Prepared:
    return children.prepare_new([one.child for one in chunk])


def _new_records(
    records: SourceRecordRepository, made: _Clustered, chunk: Sequence[_Made], actor: str
) -> Prepared:
    items = [
        NewLinkedRecord(
            record=item.record,
            raw_id=item.raw_id,
            child_id=one.child.child_id,
            index_keys=index_keys(item.features),
            decided_by=decided_by,
            score=score,
        )
        for one in chunk
        for item in one.records
        for decided_by, score in [made.provenance(one, item)]
    ]
    return records.prepare_new_linked(items=items, actor=actor)


def _other_identities(children: ChildRepository, chunk: Sequence[_Made]) -> Prepared:
    return children.prepare_other_identities([(one.child, one.in_order()) for one in chunk])


def _held_children(children: ChildRepository, chunk: Sequence[_Made]) -> Prepared:
    return children.prepare_held([(one.child, one.in_order()) for one in chunk])


def _queue_doubts(
    uow: UnitOfWork,
    made: _Clustered,
    engine: ModelMatchEngine,
    result: FirstLoadReport,
    *,
    now: datetime,
) -> None:
    """Queue each pair the model doubts, left in two children, for an officer: the later
    record (in load order; a held one is earlier than any incoming) against the other's
    child, with the engine's explanation."""
    order = made.order
    asked: set[tuple[str, str]] = set()
    for a, b, probability in sorted(made.doubts, key=lambda d: (order[d[0]], order[d[1]])):
        first, then = sorted((a, b), key=order.__getitem__)
        if then not in made.of or (then, first) in asked:
            continue  # two held records: their children are decided
        mine = made.of[then]
        candidate, other = made.where(first)
        if candidate == mine.child.child_id:
            continue
        asked.add((then, first))
        item = next(i for i in mine.records if i.uid == then)
        decision = engine.decide_among(
            item.features,
            [CandidateRecord(candidate, other.source.value, other.record_id, other.payload)],
        )
        queued = queue_for_review(
            uow,
            record=item.record,
            decision=replace(decision, child_id=candidate, probability=probability),
            held_by=mine.child.child_id,
            now=now,
        )
        if queued is not None:
            result.review_items += 1
            made.queued.add(then)


def _gate_features(made: _Clustered) -> dict[str, list[Features]]:
    """The features of each active child's records as the store holds them once the load
    has written its children (``_write``), for the model's gate in the screens: the held
    records on their children, and the incoming ones on the children made or given them.
    Nothing moves a record until the screens are done (later versions come after), so each
    walk's gate need not read a child's records from the store and standardise them again
    (``tests/properties/test_bulk_load_screen.py`` checks them against the store's)."""
    by_child: dict[str, list[Features]] = {}
    for held in made.placed.values():
        by_child.setdefault(held.child_id.value, []).append(held.features)
    for one in made.children:
        by_child.setdefault(one.child.child_id.value, []).extend(i.features for i in one.records)
    return by_child


def _screen(
    uow: UnitOfWork,
    made: _Clustered,
    rule: ShieldRule,
    result: FirstLoadReport,
    on_phase: Callable[[str], None],
    *,
    ahead_from: int,
    wait: bool = False,
) -> None:
    """Screen every shielded child the load made or grew, in load order of its first
    record, as a write to it would (see the module). Its walks ask the visible and the
    shielded children of memory (``LoadMemory``), read once: each would otherwise ask the
    store for about a thousand at 1,000,000 children, most of them visible even when only
    the shielded are wanted. The memory is kept as the store is after each screen. With
    ``ahead_from`` shielded children or more, a fork of this process works out the first
    steps of their walks ahead (``services/screen_ahead.py``; ``wait``: for each). Then
    every visible child the load made or grew is compared with the shielded children no walk
    started from or reached (on an index empty before, there are none): one that might be
    one is screened as a write would screen it. The fork answers ahead, chunk by chunk, which
    might be (by resemblance alone, which cautions wherever the gate would too); where it
    has, only those are compared here."""
    by_id = {one.child.child_id.value: one for one in made.children}
    memory: LoadMemory | None = None  # read at the first screen: a load may need none
    walked: set[str] = set()
    starts = [one for one in made.children if one.child.shielded]
    ahead: ScreenAhead | None = None

    def screen(one: _Made, steps: StepsAhead | None = None) -> None:
        nonlocal memory
        if memory is None:
            memory = LoadMemory.read(uow, _gate_features(made))
        child_id = one.child.child_id.value
        outcome = screen_child(uow, one.child.child_id, rule=rule, memory=memory, ahead=steps)
        # A visible child the screen shields now, and those its walk shielded, leave the
        # visible ones; each walked from is not asked about again below.
        newly = memory.after(uow, child_id, outcome)
        if outcome.shielded:
            walked.update([child_id, *outcome.rewritten])
        result.screened_children += len(newly)
        for shielded in newly:
            for item in by_id[shielded].records if shielded in by_id else ():
                item.report.cautioned += 1
                item.report.shielded += 1

    # The visible children the load made or grew, compared after the walks (those the
    # walks shield are passed over then).
    visible = [one for one in made.children if not one.child.shielded]
    if starts and len(starts) >= ahead_from:
        memory, ahead = _ahead(uow, made, rule, starts, visible, wait=wait)
    try:
        for number, one in enumerate(starts):
            if number and number % SCREEN_PROGRESS == 0:
                on_phase(
                    f"screened {number:,} of {len(starts):,} shielded children "
                    f"({result.screens_ahead:,} of them a step ahead); "
                    f"{result.screened_children:,} more shielded as they might be one"
                )
            steps = None if ahead is None else ahead.steps(number)
            result.screens_ahead += steps is not None
            screen(one, steps)
        others = ShieldedIndex(
            e for e in uow.shields.shielded_entries() if e.profile.child_id not in walked
        )
        if not others.size:
            return
        on_phase(f"comparing the visible children with {others.size:,} shielded ones held")
        if memory is None:
            memory = LoadMemory.read(uow, _gate_features(made))
        if ahead is not None and not ahead.answers_for(others.profiles()):
            ahead.close()  # a shielded child it did not compare with: each is compared here
        for chunk, start in enumerate(range(0, len(visible), APART_CHUNK)):
            flagged = None if ahead is None else ahead.might_be(chunk)
            chunk_of = visible[start : start + APART_CHUNK]
            result.compared_ahead += 0 if flagged is None else len(chunk_of)
            for one in chunk_of:
                child_id = one.child.child_id.value
                if child_id in walked or (flagged is not None and child_id not in flagged):
                    continue
                # Its identities as the screen would compare them (the one it shows and the
                # others stored for it), from memory: one the walks shielded is no longer
                # among them.
                profiles = memory.visible.profiles_of(child_id)
                if might_caution(
                    uow,
                    index=others,
                    rule=rule,
                    child_id=one.child.child_id,
                    records=one.in_order(),
                    profiles=profiles,
                ):
                    screen(one)
    finally:
        if ahead is not None:
            ahead.close()


def _ahead(
    uow: UnitOfWork,
    made: _Clustered,
    rule: ShieldRule,
    starts: list[_Made],
    visible: list[_Made],
    *,
    wait: bool,
) -> tuple[LoadMemory, ScreenAhead]:
    """The screens' memory, and a second process working out, from it, the first steps of
    the walk from each of ``starts``, and which of ``visible`` might be a shielded child
    the walks do not start from (``services/screen_ahead.py``)."""
    known = _gate_features(made)
    memory = LoadMemory.read(uow, known)
    weigher = uow.weigher
    gate = None if weigher is None else weight_of_features(weigher, lambda c: known.get(c, ()))
    children = [one.child.child_id.value for one in starts]
    compared = [one.child.child_id.value for one in visible]
    return memory, ScreenAhead(
        memory, rule, children, weight=gate, known=known.keys(), visible=compared, wait=wait
    )


def _one_by_one(
    uow: UnitOfWork, item: _Held, *, engine: ModelMatchEngine, actor: str, rule: ShieldRule
) -> None:
    """A later version of a record: stored and linked as ``feeds load`` does it."""
    outcome = uow.records.put_version(record=item.record, raw_id=item.raw_id)
    report = item.report
    if outcome is VersionOutcome.UNCHANGED:
        report.unchanged += 1
        return
    if outcome is VersionOutcome.STALE:
        report.stale += 1
        return
    linked = link_record(uow=uow, record=item.record, engine=engine, actor=actor, rule=rule)
    counts = BatchCounts()
    counts.add_link(linked)
    for name in ("linked", "review", "new", "shielded", "cautioned", "joined"):
        setattr(report, name, getattr(report, name) + getattr(counts, name))
