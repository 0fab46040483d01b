"""Key rotation: re-seal every sealed value with the current data key and recompute every
keyed digest (postcode search keys, payload content hashes, records' blocking keys) under it.

Run with the new key as ``CHILDINDEX_DATA_KEY`` and the old one in
``CHILDINDEX_RETIRED_DATA_KEYS``; afterwards the old key can be destroyed. One transaction:
a failure changes nothing. On SQLite the file is vacuumed and its WAL truncated so that no
page still holds a value sealed with the old key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, bindparam, delete, insert, select, update

from childindex.matching.blocking import index_keys, keys_version
from childindex.matching.features import features_of
from childindex.storage.cipher import FieldCipher
from childindex.storage.clock import utc_now
from childindex.storage.codec import child_from_json
from childindex.storage.models import (
    BlockingKeyRow,
    ChildRow,
    ContactRequestRow,
    RawRecordRow,
    SearchKeyRow,
    SourceRecordRow,
    VersionRow,
)
from childindex.storage.repositories.children import search_keys
from childindex.storage.repositories.records import blocking_digests, payload_hash
from childindex.storage.repositories.system import record_keys_version

# Every sealed column: (table's primary key, the sealed column).
SEALED: tuple[tuple[Any, Any], ...] = (
    (RawRecordRow.id, RawRecordRow.text),
    (VersionRow.id, VersionRow.payload),
    (ChildRow.child_id, ChildRow.details),
    (ContactRequestRow.id, ContactRequestRow.message),
    (ContactRequestRow.id, ContactRequestRow.outcome),
)
BATCH = 1000


def _reseal(connection: Any, cipher: FieldCipher, key: Any, column: Any) -> int:
    rows = connection.execute(
        select(key, column).where(
            column.is_not(None), ~column.startswith(f"v1.{cipher.current_id}.")
        )
    ).all()
    statement = (
        update(column.class_)
        .where(key == bindparam("k"))
        .values({column.key: bindparam("v")})
        .execution_options(synchronize_session=False)
    )
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        connection.execute(
            statement, [{"k": k, "v": cipher.seal(cipher.open(token))} for k, token in chunk]
        )
    return len(rows)


def _digests(connection: Any, cipher: FieldCipher) -> tuple[int, int]:
    versions = connection.execute(select(VersionRow.id, VersionRow.payload)).all()
    hashed = (
        update(VersionRow)
        .where(VersionRow.id == bindparam("k"))
        .values(content_hash=bindparam("h"))
    )
    for start in range(0, len(versions), BATCH):
        chunk = versions[start : start + BATCH]
        connection.execute(
            hashed,
            [{"k": k, "h": payload_hash(cipher.open_json(p), cipher)} for k, p in chunk],
        )
    children = connection.execute(select(ChildRow.details)).scalars().all()
    keyed = (
        update(SearchKeyRow)
        .where(SearchKeyRow.child_id == bindparam("k"))
        .values(postcode=bindparam("p"))
    )
    for start in range(0, len(children), BATCH):
        chunk = [child_from_json(cipher.open_json(d)) for d in children[start : start + BATCH]]
        rows = [search_keys(child, cipher) for child in chunk]
        connection.execute(keyed, [{"k": r["child_id"], "p": r["postcode"]} for r in rows])
    return len(versions), len(children)


def reblock(connection: Any, cipher: FieldCipher) -> int:
    """Recompute the blocking keys of every record that has them, from its current version,
    under ``cipher``'s current key and today's rules (``matching/blocking.py``); return how
    many records. Keys made under another data key or other rules are never found again, so
    every later record of a held child that they alone would find becomes a new child.
    Reads ``BATCH`` records at a time, in record order; then records the rules' version
    (``services/key_rules.py``), so matching runs again."""
    keyed = select(BlockingKeyRow.source_record_id).distinct()
    page = (
        select(SourceRecordRow.id, VersionRow.payload)
        .join(VersionRow, VersionRow.id == SourceRecordRow.current_version_id)
        .where(SourceRecordRow.id.in_(keyed), SourceRecordRow.id > bindparam("after"))
        .order_by(SourceRecordRow.id)
        .limit(BATCH)
    )
    done, after = 0, 0
    while chunk := connection.execute(page, {"after": after}).all():
        ids = [k for k, _ in chunk]
        connection.execute(delete(BlockingKeyRow).where(BlockingKeyRow.source_record_id.in_(ids)))
        keys = [
            {"source_record_id": k, "key": digest}
            for k, payload in chunk
            for digest in sorted(
                blocking_digests(index_keys(features_of(cipher.open_json(payload))), cipher)
            )
        ]
        if keys:
            connection.execute(insert(BlockingKeyRow), keys)
        done, after = done + len(chunk), ids[-1]
    record_keys_version(connection, keys_version(), at=utc_now())
    return done


def rotate(
    engine: Engine, cipher: FieldCipher, *, on_progress: Callable[[str], None] = lambda _s: None
) -> dict[str, int]:
    """Re-seal everything with ``cipher``'s current key; return counts per column."""
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        for key, column in SEALED:
            on_progress(f"{column.class_.__tablename__}.{column.key}")
            counts[f"{column.class_.__tablename__}.{column.key}"] = _reseal(
                connection, cipher, key, column
            )
        on_progress("keyed digests")
        counts["versions_rehashed"], counts["search_keys_rekeyed"] = _digests(connection, cipher)
        counts["records_reblocked"] = reblock(connection, cipher)
    if engine.dialect.name == "sqlite":
        _compact_sqlite(engine)
    return counts


def reindex(engine: Engine, cipher: FieldCipher) -> int:
    """``reblock`` in one transaction (after an upgrade that changes the blocking rules or
    the nickname table); return how many records."""
    with engine.begin() as connection:
        return reblock(connection, cipher)


def _compact_sqlite(engine: Engine) -> None:
    """Rewrite the file without free pages (which may still hold old ciphertext)."""
    raw = engine.raw_connection()
    try:
        raw.commit()
        sqlite = raw.driver_connection
        assert sqlite is not None  # noqa: S101 - a live pooled connection always has one
        sqlite.execute("VACUUM")
        sqlite.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
