"""Identifier indexes hold only the rows that have one (partial: ``IS NOT NULL``).

An index over a column most rows leave empty told SQLite's planner (``sqlite_stat1``, which
counts every NULL as one value) that a value matches hundreds of thousands of rows: after a
health feed, which has no UPNs, a school feed's UPN lookups read every child (19 s for one
batch's 2,000 UPNs on a 1,000,000-child index). A partial index counts only the values, and
a lookup (``upn = ?``, ``upn IN (...)``) implies ``IS NOT NULL``, so both databases use it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

# (table, column): every index over one column that many rows leave empty.
PARTIAL = (
    ("child_search_keys", "nhs_number"),
    ("child_search_keys", "upn"),
    ("child_search_keys", "school_urn"),
    ("shield_identities", "nhs_number"),
    ("shield_identities", "upn"),
)


def upgrade() -> None:
    for table, column in PARTIAL:
        name = f"ix_{table}_{column}"
        op.drop_index(name, table_name=table)
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(name, table, [column], sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for table, column in PARTIAL:
        name = f"ix_{table}_{column}"
        op.drop_index(name, table_name=table)
        op.create_index(name, table, [column])
