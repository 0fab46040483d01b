"""Source records, every version of each, and their links to children (with history)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from childindex.storage.models.base import (
    BIG_INTEGER,
    Base,
    BigPk,
    BigRef,
    ChildKey,
    Code,
    Flag,
    IntPk,
    Label,
    Sha256,
)

LINK_DECISIONS = ("identifier", "score", "officer", "new")


class SourceRecordRow(Base):
    """What one source says about one child, keyed by (source, the source's record id)."""

    __tablename__ = "source_records"
    __table_args__ = (UniqueConstraint("source", "record_id"),)

    id: Mapped[IntPk]
    source: Mapped[Code]
    record_id: Mapped[Label]
    # The versions table refers back here, so this side of the cycle is added after both
    # tables exist; deleting a version (a purge) leaves the record without a current one.
    current_version_id: Mapped[int | None] = mapped_column(
        BIG_INTEGER, ForeignKey("source_record_versions.id", use_alter=True, ondelete="SET NULL")
    )
    # Only ever gains: set by a source's flag or by linking to a shielded child. A record
    # of history: no shield is decided by it (the child's own flag and its records'
    # current versions are), so it stays set after an officer lifts the child's shield.
    shielded: Mapped[Flag]
    created_at: Mapped[datetime]


class VersionRow(Base):
    """One version of a source record, pointing at the raw record it came from."""

    __tablename__ = "source_record_versions"
    __table_args__ = (UniqueConstraint("source_record_id", "version_no"),)

    id: Mapped[BigPk]
    source_record_id: Mapped[int] = mapped_column(ForeignKey("source_records.id"))
    version_no: Mapped[int]
    raw_id: Mapped[BigRef] = mapped_column(ForeignKey("raw_records.id"))
    payload: Mapped[str] = mapped_column(Text)  # sealed by storage.cipher
    content_hash: Mapped[Sha256]
    source_updated_at: Mapped[datetime | None]
    stored_at: Mapped[datetime]


class LinkRow(Base):
    """Source record -> child, how it was decided, by whom; ended links stay as history."""

    __tablename__ = "links"
    __table_args__ = (
        CheckConstraint(
            "decided_by IN ({})".format(", ".join(f"'{d}'" for d in LINK_DECISIONS)),
            name="decided_by",
        ),
        # At most one current link per source record, on both databases.
        Index(
            "uq_links_current",
            "source_record_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        # Serves a child's current links (child_id, ended_at IS NULL) and its whole history;
        # PostgreSQL picks it even before a young table has statistics.
        Index("ix_links_child_id_ended_at", "child_id", "ended_at"),
    )

    id: Mapped[BigPk]
    source_record_id: Mapped[int] = mapped_column(ForeignKey("source_records.id"))
    child_id: Mapped[ChildKey] = mapped_column(ForeignKey("children.child_id"))
    decided_by: Mapped[Code]
    actor: Mapped[Label]
    score: Mapped[float | None] = mapped_column(Float)
    decided_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[Label | None]


class BlockingKeyRow(Base):
    """One blocking key of a source record (``matching/blocking.py``): online matching finds
    candidate records, and through their live links candidate children, by these keys.

    On SQLite the rows live in the primary key's own tree (``WITHOUT ROWID``; why: migration
    0003)."""

    __tablename__ = "record_blocking_keys"
    __table_args__ = (Index("ix_record_blocking_keys_key", "key"), {"sqlite_with_rowid": False})

    source_record_id: Mapped[int] = mapped_column(
        ForeignKey("source_records.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
