"""What one source says about one child, and what is wrong with a record that was rejected."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Source(StrEnum):
    """The systems that feed the index."""

    HEALTH = "health"
    SCHOOL = "school"
    BENEFIT = "benefit"
    LA = "la"


@dataclass(frozen=True, slots=True)
class RecordError:
    """One thing wrong with one record: where (file, line, field) and what."""

    file: str
    line: int
    field: str | None
    message: str


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """A validated source record. ``payload`` holds the normalised fields in the
    contract's names (JSON-compatible values)."""

    source: Source
    record_id: str
    payload: dict[str, Any]
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class LoadCheckpoint:
    """Where an unfinished load stands: the last line whose processing is committed, and
    the load's counts at that moment. A re-run of the same content resumes from here."""

    load_id: int
    line: int
    counts: dict[str, int]


class VersionOutcome(StrEnum):
    """What storing a version of a source record did."""

    NEW = "new"  # first version of this (source, record_id)
    UPDATED = "updated"  # a newer version, now current
    UNCHANGED = "unchanged"  # identical to the current version: nothing stored
    STALE = "stale"  # older than the current version: kept as history only


@dataclass(slots=True)
class ParsedLine:
    """One record as a reader found it: the raw text, and either a record or its errors."""

    line: int
    text: str
    record: SourceRecord | None = None
    errors: list[RecordError] = field(default_factory=list)
    # Not reasons to reject (e.g. unknown extra fields, kept raw): reported beside the errors.
    warnings: list[RecordError] = field(default_factory=list)
