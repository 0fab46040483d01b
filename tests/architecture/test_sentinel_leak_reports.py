"""The sentinel-leak test, extended: every route with every method, and every CLI report,
leaks no hidden value of a shielded child to a practitioner or into a report's output."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from test_sentinel_leak import SENTINEL, _assert_clean, shielded_record
from typer.testing import CliRunner

from app_fixtures import make_health_record
from childindex import bootstrap
from childindex.bootstrap import Container
from childindex.cli.app import app as cli_app
from childindex.domain.permissions import Role
from childindex.main import create_app, iter_routes

EXACT = {"given_name": "Marlowe", "family_name": "Quennell", "birth_date": "2016-07-21"}
BODIES: dict[str, Any] = {
    "reason": f"{SENTINEL}-typed-by-test",
    "review_date": "2027-01-01",
    "message": "please pass this on",
    "contact": "practitioner desk",
    "outcome": "done",
}


@pytest.fixture
def shielded_id(
    client: TestClient,
    make_user: Callable[..., Any],
    load_health: Callable[[list[dict[str, Any]]], Any],
) -> str:
    report = load_health([make_health_record(), shielded_record(make_health_record)])
    assert report.shielded == 1
    admin = make_user(Role.ADMIN)
    found = client.get("/api/v1/children", params=EXACT, headers=admin.headers).json()
    return str(found["results"][0]["child_id"])


def test_every_route_and_method_leaks_nothing_to_a_practitioner(
    container: Container,
    client: TestClient,
    make_user: Callable[..., Any],
    shielded_id: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    practitioner = make_user(Role.PRACTITIONER, organisation="Example NHS Trust")
    for route in iter_routes(create_app(container).routes):
        if not isinstance(route, APIRoute):
            continue
        url = route.path.replace("{child_id}", shielded_id).replace("{request_id}", "1")
        for method in sorted(route.methods or ()):
            response = client.request(
                method,
                url,
                json=None if method in {"GET", "HEAD"} else BODIES,
                headers=practitioner.headers,
            )
            assert response.status_code < 500, f"{method} {route.path}: {response.text}"
            text = response.text.replace(BODIES["reason"], "")
            _assert_clean(text, f"{method} {route.path}")
            _assert_clean(str(response.headers), f"headers of {method} {route.path}")
    for record in caplog.records:
        if not record.name.startswith("httpx"):
            _assert_clean(record.getMessage(), f"log record {record.name}")


def test_every_cli_report_leaks_no_hidden_value(
    container: Container,
    client: TestClient,
    make_user: Callable[..., Any],
    shielded_id: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(bootstrap, "build", lambda *_a, **_k: container)
    officer_view = make_user(Role.ADMIN)
    client.get(f"/api/v1/children/{shielded_id}", headers=officer_view.headers)
    feed = tmp_path / "health.jsonl"
    twin = make_health_record(
        record_id="T1",
        given_name="Marlow",
        family_name="Quenel",
        birth_date="2016-07-21",
        nhs_number="9990000050",
    )
    feed.write_text(json.dumps(twin) + "\n")
    runner = CliRunner()
    for args in (
        ["shield", "reminders", "--json"],
        ["shield", "reminders"],
        ["shield", "monitor", "--json"],
        ["shield", "monitor"],
        ["feeds", "load", "health", str(feed), "--dry-run", "--json"],
        ["feeds", "load", "health", str(feed), "--dry-run"],
        ["audit", "exposure", shielded_id, "--json"],
        ["audit", "exposure", shielded_id],
    ):
        result = runner.invoke(cli_app, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), args
        _assert_clean(result.output, " ".join(args[:2]))
