"""``POST/DELETE /api/v1/children/{child_id}/shield`` through HTTP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from childindex.bootstrap import Container
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Role
from childindex.domain.source_record import Source
from feed_state import load_look_alike_of_two_shielded
from shield_fixtures import la_record, load_la

REASON = "SECRET-REASON refuge placement"


@pytest.fixture
def child_id(container: Container) -> str:
    """A visible child of authority 901, known from an la record."""
    load_la(container, [la_record(record_id="L1", la_code="901", address_line1="5 Open Lane")])
    with container.uow_factory() as uow:
        found = uow.records.linked_child(source=Source.LA, record_id="L1")
        assert found is not None
        return str(found)


def _read(client: TestClient, headers: dict[str, str], child_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/children/{child_id}", headers=headers)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_an_officer_of_the_responsible_authority_shields_and_lifts_a_child(
    client: TestClient, container: Container, make_user: Callable[..., Any], child_id: str
) -> None:
    officer = make_user(Role.LA_OFFICER, la_code="901")
    practitioner = make_user(Role.PRACTITIONER)
    assert "address" in _read(client, practitioner.headers, child_id)
    response = client.post(
        f"/api/v1/children/{child_id}/shield",
        json={"reason": REASON, "review_date": "2027-05-01"},
        headers=officer.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"child_id": child_id, "shielded": True, "review_date": "2027-05-01"}
    seen = _read(client, practitioner.headers, child_id)
    assert seen["shielded"] is True
    assert "address" not in seen
    assert "address" in _read(client, officer.headers, child_id)
    response = client.request(
        "DELETE",
        f"/api/v1/children/{child_id}/shield",
        json={"reason": "placement ended"},
        headers=officer.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"child_id": child_id, "shielded": False}
    assert "address" in _read(client, practitioner.headers, child_id)
    with container.uow_factory() as uow:
        tags = [e.event.tag.value for e in uow.audit.entries()]
        assert "child:shield-set" in tags
        assert "child:shield-lift" in tags
        assert not any("SECRET-REASON" in repr(e.event) for e in uow.audit.entries())


def test_an_officer_of_another_authority_may_not_shield_or_lift(
    client: TestClient, make_user: Callable[..., Any], child_id: str
) -> None:
    other = make_user(Role.LA_OFFICER, la_code="902")
    response = client.post(
        f"/api/v1/children/{child_id}/shield",
        json={"reason": REASON, "review_date": "2027-05-01"},
        headers=other.headers,
    )
    assert response.status_code == 403
    response = client.delete(
        f"/api/v1/children/{child_id}/shield", params={"reason": "x"}, headers=other.headers
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"review_date": "2027-05-01"},
        {"reason": "", "review_date": "2027-05-01"},
        {"reason": "   ", "review_date": "2027-05-01"},
        {"reason": REASON, "review_date": "2020-01-01"},
        {"reason": REASON, "review_date": "2026-11-25"},
        {"reason": REASON, "review_date": "not-a-date"},
    ],
)
def test_shielding_needs_a_reason_and_a_future_review_date(
    client: TestClient, make_user: Callable[..., Any], child_id: str, body: dict[str, str]
) -> None:
    admin = make_user(Role.ADMIN)
    response = client.post(f"/api/v1/children/{child_id}/shield", json=body, headers=admin.headers)
    assert response.status_code == 422, response.text


def test_a_reason_alone_shields_with_a_review_date_one_year_from_today(
    client: TestClient, container: Container, make_user: Callable[..., Any], child_id: str
) -> None:
    officer = make_user(Role.LA_OFFICER, la_code="901")
    response = client.post(
        f"/api/v1/children/{child_id}/shield", json={"reason": REASON}, headers=officer.headers
    )
    assert response.status_code == 200, response.text
    # The app's clock reads 25 November 2026.
    assert response.json() == {"child_id": child_id, "shielded": True, "review_date": "2027-11-25"}
    with container.uow_factory() as uow:
        [shield] = uow.shields.active_shields(ChildId.parse(child_id).value)
    assert shield.review_date == date(2027, 11, 25)


def test_lifting_needs_an_explicit_reason(
    client: TestClient, make_user: Callable[..., Any], child_id: str
) -> None:
    admin = make_user(Role.ADMIN)
    client.post(
        f"/api/v1/children/{child_id}/shield",
        json={"reason": REASON, "review_date": "2027-05-01"},
        headers=admin.headers,
    )
    response = client.delete(f"/api/v1/children/{child_id}/shield", headers=admin.headers)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "reason"


def test_a_shield_a_source_still_asks_for_cannot_be_lifted(
    client: TestClient,
    make_user: Callable[..., Any],
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
) -> None:
    admin = make_user(Role.ADMIN)
    load_health([health_record(sensitive=True)])
    found = client.get(
        "/api/v1/children",
        params={"given_name": "Amara", "family_name": "Okafor", "birth_date": "2015-03-14"},
        headers=admin.headers,
    ).json()["results"]
    response = client.delete(
        f"/api/v1/children/{found[0]['child_id']}/shield",
        params={"reason": "no longer needed"},
        headers=admin.headers,
    )
    assert response.status_code == 409
    assert "health" in response.json()["error"]["message"]


def test_shielding_an_unknown_child_is_404(
    client: TestClient, make_user: Callable[..., Any]
) -> None:
    from childindex.domain.ids import ChildId

    admin = make_user(Role.ADMIN)
    response = client.post(
        f"/api/v1/children/{ChildId.new()}/shield",
        json={"reason": REASON, "review_date": "2027-05-01"},
        headers=admin.headers,
    )
    assert response.status_code == 404


def test_a_lift_the_screen_undoes_answers_shielded(
    client: TestClient, container: Container, make_user: Callable[..., Any]
) -> None:
    """Judged apart from one shielded child, like another no officer judged it apart from:
    the lift stands in history, and the answer says the screen shielded the child again
    (ADR 0034)."""
    admin = make_user(Role.ADMIN)
    child_id = str(load_look_alike_of_two_shielded(container)["L"])
    response = client.delete(
        f"/api/v1/children/{child_id}/shield",
        params={"reason": "not child A"},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"child_id": child_id, "shielded": True}
