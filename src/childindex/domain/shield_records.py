"""Shields and review items as the core sees them (never storage rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class ShieldOrigin(StrEnum):
    """Who or what set a shield."""

    OFFICER = "officer"  # an officer of the responsible authority, or an admin
    SOURCE = "source"  # a source's flag (health ``sensitive``, la ``shield``)
    CAUTION = "caution"  # the shield screen: the child might be a shielded child


@dataclass(frozen=True, slots=True)
class ShieldInfo:
    """One shield on a child. Its reason is for cleared officers only: never shown to
    others, never written to the audit log."""

    shield_id: int
    child_id: str
    origin: ShieldOrigin
    reason: str
    set_by: str
    set_at: datetime
    review_date: date | None
    lifted_at: datetime | None = None


class CautionStatus(StrEnum):
    """Where a review item stands."""

    OPEN = "open"
    CONFIRMED = "confirmed"  # the officer keeps the shield: it may be the shielded child
    CLEARED = "cleared"  # the officer found they are different children


@dataclass(frozen=True, slots=True)
class CautionItem:
    """A child that might be a shielded child, queued for a cleared officer of ``la_code``."""

    item_id: int
    kind: str
    child_id: str
    shielded_child_id: str
    la_code: str | None
    score: float
    status: CautionStatus
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ChildStanding:
    """A child as the review queue's visibility rule needs it, read at decision time:
    shielded or not, by what, and which authority is responsible for it."""

    child_id: str
    shielded: bool
    la_code: str | None
    caution_only: bool = False  # shielded only by the shield screen's cautions

    @property
    def gates(self) -> bool:
        """True if this child's shield decides who may know an item touching it (a caution
        shield protects the shielded child it points at, which gates its own item)."""
        return self.shielded and not self.caution_only


@dataclass(frozen=True, slots=True)
class ContactRequest:
    """A request for mediated contact with a shielded child."""

    request_id: int
    child_id: str
    la_code: str | None
    requested_by: str
    message: str
    status: str
    created_at: datetime
    closed_at: datetime | None = None
    outcome: str | None = None
