"""Review items waiting for an officer, and remembered not-a-match decisions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from childindex.storage.models.base import Base, ChildKey, Code, IntPk, Json, Label


class ReviewItemRow(Base):
    """A record and a candidate child between the review and link thresholds."""

    __tablename__ = "review_items"
    __table_args__ = (
        Index("ix_review_items_la_code_status", "la_code", "status"),
        # The queue's pre-filter reaches items from their shielded sides (routing.py).
        Index("ix_review_items_record_child_id", "record_child_id", "status"),
        Index("ix_review_items_candidate_child_id", "candidate_child_id", "status"),
    )

    id: Mapped[IntPk]
    source_record_id: Mapped[int] = mapped_column(ForeignKey("source_records.id"))
    record_child_id: Mapped[ChildKey] = mapped_column(ForeignKey("children.child_id"))
    candidate_child_id: Mapped[ChildKey] = mapped_column(ForeignKey("children.child_id"))
    probability: Mapped[float] = mapped_column(Float)
    weights: Mapped[Json]
    la_code: Mapped[Code | None]
    status: Mapped[Code]
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[Label | None]


class NotAMatchRow(Base):
    """An officer said this record is not this child: never proposed again."""

    __tablename__ = "not_a_match"
    # A merge finds the memories naming the child it retires (ADR 0035).
    __table_args__ = (Index("ix_not_a_match_child_id", "child_id"),)

    source_record_id: Mapped[int] = mapped_column(ForeignKey("source_records.id"), primary_key=True)
    child_id: Mapped[ChildKey] = mapped_column(ForeignKey("children.child_id"), primary_key=True)
    actor: Mapped[Label]
    decided_at: Mapped[datetime]
