"""Users and the hashes of their API tokens."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from childindex.storage.models.base import BIG_INTEGER, Base, Code, Flag, IntPk, Label, Sha256


class UserRow(Base):
    """A vetted person or a system (feed) account."""

    __tablename__ = "users"

    id: Mapped[IntPk]
    username: Mapped[Label] = mapped_column(unique=True)
    role: Mapped[Code]
    la_code: Mapped[Code | None]
    organisation: Mapped[Label | None]
    org_kind: Mapped[Code] = mapped_column(default="other", server_default="other")
    vetting_expires: Mapped[date | None]
    password_hash: Mapped[str] = mapped_column(String(255))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # The last 30-second TOTP step accepted: a code for it or an earlier one is a replay.
    totp_last_step: Mapped[int | None] = mapped_column(BIG_INTEGER)
    suspended: Mapped[Flag]
    # Permissions granted to this person on top of their role (e.g. break-glass).
    grants: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime]


class ApiTokenRow(Base):
    """An API token, stored only as its hash."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user_id", "user_id"),)

    id: Mapped[IntPk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[Sha256] = mapped_column(unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
