"""Insert-or-update in one statement, on SQLite and PostgreSQL alike.

Both speak ``INSERT ... ON CONFLICT (...) DO UPDATE``; only the statement class differs.
Statements are built once per table and dialect and reused: building SQL is what costs
most per row in a bulk load, not running it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy.dialects import postgresql, sqlite

if TYPE_CHECKING:
    from sqlalchemy import Connection, Insert

    from childindex.storage.models import Base


@cache
def upsert_statement(
    model: type[Base], dialect: str, *, key: tuple[str, ...], update: tuple[str, ...]
) -> Insert:
    """``INSERT`` into ``model``'s table; on a clash of ``key``, set the ``update`` columns
    to the values given (others, such as ``created_at``, keep their stored value)."""
    if dialect == "postgresql":
        pg = postgresql.insert(model)
        return pg.on_conflict_do_update(
            index_elements=list(key), set_={name: pg.excluded[name] for name in update}
        )
    if dialect == "sqlite":
        lite = sqlite.insert(model)
        return lite.on_conflict_do_update(
            index_elements=list(key), set_={name: lite.excluded[name] for name in update}
        )
    msg = f"storage supports SQLite and PostgreSQL, not {dialect}"
    raise ValueError(msg)


def upsert(
    connection: Connection,
    model: type[Base],
    values: dict[str, Any] | list[dict[str, Any]],
    *,
    key: tuple[str, ...],
    keep: tuple[str, ...] = (),
) -> None:
    """Insert ``values`` (one row, or several with the same columns); if a row with the
    same ``key`` exists, overwrite every column given except the key and those in ``keep``."""
    first = values[0] if isinstance(values, list) else values
    update = tuple(name for name in first if name not in key and name not in keep)
    statement = upsert_statement(model, connection.dialect.name, key=key, update=update)
    connection.execute(statement, values)
