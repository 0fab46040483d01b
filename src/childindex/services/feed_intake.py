"""Where feeds come in: loaded at once, or queued durably while updates are halted.

The CLI (``feeds load``) and the API (``POST /api/v1/feeds/{source}``) ask
:func:`queue_if_halted` first; when it returns None they load as usual
(``services.ingest.load_feed``). :func:`halt_off` loads the queue in arrival order through
that same ``load_feed`` and lifts the halt only once the queue is empty (docs/adr/0005):

- **Order.** Queueing and lifting both hold the halt lock, so a feed sent during the drain
  is queued behind the others, and a feed sent after the lift finds the queue empty.
- **Crash safety.** Before loading an item the drain starts its load and notes the load's id
  on the item, in one transaction. A drain that dies part way leaves the halt on; run again,
  it finishes that same load (``load_feed`` resumes an unfinished load of the same content
  after its checkpoint) or, if it had finished, only marks the item done. Nothing is loaded
  twice and nothing is lost.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.errors import Conflict
from childindex.domain.halt import FeedKind, QueuedFeed
from childindex.domain.shield import ShieldRule
from childindex.domain.source_record import ParsedLine, Source
from childindex.matching.ports import MatchEngine
from childindex.services import ingest
from childindex.services.operations import reason_text
from childindex.services.ports import UnitOfWorkFactory
from childindex.services.shield_screen import DEFAULT_RULE

ReadQueued = Callable[[QueuedFeed], Iterable[ParsedLine]]


@dataclass(frozen=True, slots=True)
class Queued:
    """A feed accepted during a halt: its arrival number, place in the queue and the halt's
    reason."""

    item_id: int
    position: int
    reason: str

    def message(self) -> str:
        """The one line the CLI prints and the API returns."""
        return f"queued (service halted: {self.reason})"


@dataclass(slots=True)
class DrainReport:
    """What lifting the halt did: each queued feed loaded, in order, with its counts."""

    loaded: list[tuple[QueuedFeed, ingest.LoadReport]] = field(default_factory=list)

    def items(self) -> list[dict[str, object]]:
        """One plain mapping per loaded item (for ``--json`` and the API)."""
        return [
            {
                "item": item.item_id,
                "source": item.source.value,
                "file": item.filename,
                **report.counts(),
            }
            for item, report in self.loaded
        ]


def queue_if_halted(
    *,
    uow_factory: UnitOfWorkFactory,
    source: Source,
    kind: FeedKind,
    filename: str,
    data: bytes | Callable[[], bytes],
    actor: str,
    now: datetime,
) -> Queued | None:
    """While updates are halted, keep the feed in the queue and say where; else None (the
    caller loads it at once). Queueing is audited. ``data`` may be a function giving the
    bytes, so that a file streamed when the service runs is read whole only to be queued."""
    with uow_factory() as uow:
        uow.system.lock()
        halt = uow.system.halt()
        if halt is None:
            return None
        if callable(data):
            data = data()
        item_id = uow.queue.enqueue(
            source=source, kind=kind, filename=filename, data=data, submitted_by=actor, at=now
        )
        position = uow.queue.position(item_id)
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.FEED_QUEUED,
                actor=actor,
                at=now,
                detail={
                    "source": source.value,
                    "file": filename,
                    "item": item_id,
                    "position": position,
                    "bytes": len(data),
                },
            )
        )
        uow.commit()
    return Queued(item_id=item_id, position=position, reason=halt.reason)


def _load(
    item: QueuedFeed,
    *,
    uow_factory: UnitOfWorkFactory,
    read: ReadQueued,
    engine: MatchEngine | None,
    rule: ShieldRule,
    now: datetime,
    batch_size: int,
) -> ingest.LoadReport:
    """Load one claimed item, or take the report of its load if that already finished."""
    assert item.load_id is not None  # noqa: S101 - claimed before it is loaded
    with uow_factory() as uow:
        outcome = uow.feeds.load_outcome(item.load_id)
    if outcome is not None and outcome[0]:
        report = ingest.LoadReport.restored(outcome[1])
        report.load_id = item.load_id
        return report
    return ingest.load_feed(
        uow_factory=uow_factory,
        source=item.source,
        filename=item.filename,
        data=item.data,
        lines=read(item),
        actor=item.submitted_by,
        now=now,
        engine=engine,
        rule=rule,
        batch_size=batch_size,
    )


def halt_off(
    *,
    uow_factory: UnitOfWorkFactory,
    actor: str,
    reason: str | None,
    now: datetime,
    read: ReadQueued,
    engine: MatchEngine | None = None,
    rule: ShieldRule = DEFAULT_RULE,
    batch_size: int = ingest.BATCH_SIZE,
    on_item: Callable[[QueuedFeed, ingest.LoadReport], None] = lambda _i, _r: None,
) -> DrainReport:
    """Load every queued feed in arrival order, then lift the halt; audited.

    Refused (``Conflict``) if updates are not halted. If loading fails the halt stays on and
    running this again carries on where it stopped (see the module docstring).
    """
    why = reason_text(reason, required=False)
    with uow_factory() as uow:
        if uow.system.halt() is None:
            raise Conflict("updates are not halted")
    drained = DrainReport()
    while True:
        with uow_factory() as uow:
            uow.system.lock()
            halt = uow.system.halt()
            if halt is None:  # another drain lifted it meanwhile
                return drained
            item = uow.queue.next_waiting()
            if item is None:
                uow.system.clear_halt()
                uow.audit.record(
                    AuditEvent(
                        tag=AuditTag.HALT_OFF,
                        actor=actor,
                        at=now,
                        detail={
                            "reason": why,
                            "halt_reason": halt.reason,
                            "halted_since": halt.since.isoformat(),
                            "queued_loaded": len(drained.loaded),
                        },
                    )
                )
                uow.commit()
                return drained
            if item.load_id is None:
                load_id = uow.feeds.start_load(
                    source=item.source,
                    filename=item.filename,
                    content_sha256=hashlib.sha256(item.data).hexdigest(),
                )
                uow.queue.claim(item_id=item.item_id, load_id=load_id)
                uow.commit()
                item = replace(item, load_id=load_id)
        report = _load(
            item,
            uow_factory=uow_factory,
            read=read,
            engine=engine,
            rule=rule,
            now=now,
            batch_size=batch_size,
        )
        with uow_factory() as uow:
            uow.queue.mark_done(item_id=item.item_id, report=report.counts(), at=now)
            uow.audit.record(
                AuditEvent(
                    tag=AuditTag.QUEUED_FEED_LOADED,
                    actor=actor,
                    at=now,
                    detail={
                        "item": item.item_id,
                        "source": item.source.value,
                        "file": item.filename,
                        "submitted_by": item.submitted_by,
                        **report.counts(),
                    },
                )
            )
            uow.commit()
        drained.loaded.append((item, report))
        on_item(item, report)
