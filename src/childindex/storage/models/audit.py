"""The append-only, hash-chained audit log, and service-wide state (such as the halt switch)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from childindex.storage.models.base import BIG_INTEGER, Base, Json, Label, Sha256


class AuditEventRow(Base):
    """One audit entry; ``hash`` covers ``prev_hash`` and the entry (``audit.chain``).

    ``seq`` is assigned by the writer holding the chain lock, not by a sequence: sequences
    skip numbers when a transaction rolls back, and a gap reads as a removed entry.
    """

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(BIG_INTEGER, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    tag: Mapped[str] = mapped_column(String(64))
    actor: Mapped[Label]
    child_ids: Mapped[list[str]]
    fields: Mapped[list[str]]
    detail: Mapped[dict[str, Any]]
    prev_hash: Mapped[Sha256]
    hash: Mapped[Sha256]


class SystemStateRow(Base):
    """A named piece of service-wide state."""

    __tablename__ = "system_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Json]
    updated_at: Mapped[datetime]
