"""Database fixtures for every suite that runs on a real database.

``CHILDINDEX_TEST_DATABASE_URL`` picks the dialect. A ``postgresql`` URL names a server
(its database part is ignored): each test session gets a fresh, uniquely named database
there, dropped at the end. Anything else, or nothing, means a SQLite file in a temporary
directory. The schema is always made by the real migrations.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from app_fixtures import TEST_CIPHER
from childindex.storage.database import make_engine
from childindex.storage.migrate import upgrade
from childindex.storage.models import Base
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory

TEST_DATABASE_URL = "CHILDINDEX_TEST_DATABASE_URL"


def _postgres_server() -> URL | None:
    """The PostgreSQL server tests should use, or None for SQLite."""
    configured = os.environ.get(TEST_DATABASE_URL, "")
    if not configured.startswith("postgresql"):
        return None
    server = make_url(configured)
    return (
        server.set(drivername="postgresql+psycopg") if server.drivername == "postgresql" else server
    )


@contextmanager
def _scratch_postgres_database(server: URL) -> Iterator[str]:
    """A new, empty database on ``server`` for as long as the block runs."""
    name = f"childindex_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            try:
                # A British collation, as a production server would have: tests then show
                # that search orders names the same way on PostgreSQL as on SQLite.
                connection.exec_driver_sql(
                    f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                    "LOCALE_PROVIDER icu ICU_LOCALE 'en-GB' LOCALE 'C.UTF-8'"
                )
            except DBAPIError:  # a server without ICU: its default collation will do
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@contextmanager
def _scratch_database(directory: Path) -> Iterator[str]:
    server = _postgres_server()
    if server is None:
        yield f"sqlite:///{directory / 'childindex.db'}"
        return
    with _scratch_postgres_database(server) as url:
        yield url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of this test session's database (empty until ``engine`` migrates it)."""
    with _scratch_database(tmp_path_factory.mktemp("database")) as url:
        yield url


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A further, empty database of the same dialect, for tests of migrations themselves."""
    with _scratch_database(tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the session's database, its schema made by ``storage.migrate.upgrade``."""
    upgrade(database_url)
    made = make_engine(database_url)
    yield made
    made.dispose()


def delete_all_rows(engine: Engine) -> None:
    """Empty every table, children before parents."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture(autouse=True)
def _rows_deleted_after(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every row a test wrote through the session's ``engine`` alone is deleted after it,
    as ``uow_factory`` deletes its own: a test assuming an empty index (a first load's)
    must not meet the rows of whichever test ran before it on the same worker."""
    yield
    if "engine" in request.fixturenames and "uow_factory" not in request.fixturenames:
        delete_all_rows(request.getfixturevalue("engine"))


@pytest.fixture
def uow_factory(engine: Engine) -> Iterator[SqlUnitOfWorkFactory]:
    """Units of work on the test database; every row a test wrote is deleted after it."""
    yield SqlUnitOfWorkFactory(engine, cipher=TEST_CIPHER)
    delete_all_rows(engine)
