"""Sign-in security state: server-side web sessions, failed sign-ins, break-glass alerts.

Kept apart from ``accounts.py`` (users and tokens) because it changes on every request,
while users change only by administration.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from childindex.storage.models.base import Base, BigPk, ChildKey, Code, IntPk, Label, Sha256


class WebSessionRow(Base):
    """A page session; the cookie carries a random id, the table only its hash."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_username", "username"),)

    id_hash: Mapped[Sha256] = mapped_column(primary_key=True)
    username: Mapped[Label | None]
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class SignInFailureRow(Base):
    """One failed sign-in, counted per account and per client address for throttling."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_key_at", "key", "at"),)

    id: Mapped[BigPk]
    key: Mapped[str] = mapped_column(String(240))
    at: Mapped[datetime]


class RecoveryCodeRow(Base):
    """A one-time recovery code for a lost authenticator, stored only as its hash."""

    __tablename__ = "recovery_codes"
    __table_args__ = (Index("ix_recovery_codes_username", "username"),)

    id: Mapped[IntPk]
    username: Mapped[Label]
    code_hash: Mapped[Sha256]
    used_at: Mapped[datetime | None]


class BreakGlassAlertRow(Base):
    """A break-glass view of a shielded child, for the responsible team to follow up."""

    __tablename__ = "break_glass_alerts"
    __table_args__ = (Index("ix_break_glass_alerts_la_code", "la_code"),)

    id: Mapped[IntPk]
    child_id: Mapped[ChildKey]
    la_code: Mapped[Code | None]
    username: Mapped[Label]
    reason: Mapped[str] = mapped_column(String(500))
    at: Mapped[datetime]
