"""``childindex feeds load --dry-run``: the shield impact of a feed, nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from childindex import bootstrap
from childindex.bootstrap import Container
from childindex.cli.app import app
from childindex.storage.models import Base


@pytest.fixture
def run_cli(container: Container, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    monkeypatch.setattr(bootstrap, "build", lambda *_a, **_k: container)
    return lambda *args: CliRunner().invoke(app, list(args))


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            t.name: connection.scalar(select(func.count()).select_from(t)) or 0
            for t in Base.metadata.sorted_tables
        }


def test_dry_run_reports_the_shield_impact_and_writes_nothing(
    run_cli: Callable[..., Any],
    engine: Engine,
    tmp_path: Path,
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
) -> None:
    load_health(
        [
            health_record(
                record_id="H1",
                given_name="Marlowe",
                family_name="Quennell",
                birth_date="2016-07-21",
                nhs_number="9990000026",
                sensitive=True,
            ),
            health_record(record_id="H2"),
        ]
    )
    feed = tmp_path / "health.jsonl"
    records = [
        # a near twin of the shielded child: misspelt, new address, new NHS number
        health_record(
            record_id="H9",
            given_name="Marlow",
            family_name="Quenel",
            birth_date="2016-07-21",
            nhs_number="9990000050",
            postcode="ZZ7 7QQ",
        ),
        # the shielded child's own record with a changed visible field
        health_record(
            record_id="H1",
            given_name="Marlowe",
            family_name="Quennell-Smith",
            birth_date="2016-07-21",
            nhs_number="9990000026",
            sensitive=True,
        ),
        # an unrelated update
        health_record(record_id="H2", town="Newtown"),
    ]
    feed.write_text("".join(json.dumps(r) + "\n" for r in records))
    before = _row_counts(engine)
    result = run_cli("feeds", "load", "health", str(feed), "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["dry_run"] is True, report
    assert report["shielded_gaining_near_twin"] == 1
    assert report["shielded_visible_field_changed"] == 1
    assert report["children_newly_shielded"] == 1
    assert _row_counts(engine) == before
    assert "Quenel" not in result.stdout
