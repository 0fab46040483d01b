"""The command line refuses default secrets outside dev mode, with a one-line reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from childindex.config import DEV_DATA_KEY, DEV_SECRET_KEY, InsecureSettings, Settings
from childindex.storage.cipher import new_key


def _run(env: dict[str, str], tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CHILDINDEX_")}
    return subprocess.run(
        [sys.executable, "-m", "childindex", *args],
        env={**clean, "CHILDINDEX_DATABASE_URL": f"sqlite:///{tmp_path}/x.db", **env},
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )


def test_production_mode_with_the_default_secret_key_refuses_to_start(tmp_path: Path) -> None:
    done = _run({"CHILDINDEX_MODE": "production"}, tmp_path, "db", "upgrade")
    assert done.returncode == 2
    assert (
        done.stderr.strip() == "error: settings: CHILDINDEX_SECRET_KEY must be set outside dev mode"
    )
    assert not (tmp_path / "x.db").exists()


def test_production_mode_with_real_secrets_runs(tmp_path: Path) -> None:
    env = {
        "CHILDINDEX_MODE": "production",
        "CHILDINDEX_SECRET_KEY": "s" * 40,
        "CHILDINDEX_DATA_KEY": new_key(),
    }
    done = _run(env, tmp_path, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "x.db").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({}, "CHILDINDEX_SECRET_KEY"),
        ({"secret_key": "s" * 40}, "CHILDINDEX_DATA_KEY"),
        ({"secret_key": "s" * 40, "data_key": DEV_DATA_KEY}, "dev key"),
    ],
)
def test_settings_refuse_each_default_secret_outside_dev(
    overrides: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        Settings(mode="production", **overrides)  # type: ignore[arg-type]
    assert isinstance(caught.value, ValueError)


def test_dev_mode_accepts_the_defaults_and_secrets_stay_out_of_repr() -> None:
    settings = Settings(mode="dev")
    assert DEV_SECRET_KEY not in repr(settings)
    assert settings.data_key_bytes() == DEV_DATA_KEY
    assert issubclass(InsecureSettings, ValueError)
