"""What the halt tests compare: the state feeds leave behind, and ways to drive the switch."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select

from childindex.domain.halt import FeedKind
from childindex.domain.source_record import Source
from childindex.feeds.formats import read_json_body, read_queued
from childindex.services import feed_intake, ingest
from childindex.services.ports import UnitOfWork, UnitOfWorkFactory
from childindex.storage.models import (
    Base,
    FeedLoadRow,
    LinkRow,
    RawRecordRow,
    SourceRecordRow,
    VersionRow,
)


def delete_all_rows(engine: Engine) -> None:
    """Empty every table, children before parents (as ``conftest.delete_all_rows``, which a
    test module cannot import by name: ``tests/browser`` has a ``conftest`` too)."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


def body_of(records: Iterable[dict[str, Any]]) -> bytes:
    """An NDJSON body."""
    return "".join(json.dumps(r) + "\n" for r in records).encode()


@dataclass(frozen=True)
class State:
    """Everything loading feeds decides, with child IDs (random) left out."""

    children: frozenset[tuple[frozenset[tuple[str, str]], bool]]
    payloads: tuple[tuple[str, str, str], ...]
    counts: tuple[tuple[str, int], ...]


def snapshot(uow_factory: UnitOfWorkFactory, engine: Engine) -> State:
    """Which records make up each child (and whether it is shielded), every record's current
    payload, and how many rows each feed table holds."""
    with uow_factory() as uow:
        groups: dict[Any, set[tuple[str, str]]] = defaultdict(set)
        for source, record_id, child_id, _decided in uow.records.current_links():
            groups[child_id].add((str(source), record_id))
        children = frozenset(
            (frozenset(members), _shielded(uow, child_id)) for child_id, members in groups.items()
        )
        payloads = tuple(
            sorted(
                (str(s), rid, json.dumps(p, sort_keys=True))
                for s, rid, p in uow.records.all_current()
            )
        )
    with engine.connect() as connection:
        counts = tuple(
            (
                row.__tablename__,
                connection.execute(select(func.count()).select_from(row)).scalar_one(),
            )
            for row in (FeedLoadRow, RawRecordRow, SourceRecordRow, VersionRow, LinkRow)
        )
    return State(children, payloads, counts)


def _shielded(uow: UnitOfWork, child_id: Any) -> bool:
    child = uow.children.get(child_id)
    return bool(child and child.shielded)


def submit(
    uow_factory: UnitOfWorkFactory, body: bytes, *, now: datetime, actor: str = "feed"
) -> feed_intake.Queued | ingest.LoadReport:
    """Send an NDJSON health feed as the API does: queued while halted, else loaded."""
    queued = feed_intake.queue_if_halted(
        uow_factory=uow_factory,
        source=Source.HEALTH,
        kind=FeedKind.API,
        filename=f"api:{actor}",
        data=body,
        actor=actor,
        now=now,
    )
    if queued is not None:
        return queued
    return ingest.load_feed(
        uow_factory=uow_factory,
        source=Source.HEALTH,
        filename=f"api:{actor}",
        data=body,
        lines=read_json_body(body, source=Source.HEALTH, file=f"api:{actor}", now=now),
        actor=actor,
        now=now,
    )


def drain(
    uow_factory: UnitOfWorkFactory, *, now: datetime, batch_size: int = ingest.BATCH_SIZE
) -> feed_intake.DrainReport:
    """``halt off`` as an admin."""
    return feed_intake.halt_off(
        uow_factory=uow_factory,
        actor="admin",
        reason=None,
        now=now,
        read=read_queued,
        batch_size=batch_size,
    )
