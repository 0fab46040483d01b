"""``childindex export links``: every current link as CSV, audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from childindex import bootstrap
from childindex.audit.tags import AuditTag
from childindex.bootstrap import Container
from childindex.cli.app import app
from childindex.services import export
from childindex.services.ingest import LoadReport

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def test_export_lists_every_current_link_once_and_is_audited(
    container: Container,
    load_health: Callable[[list[dict[str, Any]]], LoadReport],
    health_record: Callable[..., dict[str, Any]],
) -> None:
    load_health(
        [
            health_record(record_id="H1"),
            health_record(record_id="H2", nhs_number="9990000026", given_name="Zed"),
        ]
    )
    buffer = io.StringIO()
    count = export.export_links(uow=container.uow_factory(), out=buffer, actor="tester", now=NOW)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert count == 2
    assert [r["record_id"] for r in rows] == ["H1", "H2"]
    assert {r["source"] for r in rows} == {"health"}
    assert all(r["decided_by"] == "new" for r in rows)
    assert rows[0]["child_id"] != rows[1]["child_id"]
    with container.uow_factory() as uow:
        tags = [entry.event.tag for entry in uow.audit.entries()]
    assert AuditTag.LINKS_EXPORTED in tags


def test_export_links_command_writes_the_csv(
    container: Container,
    load_health: Callable[[list[dict[str, Any]]], LoadReport],
    health_record: Callable[..., dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    load_health([health_record(record_id="H1")])
    monkeypatch.setattr(bootstrap, "build", lambda: container)
    target = tmp_path / "links.csv"
    result = CliRunner().invoke(app, ["export", "links", "--out", str(target), "--json"])
    assert result.exit_code == 0, result.output
    lines = target.read_text().splitlines()
    assert lines[0] == "source,record_id,child_id,decided_by"
    assert len(lines) == 2
    assert lines[1].startswith("health,H1,")
