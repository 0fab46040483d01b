"""Loading a feed: raw first, each record judged on its own, then linked to a child."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.ids import ChildId
from childindex.domain.source_record import (
    ParsedLine,
    RecordError,
    Source,
    SourceRecord,
    VersionOutcome,
)
from childindex.domain.survivorship import project
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

    def counts(self) -> dict[str, int]:
        """The counts as a plain mapping (for the CLI, the API and the load's record)."""
        return asdict(self)


def _link(uow: UnitOfWork, record: SourceRecord, report: LoadReport, actor: str) -> None:
    """Link ``record`` to a child by exact NHS number, or start a new child; refresh it."""
    child_id = uow.records.linked_child(source=record.source, record_id=record.record_id)
    if child_id is None:
        nhs = record.payload.get("nhs_number")
        child_id = uow.children.by_nhs_number(nhs) if nhs else None
        if child_id is not None:
            uow.records.link(
                source=record.source,
                record_id=record.record_id,
                child_id=child_id,
                decided_by="identifier",
                actor=actor,
            )
            report.linked += 1
        else:
            child_id = ChildId.new()
            # The child row must exist before the link refers to it.
            uow.children.save(project(child_id, [record], shielded=False))
            uow.records.link(
                source=record.source,
                record_id=record.record_id,
                child_id=child_id,
                decided_by="new",
                actor=actor,
            )
            report.new += 1
    else:
        report.linked += 1
    existing = uow.children.get(child_id)
    child = project(
        child_id,
        uow.records.current_records(child_id),
        shielded=existing.shielded if existing else False,
    )
    uow.children.save(child)
    if child.shielded:
        report.shielded += 1


def _process(
    *,
    uow: UnitOfWork,
    load_id: int,
    parsed: ParsedLine,
    report: LoadReport,
    actor: str,
    on_error: Callable[[RecordError], None],
) -> None:
    raw_id = uow.feeds.store_raw(load_id=load_id, line_no=parsed.line, text=parsed.text)
    report.read += 1
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
        _link(uow, parsed.record, report, actor)


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
) -> LoadReport:
    """Store every record raw, validate it, keep the rejected, link the accepted; audited."""
    report = LoadReport()
    with uow_factory() as uow:
        report.load_id = uow.feeds.start_load(
            source=source, filename=filename, content_sha256=hashlib.sha256(data).hexdigest()
        )
        uow.commit()
    batch: list[ParsedLine] = []

    def flush() -> None:
        with uow_factory() as uow:
            for parsed in batch:
                _process(
                    uow=uow,
                    load_id=report.load_id,
                    parsed=parsed,
                    report=report,
                    actor=actor,
                    on_error=on_error,
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
