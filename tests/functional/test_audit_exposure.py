"""``childindex audit exposure CHILD_ID``: who was shown which non-public fields."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from childindex import bootstrap
from childindex.bootstrap import Container
from childindex.cli.app import app
from childindex.domain.permissions import Role
from shield_fixtures import la_record, load_la


def test_exposure_lists_each_user_shown_non_public_fields_and_only_them(
    container: Container,
    client: TestClient,
    make_user: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bootstrap, "build", lambda *_a, **_k: container)
    load_la(
        container,
        [la_record(record_id="L1", la_code="901", shield={"reason": "refuge"})],
    )
    officer = make_user(Role.LA_OFFICER, la_code="901", username="officer-901")
    practitioner = make_user(Role.PRACTITIONER, username="nurse-1")
    params = {"given_name": "Amara", "family_name": "Okafor", "birth_date": "2015-03-14"}
    child_id = client.get("/api/v1/children", params=params, headers=officer.headers).json()[
        "results"
    ][0]["child_id"]
    assert client.get(f"/api/v1/children/{child_id}", headers=officer.headers).status_code == 200
    client.get(f"/api/v1/children/{child_id}", headers=practitioner.headers)
    result = CliRunner().invoke(app, ["audit", "exposure", child_id, "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["exposures"]
    assert [r["username"] for r in rows] == ["officer-901"]
    assert "address" in rows[0]["fields"]
    assert rows[0]["shielded_at_the_time"] is True
    assert rows[0]["path"] == "child record"


def test_exposure_of_a_malformed_child_id_fails_with_a_reason(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bootstrap, "build", lambda *_a, **_k: container)
    result = CliRunner().invoke(app, ["audit", "exposure", "NOT-AN-ID"])
    assert result.exit_code == 1
    assert "error:" in result.output
