"""Many rows into one table through the driver's own ``executemany``.

A bulk load writes about a dozen rows per record; through SQLAlchemy's ``executemany`` each
row's parameters are built and type-processed one by one (``construct_params``), which cost
more than the database's own work. Here the statement's text and each column's bind
processor are worked out once per dialect, from the same types SQLAlchemy would use (so a
time is stored as ``UtcDateTime`` stores it, JSON as ``JSON`` does), and the rows go to the
driver as plain tuples: sqlite3's ``executemany`` of one ``INSERT``, and on PostgreSQL
``COPY ... FROM STDIN`` (psycopg's ``executemany`` is a round of protocol messages per row,
slower than SQLAlchemy's multi-row ``VALUES``; ``COPY`` checks the same constraints). The
cursor is the unit of work's own connection's, so the rows are in its transaction; a
driver error comes back as SQLAlchemy's (an ``IntegrityError`` stays an ``IntegrityError``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from sqlalchemy import Connection, Dialect

    from childindex.storage.models import Base

_UNSET = object()
_Processor = Callable[[Any], Any]
# (dialect name, table, columns) -> (statement, processors); a handful of entries.
_PLANS: dict[tuple[str, str, tuple[str, ...]], tuple[str, tuple[_Processor | None, ...]]] = {}


def _plan(
    dialect: Dialect, model: type[Base], columns: tuple[str, ...]
) -> tuple[str, tuple[_Processor | None, ...]]:
    key = (dialect.name, model.__tablename__, columns)
    plan = _PLANS.get(key)
    if plan is None:
        table = model.__table__
        if not isinstance(table, Table):  # pragma: no cover - every model maps a table
            msg = f"{model.__name__} is not mapped to a table"
            raise TypeError(msg)
        preparer = dialect.identifier_preparer
        names = ", ".join(preparer.format_column(table.c[name]) for name in columns)
        # Names from the model, quoted by the dialect; every value is a parameter.
        into = preparer.format_table(table)
        if dialect.name == "postgresql":
            statement = f"COPY {into} ({names}) FROM STDIN"
        else:
            marks = ", ".join("?" for _ in columns)
            statement = f"INSERT INTO {into} ({names}) VALUES ({marks})"  # noqa: S608
        processors = tuple(
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
        )
        plan = (statement, processors)
        _PLANS[key] = plan
    return plan


def insert_rows(
    connection: Connection,
    model: type[Base],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:
    """Insert ``rows`` (one value per name in ``columns``, in that order) into ``model``'s
    table at once, in ``connection``'s transaction."""
    statement, processors = _plan(connection.dialect, model, tuple(columns))
    values = [list(row) for row in rows]
    if not values:
        return
    for index, process in enumerate(processors):
        if process is None:
            continue
        # A value shared by every row (the batch's time) is processed once, not per row.
        last: object = _UNSET
        done: Any = None
        for row in values:
            value = row[index]
            if value is not last:
                last, done = value, process(value)
            row[index] = done
    dbapi = connection.dialect.loaded_dbapi
    cursor = connection.connection.cursor()
    try:
        if connection.dialect.name == "postgresql":
            with cursor.copy(statement) as copy:
                for row in values:
                    copy.write_row(row)
        else:
            cursor.executemany(statement, values)
    except dbapi.Error as exc:
        raise DBAPIError.instance(statement, None, exc, dbapi.Error) from exc
    finally:
        cursor.close()


T = TypeVar("T")
# Values bound in one statement (``IN (...)``): well under SQLite's and PostgreSQL's limits on
# bound parameters.
VALUES_PER_STATEMENT = 5_000


def in_chunks(values: Sequence[T], size: int = VALUES_PER_STATEMENT) -> Iterator[Sequence[T]]:
    """``values`` in consecutive slices of at most ``size``, for one statement each."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def expect(prepared: object, kind: type[T]) -> T:
    """``prepared`` (rows a repository worked out ahead of writing them), checked to be
    of the ``kind`` the writing repository works out."""
    if not isinstance(prepared, kind):
        msg = f"rows worked out for another write: {type(prepared).__name__}, not {kind.__name__}"
        raise TypeError(msg)
    return prepared
