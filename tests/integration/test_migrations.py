"""Numbered migrations: from empty they build exactly the models, with one head."""

from __future__ import annotations

import re
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from childindex.storage.database import make_engine
from childindex.storage.migrate import MIGRATIONS, alembic_config, upgrade
from childindex.storage.models import Base

REVISION_FILE = re.compile(r"^(\d{4})_[a-z0-9_]+\.py$")


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def test_upgrade_from_empty_builds_exactly_the_models(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        assert _differences(engine) == []
    finally:
        engine.dispose()


def test_downgrade_to_base_removes_every_table_and_upgrade_restores_them(
    empty_database_url: str,
) -> None:
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
        assert inspect(engine).get_table_names() == ["alembic_version"]
        engine.dispose()
        upgrade(empty_database_url)
        assert _differences(engine) == []
    finally:
        engine.dispose()


def test_upgrade_twice_changes_nothing(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        assert _differences(engine) == []
    finally:
        engine.dispose()


def test_there_is_exactly_one_head() -> None:
    assert len(_scripts().get_heads()) == 1


def test_revision_files_are_numbered_in_order_and_chained() -> None:
    files = sorted(p.name for p in (MIGRATIONS / "versions").glob("*.py"))
    numbers = []
    for name in files:
        match = REVISION_FILE.match(name)
        assert match, f"{name} is not named like 0001_what_it_does.py"
        numbers.append(int(match.group(1)))
    assert numbers == list(range(1, len(files) + 1))
    scripts = {Path(s.path).name: s for s in _scripts().walk_revisions()}
    assert sorted(scripts) == files
    previous = None
    for number, name in zip(numbers, files, strict=True):
        script = scripts[name]
        assert script.revision == f"{number:04d}"
        assert script.down_revision == previous
        previous = script.revision


def test_the_session_database_is_at_head(engine: Engine) -> None:
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    assert current == _scripts().get_current_head()


def _blocking_keys(engine: Engine) -> list[tuple[int, str]]:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT source_record_id, key FROM record_blocking_keys ORDER BY 1, 2"
        )
        return [(int(a), str(b)) for a, b in rows]


def _without_rowid(engine: Engine) -> bool:
    with engine.connect() as connection:
        sql = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'record_blocking_keys'"
        ).scalar_one()
    return "WITHOUT ROWID" in sql.upper()


def test_blocking_keys_keep_their_rows_across_0003_both_ways(empty_database_url: str) -> None:
    upgrade(empty_database_url, "0002")
    engine = make_engine(empty_database_url)
    rows = [(n // 3 + 1, f"{n:064x}") for n in range(30)]
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO source_records (id, source, record_id, shielded, created_at) "
                    "VALUES (:id, 'health', :rid, :no, :at)"
                ),
                [
                    {"id": n, "rid": f"H{n}", "no": False, "at": "2026-12-06 00:00:00"}
                    for n in range(1, 11)
                ],
            )
            connection.execute(
                text("INSERT INTO record_blocking_keys (source_record_id, key) VALUES (:r, :k)"),
                [{"r": r, "k": k} for r, k in rows],
            )
        engine.dispose()
        upgrade(empty_database_url)
        assert _blocking_keys(engine) == sorted(rows)
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            assert _without_rowid(engine)
        assert _differences(engine) == []
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0002")
        engine.dispose()
        assert _blocking_keys(engine) == sorted(rows)
        if sqlite:
            assert not _without_rowid(engine)
    finally:
        engine.dispose()
