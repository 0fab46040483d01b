"""Loading a feed: raw first, each record judged on its own, then linked to a child."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.source_record import (
    ParsedLine,
    RecordError,
    Source,
    VersionOutcome,
)
from childindex.matching.exact import ExactIdentifierEngine
from childindex.matching.ports import MatchEngine, MatchKind
from childindex.services.linking import link_record
from childindex.services.ports import UnitOfWork, UnitOfWorkFactory

BATCH_SIZE = 2000


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
    unchanged: int = 0
    stale: int = 0
    warnings: int = 0

    def counts(self) -> dict[str, int]:
        """The counts as a plain mapping (for the CLI, the API and the load's record)."""
        return asdict(self)


def _process(
    *,
    uow: UnitOfWork,
    load_id: int,
    parsed: ParsedLine,
    report: LoadReport,
    actor: str,
    engine: MatchEngine,
    on_error: Callable[[RecordError], None],
    on_warning: Callable[[RecordError], None],
    seen: dict[str, int],
    filename: str,
) -> None:
    raw_id = uow.feeds.store_raw(load_id=load_id, line_no=parsed.line, text=parsed.text)
    report.read += 1
    warnings = list(parsed.warnings)
    if parsed.record is not None:
        # A later record with the same id is an update, even within one file (contract.md);
        # say so, since a source sending one record twice in a file may be a fault.
        earlier = seen.setdefault(parsed.record.record_id, parsed.line)
        if earlier != parsed.line:
            message = f"record_id also on line {earlier} of this file: loaded as a later version"
            warnings.append(RecordError(filename, parsed.line, "record_id", message))
    for warning in warnings:
        report.warnings += 1
        on_warning(warning)
    if parsed.record is None:
        uow.feeds.store_rejection(raw_id=raw_id, errors=parsed.errors)
        report.rejected += 1
        for error in parsed.errors:
            on_error(error)
        return
    report.accepted += 1
    outcome = uow.records.put_version(record=parsed.record, raw_id=raw_id)
    if outcome is VersionOutcome.UNCHANGED:
        report.unchanged += 1
    elif outcome is VersionOutcome.STALE:
        report.stale += 1
    else:
        linked = link_record(uow=uow, record=parsed.record, engine=engine, actor=actor)
        if linked.kind is MatchKind.LINK:
            report.linked += 1
        elif linked.kind is MatchKind.REVIEW:
            report.review += 1
        else:
            report.new += 1
        if linked.shielded:
            report.shielded += 1


def load_feed(
    *,
    uow_factory: UnitOfWorkFactory,
    source: Source,
    filename: str,
    data: bytes,
    lines: Iterable[ParsedLine],
    actor: str,
    now: datetime,
    on_error: Callable[[RecordError], None] = lambda _e: None,
    on_progress: Callable[[LoadReport], None] = lambda _r: None,
    on_warning: Callable[[RecordError], None] = lambda _e: None,
    engine: MatchEngine | None = None,
) -> LoadReport:
    """Store every record raw, validate it, keep the rejected, link the accepted; audited."""
    report = LoadReport()
    engine = engine or ExactIdentifierEngine()
    with uow_factory() as uow:
        report.load_id = uow.feeds.start_load(
            source=source, filename=filename, content_sha256=hashlib.sha256(data).hexdigest()
        )
        uow.commit()
    batch: list[ParsedLine] = []
    seen: dict[str, int] = {}

    def flush() -> None:
        with uow_factory() as uow:
            for parsed in batch:
                _process(
                    uow=uow,
                    load_id=report.load_id,
                    parsed=parsed,
                    report=report,
                    actor=actor,
                    engine=engine,
                    on_error=on_error,
                    on_warning=on_warning,
                    seen=seen,
                    filename=filename,
                )
            uow.commit()
        batch.clear()
        on_progress(report)

    for parsed in lines:
        batch.append(parsed)
        if len(batch) >= BATCH_SIZE:
            flush()
    flush()
    with uow_factory() as uow:
        uow.feeds.finish_load(load_id=report.load_id, summary=report.counts())
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.FEED_LOADED,
                actor=actor,
                at=now,
                detail={"source": source.value, "file": filename, **report.counts()},
            )
        )
        uow.commit()
    return report
