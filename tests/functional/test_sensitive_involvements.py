"""Sensitive involvements (sexual health, mental health, substance misuse) are shown only with
consent recorded by the source (``consent_to_share`` on an la feed involvement)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app_fixtures import FIXED_NOW
from childindex.bootstrap import Container
from childindex.domain.permissions import Role
from childindex.domain.source_record import Source
from childindex.feeds.la import read_la
from childindex.services import ingest
from shield_fixtures import la_record

CLINIC = {
    "service_type": "sexual health",
    "organisation": "Example Clinic",
    "practitioner_name": "Robin Vale",
    "phone": "01632 960111",
    "sensitive": True,
}
SOCIAL_CARE = {"service_type": "children's social care", "organisation": "Example Council"}


def _load(container: Container, *records: dict[str, Any], name: str) -> ingest.LoadReport:
    data = "".join(json.dumps(r) + "\n" for r in records).encode()
    return ingest.load_feed(
        uow_factory=container.uow_factory,
        source=Source.LA,
        filename=name,
        data=data,
        lines=read_la(data, file=name, now=FIXED_NOW),
        actor="test",
        now=FIXED_NOW,
    )


def _services(client: TestClient, headers: dict[str, str], child_id: str) -> list[str]:
    response = client.get(f"/api/v1/children/{child_id}", headers=headers)
    assert response.status_code == 200, response.text
    return [i["service_type"] for i in response.json().get("involvements", [])]


@pytest.fixture
def child_id(container: Container) -> str:
    report = _load(
        container,
        la_record(record_id="L1", involvements=[SOCIAL_CARE, CLINIC], updated_at="2026-01-01"),
        name="la-1.jsonl",
    )
    assert report.accepted == 1
    with container.uow_factory() as uow:
        found = uow.records.linked_child(source=Source.LA, record_id="L1")
    assert found is not None
    return str(found)


def test_without_consent_a_sensitive_involvement_is_absent_for_everyone(
    client: TestClient, make_user: Callable[..., Any], child_id: str
) -> None:
    for user in (make_user(Role.PRACTITIONER), make_user(Role.LA_OFFICER, la_code="901")):
        response = client.get(f"/api/v1/children/{child_id}", headers=user.headers)
        assert _services(client, user.headers, child_id) == ["children's social care"]
        for hidden in ("sexual health", "Example Clinic", "Robin Vale", "01632 960111"):
            assert hidden not in response.text


def test_consent_recorded_by_the_source_shows_it_and_withdrawing_consent_hides_it_again(
    client: TestClient, container: Container, make_user: Callable[..., Any], child_id: str
) -> None:
    headers = make_user(Role.PRACTITIONER).headers
    consented = {**CLINIC, "consent_to_share": True}
    update = la_record(record_id="L1", involvements=[SOCIAL_CARE, consented])
    _load(container, {**update, "updated_at": "2026-02-01"}, name="la-2.jsonl")
    shown = client.get(f"/api/v1/children/{child_id}", headers=headers).json()["involvements"]
    assert [(i["service_type"], i.get("sensitive", False)) for i in shown] == [
        ("children's social care", False),
        ("sexual health", True),
    ]
    withdrawn = la_record(record_id="L1", involvements=[SOCIAL_CARE, CLINIC])
    _load(container, {**withdrawn, "updated_at": "2026-03-01"}, name="la-3.jsonl")
    assert _services(client, headers, child_id) == ["children's social care"]


def test_consent_must_be_true_or_false(container: Container) -> None:
    bad = la_record(record_id="L9", involvements=[{**CLINIC, "consent_to_share": "perhaps"}])
    errors: list[Any] = []
    data = (json.dumps(bad) + "\n").encode()
    report = ingest.load_feed(
        uow_factory=container.uow_factory,
        source=Source.LA,
        filename="la-bad.jsonl",
        data=data,
        lines=read_la(data, file="la-bad.jsonl", now=FIXED_NOW),
        actor="test",
        now=FIXED_NOW,
        on_error=errors.append,
    )
    assert (report.accepted, report.rejected) == (0, 1)
    assert [(e.line, e.field) for e in errors] == [(1, "involvements[0].consent_to_share")]
