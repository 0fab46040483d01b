"""``insert_rows``: every row stored as given, through the driver (``executemany`` on
SQLite, ``COPY`` on PostgreSQL), and a bad row fails the call as SQLAlchemy's error."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from childindex.storage.bulk import insert_rows
from childindex.storage.models import PostcodeAreaRow

AT = datetime(2026, 12, 6, 1, 2, 3, tzinfo=UTC)
COLUMNS = ("postcode_district", "la_code", "loaded_at")


def _rows(count: int) -> list[tuple[str, str, datetime]]:
    return [(f"{n:04d}", f"E{n % 7:08d}", AT) for n in range(count)]


@pytest.mark.parametrize("count", [0, 1, 2, 2_001])
def test_every_row_is_stored_as_given(engine: Engine, count: int) -> None:
    rows = _rows(count)
    with engine.connect() as connection, connection.begin() as transaction:
        insert_rows(connection, PostcodeAreaRow, COLUMNS, rows)
        stored = connection.execute(
            select(
                PostcodeAreaRow.postcode_district,
                PostcodeAreaRow.la_code,
                PostcodeAreaRow.loaded_at,
            )
        ).all()
        transaction.rollback()
    assert sorted((a, b, c.astimezone(UTC)) for a, b, c in stored) == rows


def test_a_bad_row_fails_the_call(engine: Engine) -> None:
    rows = _rows(1_000)
    rows.append(rows[0])  # the same district twice
    with engine.connect() as connection, connection.begin() as transaction:
        with pytest.raises(IntegrityError):
            insert_rows(connection, PostcodeAreaRow, COLUMNS, rows)
        transaction.rollback()
