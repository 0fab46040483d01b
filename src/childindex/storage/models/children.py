"""Children, the keys search runs on, and shields."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from childindex.storage.models.base import Base, ChildKey, Code, Flag, IntPk, Label, NameKey

CHILD_ACTIVE = "active"
CHILD_STATUSES = (CHILD_ACTIVE, "merged", "archived")
SHIELD_ORIGINS = ("officer", "source", "caution")
REVIEW_KINDS = ("caution",)
REVIEW_STATUSES = ("open", "confirmed", "cleared")
CONTACT_STATUSES = ("open", "closed")


def _one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    return CheckConstraint(
        "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values)), name=column
    )


class ChildRow(Base):
    """One child: ``details`` is the whole ``Child`` projection (``storage.codec``)."""

    __tablename__ = "children"
    __table_args__ = (
        _one_of("status", CHILD_STATUSES),
        # The review queue's pre-filter: shielded children by authority (routing.py).
        Index("ix_children_shielded_la_code", "shielded", "la_code"),
    )

    child_id: Mapped[ChildKey] = mapped_column(primary_key=True)
    status: Mapped[Code] = mapped_column(default=CHILD_ACTIVE, server_default=CHILD_ACTIVE)
    merged_into: Mapped[ChildKey | None] = mapped_column(ForeignKey("children.child_id"))
    la_code: Mapped[Code | None]
    shielded: Mapped[Flag]
    details: Mapped[str] = mapped_column(Text)  # sealed by storage.cipher
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


def _present(name: str, column: str) -> Index:
    """An index over the rows that have a value in ``column`` (a partial index): a column
    most rows leave empty (a UPN after a health feed) would otherwise tell SQLite's planner
    that a value matches most of the table, and it would read every row to find one."""
    where = text(f"{column} IS NOT NULL")
    return Index(name, column, sqlite_where=where, postgresql_where=where)


class SearchKeyRow(Base):
    """The normalised values search compares, one row per child, kept with the child."""

    __tablename__ = "child_search_keys"
    __table_args__ = (
        Index("ix_child_search_keys_name_dob", "family_key", "given_key", "birth_date"),
        Index("ix_child_search_keys_postcode", "postcode"),
        # Identifiers only where held (migration 0002: NULLs misled the planner).
        _present("ix_child_search_keys_nhs_number", "nhs_number"),
        _present("ix_child_search_keys_upn", "upn"),
        _present("ix_child_search_keys_school_urn", "school_urn"),
        # The shield screen (domain/shield.py): shielded or visible children by blocking key.
        Index("ix_child_search_keys_screen_dob", "shielded", "birth_date"),
        Index("ix_child_search_keys_screen_given", "shielded", "birth_year", "given_sound"),
        Index("ix_child_search_keys_screen_family", "shielded", "birth_year", "family_sound"),
        Index("ix_child_search_keys_screen_initials", "shielded", "birth_year", "initials"),
        Index("ix_child_search_keys_screen_day_month", "shielded", "birth_day_month", "sex"),
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
    # Blocking keys of the shield screen (never a hidden value: derived from name and year).
    birth_year: Mapped[int | None]
    given_sound: Mapped[str] = mapped_column(String(8), default="", server_default="")
    family_sound: Mapped[str] = mapped_column(String(8), default="", server_default="")
    initials: Mapped[str] = mapped_column(String(2), default="", server_default="")
    # Day and month of birth ("07-21") and sex (F/M, NULL unknown): a key in any year.
    birth_day_month: Mapped[str | None] = mapped_column(String(5))
    sex: Mapped[str | None] = mapped_column(String(1))


class ShieldIdentityRow(Base):
    """The screen's keys of an identity a shielded child's records carry beyond the one it
    shows (ADR 0012). Few rows: only identities unlike the one the child shows."""

    __tablename__ = "shield_identities"
    # The screen's candidate query reads each key through its own index (one select per
    # key, ``storage/repositories/shields.py``); without them a planner reads every child.
    __table_args__ = (
        Index("ix_shield_identities_child_id", "child_id"),
        Index("ix_shield_identities_birth_date", "birth_date"),
        _present("ix_shield_identities_nhs_number", "nhs_number"),
        _present("ix_shield_identities_upn", "upn"),
        Index("ix_shield_identities_postcode", "postcode"),
        Index("ix_shield_identities_given", "birth_year", "given_sound"),
        Index("ix_shield_identities_family", "birth_year", "family_sound"),
        Index("ix_shield_identities_initials", "birth_year", "initials"),
        Index("ix_shield_identities_day_month", "birth_day_month", "sex"),
    )

    id: Mapped[IntPk]
    child_id: Mapped[ChildKey] = mapped_column(ForeignKey("children.child_id", ondelete="CASCADE"))
    given_key: Mapped[NameKey]
    family_key: Mapped[NameKey]
    birth_date: Mapped[date | None]
    postcode: Mapped[str | None] = mapped_column(String(64))  # keyed digest, never in clear
    nhs_number: Mapped[str | None] = mapped_column(String(10))
    upn: Mapped[str | None] = mapped_column(String(13))
    birth_year: Mapped[int | None]
    given_sound: Mapped[str] = mapped_column(String(8))
    family_sound: Mapped[str] = mapped_column(String(8))
    initials: Mapped[str] = mapped_column(String(2))
    birth_day_month: Mapped[str | None] = mapped_column(String(5))
    sex: Mapped[str | None] = mapped_column(String(1))


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
    # How strongly the shield protects (domain/shield.py ScreenProfile.strength): 1 unless the
    # shield screen set it, when it is the chained resemblance to the child it protects.
    strength: Mapped[float] = mapped_column(Float, server_default="1")


class CautionItemRow(Base):
    """A pair of children an officer must look at. Minimal on purpose: the shield screen's
    caution items; the matching review queue can add its kinds here."""

    __tablename__ = "caution_items"
    __table_args__ = (
        _one_of("kind", REVIEW_KINDS),
        _one_of("status", REVIEW_STATUSES),
        Index("ix_caution_items_child_id", "child_id", "status"),
        Index("ix_caution_items_la_code", "la_code", "status"),
        Index("ix_caution_items_shielded_child_id", "shielded_child_id", "status"),
    )

    id: Mapped[IntPk]
    kind: Mapped[Code]
    child_id: Mapped[ChildKey] = mapped_column(ForeignKey("children.child_id"))
    shielded_child_id: Mapped[ChildKey] = mapped_column(ForeignKey("children.child_id"))
    # The authority responsible for the shielded child: only its cleared officers see this.
    la_code: Mapped[Code | None]
    score: Mapped[float] = mapped_column(Float)
    status: Mapped[Code] = mapped_column(default="open", server_default="open")
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[Label | None]


class ContactRequestRow(Base):
    """A practitioner's request for mediated contact with a shielded child, routed to the
    responsible authority's team and tracked to closure."""

    __tablename__ = "contact_requests"
    __table_args__ = (
        _one_of("status", CONTACT_STATUSES),
        Index("ix_contact_requests_la_code", "la_code", "status"),
    )

    id: Mapped[IntPk]
    child_id: Mapped[ChildKey] = mapped_column(ForeignKey("children.child_id"))
    la_code: Mapped[Code | None]  # the team it is routed to (None: the national team)
    requested_by: Mapped[Label]
    message: Mapped[str] = mapped_column(Text)  # sealed by storage.cipher
    status: Mapped[Code] = mapped_column(default="open", server_default="open")
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[Label | None]
    outcome: Mapped[str | None] = mapped_column(Text)  # sealed by storage.cipher
