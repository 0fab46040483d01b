"""Numbered migrations: from empty they build exactly the models, with one head."""

from __future__ import annotations

import re
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

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
