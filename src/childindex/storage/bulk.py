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

from sqlalchemy import Table, bindparam, update
from sqlalchemy.exc import DBAPIError

from childindex.storage.upsert import upsert

if TYPE_CHECKING:
    from sqlalchemy import Connection, Dialect

    from childindex.storage.models import Base

_UNSET = object()
_Processor = Callable[[Any], Any]
# (dialect name, table, columns, clash) -> (statement, processors); a handful of entries.
_PLANS: dict[
    tuple[str, str, tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...]] | None],
    tuple[str, tuple[_Processor | None, ...]],
] = {}


def _plan(
    dialect: Dialect,
    model: type[Base],
    columns: tuple[str, ...],
    clash: tuple[tuple[str, ...], tuple[str, ...]] | None = None,
) -> tuple[str, tuple[_Processor | None, ...]]:
    """The statement writing ``columns`` of ``model``'s table, and each column's bind
    processor. ``clash``: (key, update): where a row's ``key`` is held already, set its
    ``update`` columns from the row given (SQLite's ``ON CONFLICT``; only
    :func:`upsert_rows` asks, and only on SQLite)."""
    key = (dialect.name, model.__tablename__, columns, clash)
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
        if clash is not None:
            on, changed = (
                [preparer.format_column(table.c[name]) for name in names] for names in clash
            )
            sets = ", ".join(f"{column} = excluded.{column}" for column in changed)
            statement += f" ON CONFLICT ({', '.join(on)}) DO UPDATE SET {sets}"
        processors = tuple(
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
        )
        plan = (statement, processors)
        _PLANS[key] = plan
    return plan


def _processed(
    processors: tuple[_Processor | None, ...], rows: Iterable[Sequence[Any]]
) -> list[list[Any]]:
    """``rows`` as the driver takes them: each value through its column's bind processor."""
    values = [list(row) for row in rows]
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
    return values


def _run(connection: Connection, statement: str, values: list[list[Any]]) -> None:
    """``statement`` once per row of ``values`` on ``connection``'s own driver connection
    (``COPY`` on PostgreSQL), a driver error raised as SQLAlchemy's."""
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


def insert_rows(
    connection: Connection,
    model: type[Base],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:
    """Insert ``rows`` (one value per name in ``columns``, in that order) into ``model``'s
    table at once, in ``connection``'s transaction."""
    statement, processors = _plan(connection.dialect, model, tuple(columns))
    values = _processed(processors, rows)
    if values:
        _run(connection, statement, values)


def upsert_rows(
    connection: Connection,
    model: type[Base],
    rows: list[dict[str, Any]],
    *,
    key: tuple[str, ...],
    keep: tuple[str, ...] = (),
) -> None:
    """``storage.upsert.upsert`` of ``rows`` (each with the same names): a row whose ``key``
    is held already has every column given set but the key and those in ``keep``. On SQLite
    the rows go to the driver as :func:`insert_rows` sends them (``INSERT ... ON CONFLICT DO
    UPDATE``); on PostgreSQL, where ``COPY`` cannot update, through SQLAlchemy's multi-row
    ``VALUES`` as ``upsert`` sends them."""
    if not rows:
        return
    if connection.dialect.name != "sqlite":
        upsert(connection, model, rows, key=key, keep=keep)
        return
    columns = tuple(rows[0])
    changed = tuple(name for name in columns if name not in key and name not in keep)
    statement, processors = _plan(connection.dialect, model, columns, (key, changed))
    _run(connection, statement, _processed(processors, ([row[n] for n in columns] for row in rows)))


def update_rows(
    connection: Connection,
    model: type[Base],
    names: tuple[str, ...],
    rows: list[dict[str, Any]],
    *,
    key: str,
) -> None:
    """Set the columns ``names`` of the row whose ``key`` is each row's ``key`` to its values
    of ``names``. On SQLite the rows go to the driver as :func:`insert_rows` sends them; on
    PostgreSQL through SQLAlchemy's ``executemany``."""
    if not rows:
        return
    table = model.__table__
    if connection.dialect.name != "sqlite":
        write = (
            update(model)
            .where(table.c[key] == bindparam("_key"))
            .values({name: bindparam(f"_new_{name}") for name in names})
        )
        connection.execute(
            write, [{"_key": row[key], **{f"_new_{n}": row[n] for n in names}} for row in rows]
        )
        return
    columns = (*names, key)
    preparer = connection.dialect.identifier_preparer
    sets = ", ".join(f"{preparer.format_column(table.c[name])} = ?" for name in names)
    where = preparer.format_column(table.c[key])
    statement = f"UPDATE {preparer.format_table(table)} SET {sets} WHERE {where} = ?"  # noqa: S608
    _, processors = _plan(connection.dialect, model, columns)  # the columns' processors
    _run(connection, statement, _processed(processors, ([row[n] for n in columns] for row in rows)))


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
