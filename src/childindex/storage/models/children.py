"""Children, the keys search runs on, and shields."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from childindex.storage.models.base import Base, ChildKey, Code, Flag, IntPk, Label, NameKey

CHILD_ACTIVE = "active"
CHILD_STATUSES = (CHILD_ACTIVE, "merged", "archived")
SHIELD_ORIGINS = ("officer", "source")


def _one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    return CheckConstraint(
        "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values)), name=column
    )


class ChildRow(Base):
    """One child: ``details`` is the whole ``Child`` projection (``storage.codec``)."""

    __tablename__ = "children"
    __table_args__ = (_one_of("status", CHILD_STATUSES),)

    child_id: Mapped[ChildKey] = mapped_column(primary_key=True)
    status: Mapped[Code] = mapped_column(default=CHILD_ACTIVE, server_default=CHILD_ACTIVE)
    merged_into: Mapped[ChildKey | None] = mapped_column(ForeignKey("children.child_id"))
    la_code: Mapped[Code | None]
    shielded: Mapped[Flag]
    details: Mapped[str] = mapped_column(Text)  # sealed by storage.cipher
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SearchKeyRow(Base):
    """The normalised values search compares, one row per child, kept with the child."""

    __tablename__ = "child_search_keys"
    __table_args__ = (
        Index("ix_child_search_keys_name_dob", "family_key", "given_key", "birth_date"),
        Index("ix_child_search_keys_postcode", "postcode"),
        Index("ix_child_search_keys_nhs_number", "nhs_number"),
        Index("ix_child_search_keys_upn", "upn"),
        Index("ix_child_search_keys_school_urn", "school_urn"),
    )

    child_id: Mapped[ChildKey] = mapped_column(
        ForeignKey("children.child_id", ondelete="CASCADE"), primary_key=True
    )
    given_key: Mapped[NameKey]
    family_key: Mapped[NameKey]
    birth_date: Mapped[date | None]
    postcode: Mapped[str | None] = mapped_column(String(64))  # keyed digest, never in clear
    nhs_number: Mapped[str | None] = mapped_column(String(10))
    upn: Mapped[str | None] = mapped_column(String(13))
    school_urn: Mapped[Code | None]
    shielded: Mapped[Flag]
    la_code: Mapped[Code | None]


class ShieldRow(Base):
    """A shield set on a child and, once lifted, who lifted it and why."""

    __tablename__ = "shields"
    __table_args__ = (_one_of("origin", SHIELD_ORIGINS), Index("ix_shields_child_id", "child_id"))

    id: Mapped[IntPk]
    child_id: Mapped[ChildKey] = mapped_column(ForeignKey("children.child_id"))
    origin: Mapped[Code]
    reason: Mapped[str] = mapped_column(Text)
    set_by: Mapped[Label]
    set_at: Mapped[datetime]
    review_date: Mapped[date | None]
    lifted_at: Mapped[datetime | None]
    lifted_by: Mapped[Label | None]
    lift_reason: Mapped[str | None] = mapped_column(Text)
