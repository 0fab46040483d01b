"""The ``cli`` fixture: ``python -m childindex`` run as an operator runs it, on the test
database, in a directory of its own. Loaded for every test directory as a plugin (``-p
cli_runner`` in ``pyproject.toml``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from childindex.services.ports import UnitOfWorkFactory


@pytest.fixture
def cli(
    database_url: str, uow_factory: UnitOfWorkFactory, tmp_path: Path
) -> object:  # uow_factory: the test database is emptied after the test
    """Run ``python -m childindex`` against the test database."""

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHILDINDEX_")}
        env["CHILDINDEX_DATABASE_URL"] = database_url
        return subprocess.run(
            [sys.executable, "-m", "childindex", *args],
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,
        )

    return run
