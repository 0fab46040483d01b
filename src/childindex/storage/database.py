"""Engines for the one database URL setting: a SQLite file (the default) or PostgreSQL.

SQLite is tuned for a service with one writer at a time: write-ahead logging so readers
never wait, foreign keys enforced, and every transaction begun ``IMMEDIATE`` so it takes
the write lock up front and waits (``busy_timeout``) rather than failing half way with
``database is locked`` when another unit of work committed first::

    >>> engine = make_engine("sqlite:///var/childindex.db")  # doctest: +SKIP
    >>> engine = make_engine("postgresql+psycopg://app@db.example/childindex")  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy.pool import ConnectionPoolEntry

BUSY_TIMEOUT_MS = 30_000
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
    # 64 MiB of page cache (the default is 2 MiB): a big load touches indexes all over.
    "PRAGMA cache_size=-65536",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; a bare ``postgresql://`` URL uses the psycopg 3 driver.

    For a SQLite file the parent directory is created if it is missing.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_engine(url: URL) -> Engine:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    event.listen(engine, "connect", _configure_sqlite)
    event.listen(engine, "begin", _begin_immediate)
    return engine


def _configure_sqlite(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    # Turn off the driver's own transaction handling: ``_begin_immediate`` emits BEGIN, so
    # savepoints and transactional DDL work and the write lock is taken at the start.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")
