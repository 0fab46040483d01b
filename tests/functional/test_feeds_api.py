"""``POST /api/v1/feeds/{source}``: the same load as the CLI, for system accounts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

import app_fixtures
from app_fixtures import make_health_record
from childindex.domain.permissions import Role
from childindex.services.ports import UnitOfWorkFactory

URL = "/api/v1/feeds/health"


@pytest.fixture
def feed_user(make_user: Callable[..., app_fixtures.TestUser]) -> app_fixtures.TestUser:
    return make_user(Role.FEED)


def test_feed_without_credentials_is_401(client: TestClient) -> None:
    assert client.post(URL, content=b"[]").status_code == 401


def test_feed_from_a_practitioner_is_403(
    client: TestClient, make_user: Callable[..., app_fixtures.TestUser]
) -> None:
    response = client.post(URL, content=b"[]", headers=make_user(Role.PRACTITIONER).headers)
    assert response.status_code == 403


def test_json_array_is_loaded_with_per_record_errors(
    client: TestClient, feed_user: app_fixtures.TestUser
) -> None:
    records = [
        make_health_record(),
        make_health_record(record_id="H2", nhs_number="9990000019"),
        make_health_record(record_id="H3", nhs_number="9990000026", hobby="chess"),
    ]
    response = client.post(URL, content=json.dumps(records), headers=feed_user.headers)
    assert response.status_code == 200
    report: dict[str, Any] = response.json()
    assert (report["read"], report["accepted"], report["rejected"], report["new"]) == (3, 2, 1, 2)
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(2, "nhs_number")]
    assert [(w["line"], w["field"]) for w in report["warning_list"]] == [(3, "hobby")]


def test_ndjson_sent_twice_changes_nothing_the_second_time(
    client: TestClient, feed_user: app_fixtures.TestUser
) -> None:
    body = "".join(json.dumps(make_health_record(record_id=f"H{n}")) + "\n" for n in range(2))
    first = client.post("/api/v1/feeds/la", content=body, headers=feed_user.headers).json()
    assert (first["accepted"], first["rejected"]) == (0, 2)  # health records lack la_code
    assert {e["field"] for e in first["errors"]} == {"la_code"}
    health = client.post(URL, content=body, headers=feed_user.headers).json()
    again = client.post(URL, content=body, headers=feed_user.headers).json()
    # Both share one NHS number: the second is linked to the first's child.
    assert (health["new"], health["linked"]) == (1, 1)
    assert (again["unchanged"], again["new"], again["linked"]) == (2, 0, 0)


@pytest.mark.parametrize("body", [b"", b"[1,", b"[\xff]"])
def test_unreadable_body_is_422_naming_the_body(
    client: TestClient, feed_user: app_fixtures.TestUser, body: bytes
) -> None:
    response = client.post(URL, content=body, headers=feed_user.headers)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "body"


def test_unknown_source_is_422_naming_the_source(
    client: TestClient, feed_user: app_fixtures.TestUser
) -> None:
    response = client.post("/api/v1/feeds/tax", content=b"[]", headers=feed_user.headers)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "source"


def test_a_feed_against_keys_of_other_rules_is_409_and_stores_nothing(
    client: TestClient, feed_user: app_fixtures.TestUser, uow_factory: UnitOfWorkFactory
) -> None:
    held = client.post(URL, content=json.dumps([make_health_record()]), headers=feed_user.headers)
    assert held.json()["new"] == 1
    with uow_factory() as uow:
        uow.system.set_keys_version("2020-01-01.older")  # as after an upgrade
        uow.commit()
        records = len(list(uow.records.all_current()))
    later = make_health_record(record_id="H2", nhs_number="9990000019")
    response = client.post(URL, content=json.dumps([later]), headers=feed_user.headers)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "stale_keys"
    assert "childindex matching reindex" in error["message"]
    with uow_factory() as uow:
        assert len(list(uow.records.all_current())) == records
