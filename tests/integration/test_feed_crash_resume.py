"""Invariant 4 under ``kill -9``: a load killed at random points and re-run ends exactly as a
clean load does — same source records, versions, links, children and raw records, nothing
doubled — on whichever database the suite runs against."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from childindex.storage.cipher import new_key
from childindex.storage.models import Base
from childindex.synth import generate

KILLS = 4
SEED = 20261125

STATE_QUERIES = {
    "source_records": "SELECT s.source, s.record_id, v.version_no, s.shielded FROM source_records s"
    " LEFT JOIN source_record_versions v ON v.id = s.current_version_id",
    "versions": "SELECT s.source, s.record_id, v.version_no, v.content_hash, v.source_updated_at"
    " FROM source_record_versions v JOIN source_records s ON s.id = v.source_record_id",
    "links": "SELECT s.source, s.record_id, l.decided_by, l.ended_at IS NULL, l.end_reason"
    " FROM links l JOIN source_records s ON s.id = l.source_record_id",
    "raw": "SELECT r.line_no, r.rejected, r.errors FROM raw_records r",
    "children": "SELECT c.status, c.shielded, c.la_code, k.birth_date, k.nhs_number, k.upn"
    " FROM children c JOIN child_search_keys k ON k.child_id = c.child_id",
}
CURRENT_LINKS = (
    "SELECT l.child_id, s.source, s.record_id FROM links l"
    " JOIN source_records s ON s.id = l.source_record_id WHERE l.ended_at IS NULL"
)


def state(engine: Engine) -> dict[str, Any]:
    """The loaded state, free of what differs between equal loads (random child IDs, nonces)."""
    with engine.connect() as connection:
        found: dict[str, Any] = {
            name: sorted(tuple(map(repr, row)) for row in connection.execute(text(sql)))
            for name, sql in STATE_QUERIES.items()
        }
        groups: dict[str, set[tuple[str, str]]] = {}
        for child_id, source, record_id in connection.execute(text(CURRENT_LINKS)):
            groups.setdefault(child_id, set()).add((source, record_id))
        found["children_by_records"] = sorted(sorted(group) for group in groups.values())
    return found


def empty(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


def checkpoint(engine: Engine) -> int | None:
    """The unfinished load's checkpoint line, or None if no load is unfinished.

    Read on the pool's raw driver connection in autocommit: a plain read, which on SQLite
    takes no write lock (the application's engine begins every transaction IMMEDIATE, which
    would stall the loader and this poll in turn)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT checkpoint_line FROM feed_loads WHERE status = 'running'")
        row = cursor.fetchone()
        cursor.close()
        raw.commit()
    finally:
        raw.close()
    return None if row is None else int(row[0])


def kill_when_past(
    process: subprocess.Popen[bytes], engine: Engine, line: int, extra: float
) -> None:
    """SIGKILL the loader once its checkpoint passes ``line`` (then ``extra`` seconds later,
    so the kill lands inside a batch), or when it ends by itself."""
    try:
        while process.poll() is None:
            reached = checkpoint(engine)
            if reached is not None and reached >= line:
                time.sleep(extra)
                break
            time.sleep(0.01)
    finally:
        process.kill()  # no clean-up of any kind
        process.wait()


def test_a_load_killed_at_random_points_resumes_to_the_state_of_a_clean_load(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    if database_url.startswith("sqlite") and os.environ.get("PYTEST_XDIST_WORKER"):
        # Known gap: under pytest-xdist on SQLite the watcher here stops seeing the loader's
        # commits (the kills then never land part-way); it passes run on its own
        # (`pytest tests/integration/test_feed_crash_resume.py`) and under xdist on PostgreSQL.
        pytest.skip("SQLite: run without xdist by `make test` right after the parallel run")
    generate(1200, SEED, tmp_path)
    path = tmp_path / "health.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    # Some rejected records and a duplicate id among the good ones.
    lines[5:5] = [b"not json\n", b'{"record_id": "BAD", "sex": "Q"}\n', lines[2]]
    path.write_bytes(b"".join(lines))
    env = {
        **os.environ,
        "CHILDINDEX_DATABASE_URL": database_url,
        "CHILDINDEX_DATA_KEY": new_key(),
    }
    watcher = engine
    command = [sys.executable, "-m", "childindex", "feeds", "load", "health", str(path)]
    command += ["--json", "--batch-size", "20"]
    errors_file = Path(f"{path}.errors.jsonl")
    empty(engine)
    try:
        clean_run = subprocess.run(command, env=env, capture_output=True, check=True)
        clean_report = json.loads(clean_run.stdout)
        clean_state, clean_errors = state(engine), errors_file.read_text()
        assert clean_report["rejected"] == 2
        empty(engine)

        rng = random.Random(SEED)
        # The first kill comes as soon as the load has started; each later one a random
        # number of lines past where the previous one left the load.
        checkpoints: list[int | None] = []
        for kill in range(KILLS):
            target = 0 if kill == 0 else (checkpoint(watcher) or 0) + rng.randint(1, 60)
            process = subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            kill_when_past(process, watcher, target, rng.uniform(0.0, 0.02))
            checkpoints.append(checkpoint(watcher))
            if checkpoints[-1] is None:  # a slow machine let the load finish first
                assert process.returncode in (0, -9), process.returncode
                break
        final_run = subprocess.run(command, env=env, capture_output=True, check=True)
        final_report = json.loads(final_run.stdout)

        part_way = {line for line in checkpoints if line is not None}
        assert len(part_way) >= 2, f"too few kills landed part-way: {checkpoints}"
        assert state(engine) == clean_state
        assert errors_file.read_text() == clean_errors
        volatile = {"load_id", "resumed_after_line"}
        assert {k: v for k, v in final_report.items() if k not in volatile} == {
            k: v for k, v in clean_report.items() if k not in volatile
        }
    finally:
        empty(engine)
