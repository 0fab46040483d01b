"""Audit entries and their hash chain.

Each entry's hash covers the previous entry's hash and the entry's own canonical JSON, so
changing, removing or reordering any entry breaks every hash after it. Entries carry IDs,
tags and field *names* — never values of shielded fields.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from childindex.audit.tags import AuditTag

GENESIS = "0" * 64

JsonScalar = str | int | float | bool | None
Detail = Mapping[str, JsonScalar | list[str]]


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """Something that happened, by whom, to which children, showing which fields."""

    tag: AuditTag
    actor: str
    at: datetime
    child_ids: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    detail: Detail = field(default_factory=dict)


def canonical(event: AuditEvent) -> str:
    """The stable JSON text of ``event`` that its hash covers."""
    return json.dumps(
        {
            "tag": event.tag.value,
            "actor": event.actor,
            "at": event.at.isoformat(),
            "child_ids": list(event.child_ids),
            "fields": list(event.fields),
            "detail": dict(event.detail),
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )


def link_hash(previous: str, event: AuditEvent) -> str:
    """The hash of ``event`` chained after ``previous``."""
    return hashlib.sha256((previous + canonical(event)).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainedEntry:
    """A stored entry: its sequence number, the event and the hash recorded with it."""

    seq: int
    event: AuditEvent
    hash: str


def first_broken(entries: Iterable[ChainedEntry]) -> int | None:
    """The sequence number of the first entry whose hash does not verify, or None."""
    previous = GENESIS
    expected_seq = None
    for entry in entries:
        if expected_seq is not None and entry.seq != expected_seq:
            return entry.seq
        if link_hash(previous, entry.event) != entry.hash:
            return entry.seq
        previous = entry.hash
        expected_seq = entry.seq + 1
    return None
