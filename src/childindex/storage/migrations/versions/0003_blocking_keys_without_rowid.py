"""Blocking keys without a rowid (SQLite): two trees per key, and an index that covers.

``record_blocking_keys`` holds about seven rows of two short columns per source record. As
a rowid table SQLite kept three trees for it (the rows by rowid, the primary key, the index
by key), and a lookup by key went from the index back through the rowid for each record's
id. ``WITHOUT ROWID`` stores the rows in the primary key's tree, and the index by key then
holds ``(key, source_record_id)``: a bulk load writes two trees per key, not three, and a
candidate lookup reads only the index. The rows are copied as they are. PostgreSQL has no
rowid: nothing changes there.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

TABLE = "record_blocking_keys"
INDEX = "ix_record_blocking_keys_key"


def _rebuild(*, with_rowid: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.drop_index(INDEX, table_name=TABLE)
    op.rename_table(TABLE, f"{TABLE}_old")
    op.create_table(
        TABLE,
        sa.Column("source_record_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_record_id"],
            ["source_records.id"],
            name=op.f("fk_record_blocking_keys_source_record_id_source_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_record_id", "key", name=op.f("pk_record_blocking_keys")),
        sqlite_with_rowid=with_rowid,
    )
    # In the primary key's order: each row lands at the end of the new tree.
    op.execute(
        f"INSERT INTO {TABLE} (source_record_id, key) "  # noqa: S608 - names are constants
        f"SELECT source_record_id, key FROM {TABLE}_old ORDER BY source_record_id, key"
    )
    op.drop_table(f"{TABLE}_old")
    op.create_index(INDEX, TABLE, ["key"])


def upgrade() -> None:
    _rebuild(with_rowid=False)


def downgrade() -> None:
    _rebuild(with_rowid=True)
