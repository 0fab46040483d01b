"""The declarative base and the column types every table shares.

Times are stored as UTC and always come back timezone-aware, on SQLite (which has no time
zones) as on PostgreSQL. Names used as search keys compare byte-wise on both databases, so
results are ordered the same whichever database runs them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from sqlalchemy import (
    CHAR,
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Integer,
    MetaData,
    String,
    false,
)
from sqlalchemy.dialects.postgresql import VARCHAR
from sqlalchemy.orm import DeclarativeBase, mapped_column
from sqlalchemy.types import TypeDecorator

# Constraint names are part of the schema: batch migrations on SQLite need them to be stable.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC; naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC; SQLite stores the naive UTC wall time."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            msg = "naive datetime: storage needs timezone-aware times"
            raise ValueError(msg)
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002 - the signature SQLAlchemy calls
    ) -> datetime | None:
        """Always an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# A 64-bit key on PostgreSQL; SQLite's rowid alias must be declared INTEGER to autoincrement.
BIG_INTEGER = BigInteger().with_variant(Integer(), "sqlite")
# Byte-wise ("C") collation on PostgreSQL matches SQLite's BINARY: the same order everywhere.
NAME_KEY = String(200).with_variant(VARCHAR(200, collation="C"), "postgresql")
JSON_VALUE = JSON()
JSON_OR_NULL = JSON(none_as_null=True)

IntPk = Annotated[int, mapped_column(Integer, primary_key=True)]
BigPk = Annotated[int, mapped_column(BIG_INTEGER, primary_key=True)]
BigRef = Annotated[int, mapped_column(BIG_INTEGER)]
Sha256 = Annotated[str, mapped_column(CHAR(64))]
Code = Annotated[str, mapped_column(String(32))]
Label = Annotated[str, mapped_column(String(200))]
ChildKey = Annotated[str, mapped_column(String(12))]
NameKey = Annotated[str, mapped_column(NAME_KEY)]
Flag = Annotated[bool, mapped_column(Boolean, default=False, server_default=false())]
Json = Annotated[dict[str, Any], mapped_column(JSON_VALUE)]


class Base(DeclarativeBase):
    """Base of every storage row; rows never leave the storage package."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute as is
        datetime: UtcDateTime(),
        date: Date(),
        str: String(200),
        bool: Boolean(),
        int: Integer(),
        dict[str, Any]: JSON_VALUE,
        list[str]: JSON_VALUE,
    }
