"""Loading a feed: raw first, each record judged on its own, then linked to a child.

Crash safety: records are committed in batches, each batch with a checkpoint (its last line
and the counts so far) in the same transaction. Loading the same content again while a load
of it is unfinished resumes that load after its checkpoint: lines up to it are read again only
to report their errors and warnings, so the end state, the report and ``PATH.errors.jsonl`` are
those of an uninterrupted load.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.shield import ShieldRule
from childindex.domain.source_record import ParsedLine, RecordError, Source
from childindex.matching.exact import ExactIdentifierEngine
from childindex.matching.ports import MatchEngine
from childindex.services.ingest_batch import BatchContext, BatchCounts, process_batch
from childindex.services.key_rules import ensure_keys_current
from childindex.services.ports import UnitOfWork, UnitOfWorkFactory
from childindex.services.shield_screen import DEFAULT_RULE

BATCH_SIZE = 2000
# A big load refreshes the planner's statistics after its first batch and again each time
# it has run this many times the batches it had run at the last refresh (1, 4, 16, 64, ...),
# then once more at its end: statistics taken once, on a batch's worth of rows, misled
# SQLite into scanning every child for each later batch's identifiers.
STATISTICS_GROWTH = 4
# The report's counts a batch adds to.
_COUNTED = (
    "read",
    "accepted",
    "rejected",
    "warnings",
    "unchanged",
    "stale",
    "linked",
    "review",
    "new",
    "shielded",
    "cautioned",
    "joined",
)


@dataclass(slots=True)
class LoadReport:
    """What a load did, in the counts the contract names."""

    load_id: int = 0
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    linked: int = 0
    review: int = 0
    new: int = 0
    shielded: int = 0
    cautioned: int = 0  # records the shield screen found might be a shielded child
    joined: int = 0  # children merged into another by a record that linked both (ADR 0023)
    unchanged: int = 0
    stale: int = 0
    warnings: int = 0
    resumed_after_line: int = 0
    last_line: int = 0  # the last line committed: how far through the file the load is

    def counts(self) -> dict[str, int]:
        """The counts as a plain mapping (for the CLI, the API and the load's record)."""
        return asdict(self)

    @classmethod
    def restored(cls, counts: dict[str, int]) -> LoadReport:
        """A report carried on from a checkpoint's counts."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in counts.items() if k in names})


def later_version_warning(
    seen: dict[str, int], filename: str, parsed: ParsedLine
) -> RecordError | None:
    """The warning for a record whose id came earlier in the file (``seen``: record id ->
    its first line, updated here), or None.

    A later record with the same id is an update, even within one file (contract.md); it is
    said, since a record sent twice in a file may be a fault."""
    if parsed.record is None:
        return None
    earlier = seen.setdefault(parsed.record.record_id, parsed.line)
    if earlier == parsed.line:
        return None
    message = f"record_id also on line {earlier} of this file: loaded as a later version"
    return RecordError(filename, parsed.line, "record_id", message)


@dataclass(slots=True)
class _Load:
    """One load in progress: its report, callbacks and what it has seen of the file."""

    report: LoadReport
    filename: str
    actor: str
    engine: MatchEngine
    rule: ShieldRule
    on_error: Callable[[RecordError], None]
    on_warning: Callable[[RecordError], None]
    seen: dict[str, int]

    def notes(self, parsed: ParsedLine) -> list[RecordError]:
        """The line's warnings, with one more if its record id came earlier in the file."""
        warnings = list(parsed.warnings)
        again = later_version_warning(self.seen, self.filename, parsed)
        if again is not None:
            warnings.append(again)
        return warnings

    def replay(self, parsed: ParsedLine) -> None:
        """A line committed before a crash: report it again, change nothing."""
        for warning in self.notes(parsed):
            self.on_warning(warning)
        for error in parsed.errors:
            self.on_error(error)

    def process(self, uow: UnitOfWork, batch: Sequence[ParsedLine]) -> BatchCounts:
        """Store the batch's lines raw, then reject each or store and link its record
        (``services/ingest_batch.py``); add what it did to the report."""
        counts = process_batch(
            uow,
            BatchContext(
                load_id=self.report.load_id,
                after_line=self.report.last_line,
                actor=self.actor,
                engine=self.engine,
                rule=self.rule,
                notes=self.notes,
                on_error=self.on_error,
                on_warning=self.on_warning,
            ),
            batch,
        )
        report = self.report
        for name in _COUNTED:
            setattr(report, name, getattr(report, name) + getattr(counts, name))
        return counts


@dataclass(slots=True)
class _Statistics:
    """When a big load refreshes the planner's statistics (``STATISTICS_GROWTH``)."""

    uow_factory: UnitOfWorkFactory
    analysed_after: int = 0  # batches run when they were last refreshed

    def after_batch(self, batches: int, *, full: bool) -> None:
        """After each batch: a full batch that has grown the load enough refreshes them."""
        if full and batches >= max(1, STATISTICS_GROWTH * self.analysed_after):
            self._refresh(batches)

    def at_end(self, batches: int) -> None:
        """At the end of a load that refreshed them: once more, if batches ran since."""
        if batches > self.analysed_after > 0:
            self._refresh(batches)

    def _refresh(self, batches: int) -> None:
        with self.uow_factory() as uow:
            uow.feeds.refresh_statistics()
            uow.commit()
        self.analysed_after = batches


def load_feed(
    *,
    uow_factory: UnitOfWorkFactory,
    source: Source,
    filename: str,
    data: bytes | None = None,
    lines: Iterable[ParsedLine],
    actor: str,
    now: datetime,
    on_error: Callable[[RecordError], None] = lambda _e: None,
    on_progress: Callable[[LoadReport], None] = lambda _r: None,
    on_warning: Callable[[RecordError], None] = lambda _e: None,
    engine: MatchEngine | None = None,
    batch_size: int = BATCH_SIZE,
    rule: ShieldRule = DEFAULT_RULE,
    content_sha256: str | None = None,
) -> LoadReport:
    """Store every record raw, validate it, keep the rejected, link the accepted; audited.

    The content is named by ``data`` (its bytes, hashed here) or, for a file streamed into
    ``lines`` in constant memory, by ``content_sha256`` (its SHA-256, hex). Resumes an
    unfinished load of the same content from the same source (see the module).
    """
    if content_sha256 is None:
        if data is None:
            msg = "load_feed needs the content's bytes (data) or its SHA-256 (content_sha256)"
            raise ValueError(msg)
        content_sha256 = hashlib.sha256(data).hexdigest()
    with uow_factory() as uow:
        ensure_keys_current(uow)  # before the load is recorded: refused, it leaves no trace
        resume = uow.feeds.unfinished_load(source=source, content_sha256=content_sha256)
        if resume is None:
            report = LoadReport(
                load_id=uow.feeds.start_load(
                    source=source, filename=filename, content_sha256=content_sha256
                )
            )
            uow.commit()
        else:
            report = LoadReport.restored(resume.counts)
            report.load_id = resume.load_id
            report.resumed_after_line = resume.line
    load = _Load(
        report=report,
        filename=filename,
        actor=actor,
        engine=engine or ExactIdentifierEngine(),
        rule=rule,
        on_error=on_error,
        on_warning=on_warning,
        seen={},
    )
    batch: list[ParsedLine] = []
    batches = 0
    statistics = _Statistics(uow_factory)

    def flush() -> None:
        nonlocal batches
        if not batch:
            return
        with uow_factory() as uow:
            load.process(uow, batch)
            report.last_line = batch[-1].line
            uow.feeds.checkpoint(
                load_id=report.load_id, line=report.last_line, summary=report.counts()
            )
            uow.commit()
        batches += 1
        statistics.after_batch(batches, full=len(batch) >= batch_size)
        batch.clear()
        on_progress(report)

    for parsed in lines:
        if parsed.line <= report.resumed_after_line:
            load.replay(parsed)
            continue
        batch.append(parsed)
        if len(batch) >= batch_size:
            flush()
    flush()
    statistics.at_end(batches)
    with uow_factory() as uow:
        finish(uow, source=source, filename=filename, report=report, actor=actor, now=now)
        uow.commit()
    return report


def finish(
    uow: UnitOfWork,
    *,
    source: Source,
    filename: str,
    report: LoadReport,
    actor: str,
    now: datetime,
    **detail: str | int | float | None,
) -> None:
    """Mark the load finished with its counts, and audit it (``detail``: more to say)."""
    uow.feeds.finish_load(load_id=report.load_id, summary=report.counts())
    uow.audit.record(
        AuditEvent(
            tag=AuditTag.FEED_LOADED,
            actor=actor,
            at=now,
            detail={"source": source.value, "file": filename, **detail, **report.counts()},
        )
    )
