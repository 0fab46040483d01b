"""Feed loads and every record exactly as it was received (invariant 4: raw first)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from childindex.storage.models.base import (
    JSON_OR_NULL,
    Base,
    BigPk,
    Code,
    Flag,
    IntPk,
    Json,
    Label,
    Sha256,
)

LOAD_RUNNING = "running"
LOAD_FINISHED = "finished"
QUEUE_WAITING = "waiting"
QUEUE_DONE = "done"


class FeedLoadRow(Base):
    """One file or API batch from one source."""

    __tablename__ = "feed_loads"

    id: Mapped[IntPk]
    source: Mapped[Code]
    filename: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[Sha256]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[Code]
    summary: Mapped[Json]
    # The last line whose processing is committed: where a resumed load starts again.
    checkpoint_line: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RawRecordRow(Base):
    """One record as received, stored before anything else; the rejected keep their errors."""

    __tablename__ = "raw_records"
    __table_args__ = (UniqueConstraint("load_id", "line_no"),)

    id: Mapped[BigPk]
    load_id: Mapped[int] = mapped_column(ForeignKey("feed_loads.id"))
    line_no: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]
    rejected: Mapped[Flag]
    errors: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON_OR_NULL)


class FeedQueueRow(Base):
    """Feed content accepted while updates are halted, loaded in arrival order (``id``) when
    the halt is lifted. ``content`` is sealed like every raw record (``storage.cipher``)."""

    __tablename__ = "feed_queue"
    __table_args__ = (Index("ix_feed_queue_status_id", "status", "id"),)

    id: Mapped[BigPk]
    source: Mapped[Code]
    kind: Mapped[Code]
    filename: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    submitted_by: Mapped[Label]
    submitted_at: Mapped[datetime]
    status: Mapped[Code]
    load_id: Mapped[int | None] = mapped_column(ForeignKey("feed_loads.id"))
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON_OR_NULL)
    done_at: Mapped[datetime | None]
