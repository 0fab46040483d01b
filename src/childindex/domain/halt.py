"""The halt switch: while on, updates are paused, feeds are queued, edits are refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from childindex.domain.source_record import Source

MAX_REASON = 2000


class FeedKind(StrEnum):
    """How queued content arrived, and so which reader reads it back."""

    FILE = "file"  # ``childindex feeds load``: a feed file in the source's format
    API = "api"  # ``POST /api/v1/feeds/{source}``: NDJSON or a JSON array


@dataclass(frozen=True, slots=True)
class HaltState:
    """Updates are halted: since when, by whom and why."""

    reason: str
    set_by: str
    since: datetime


@dataclass(frozen=True, slots=True)
class QueuedFeed:
    """Feed content accepted during a halt, waiting to be loaded in arrival order.

    ``item_id`` is the arrival sequence. ``load_id`` is the load claimed for it when the
    queue is drained (so a resumed drain finishes that load instead of starting another).
    """

    item_id: int
    source: Source
    kind: FeedKind
    filename: str
    data: bytes
    submitted_by: str
    submitted_at: datetime
    load_id: int | None
