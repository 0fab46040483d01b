"""``childindex shield reminders`` and ``shield monitor`` through the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from typer.testing import CliRunner

from childindex import bootstrap
from childindex.bootstrap import Container
from childindex.cli.app import app
from childindex.domain.source_record import Source


@pytest.fixture
def cli(container: Container, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Run ``childindex`` against the test database."""
    monkeypatch.setattr(bootstrap, "build", lambda *_a, **_k: container)
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(app, list(args))

    return run


def test_reminders_list_shields_never_reviewed_without_their_reasons(
    cli: Callable[..., Any],
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
) -> None:
    load_health([health_record(sensitive=True)])
    result = cli("shield", "reminders", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["count"] == 1
    assert body["due"][0]["origin"] == "source"
    assert "flagged" not in result.output  # the reason stays in the shields table


def test_reminders_are_empty_when_nothing_is_shielded(cli: Callable[..., Any]) -> None:
    result = cli("shield", "reminders", "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["count"] == 0


def test_monitor_exits_zero_when_no_visible_child_might_be_a_shielded_one(
    cli: Callable[..., Any],
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
) -> None:
    load_health(
        [
            health_record(record_id="H1", sensitive=True),
            health_record(
                record_id="H2",
                given_name="Oliver",
                family_name="Smith",
                nhs_number="9990000034",
                postcode="ZZ2 2BB",
            ),
        ]
    )
    result = cli("shield", "monitor", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["shielded"] == 1


def test_monitor_reports_a_visible_near_twin_and_exits_non_zero(
    cli: Callable[..., Any],
    container: Container,
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
) -> None:
    load_health(
        [
            health_record(record_id="H1", sensitive=True),
            health_record(record_id="H2", given_name="Amarah", nhs_number="9990000034"),
        ]
    )
    # A twin made visible behind the write paths' back (as a rule change could leave one).
    with container.uow_factory() as uow:
        twin_id = uow.records.linked_child(source=Source.HEALTH, record_id="H2")
        assert twin_id is not None
        twin = uow.children.get(twin_id)
        assert twin is not None
        assert twin.shielded, "the screen must have shielded it"
        uow.children.save(replace(twin, shielded=False))
        uow.commit()
    result = cli("shield", "monitor", "--json")
    assert result.exit_code == 1, result.output
    hits = json.loads(result.stdout)["hits"]
    assert "might be shielded children" in result.stderr
    assert [h["child_id"] for h in hits] == [str(twin_id)]
