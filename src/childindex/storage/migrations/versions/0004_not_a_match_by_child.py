"""Not-a-match memories by the child they name.

A merge copies every memory naming the child it retires onto the child it goes into
(ADR 0035): a record an officer said is not the merged child is not the child it joined
either. That reads the memories by child; the table's key starts with the record.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_not_a_match_child_id", "not_a_match", ["child_id"])


def downgrade() -> None:
    op.drop_index("ix_not_a_match_child_id", table_name="not_a_match")
