"""Mediated contact through HTTP: request, routing to the responsible team, closure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from childindex.bootstrap import Container
from childindex.domain.permissions import Role
from shield_fixtures import la_record, load_la

EXACT = {"given_name": "Marlowe", "family_name": "Quennell", "birth_date": "2016-07-21"}
MESSAGE = "Please ask the family to contact the school nurse."


def _shielded_child(container: Container, client: TestClient, headers: dict[str, str]) -> str:
    load_la(
        container,
        [
            la_record(
                record_id="L1",
                given_name="Marlowe",
                family_name="Quennell",
                birth_date="2016-07-21",
                la_code="901",
                shield={"reason": "refuge"},
            )
        ],
    )
    results = client.get("/api/v1/children", params=EXACT, headers=headers).json()["results"]
    assert len(results) == 1
    assert results[0]["mediated_contact"].endswith("/contact-requests")
    return str(results[0]["child_id"])


def test_a_request_reaches_the_responsible_team_who_see_who_searched_and_close_it(
    container: Container, client: TestClient, make_user: Callable[..., Any]
) -> None:
    practitioner = make_user(Role.PRACTITIONER, username="nurse-1")
    child_id = _shielded_child(container, client, practitioner.headers)
    response = client.post(
        f"/api/v1/children/{child_id}/contact-requests",
        json={"message": MESSAGE, "contact": "nurse-1 at Example School"},
        headers=practitioner.headers,
    )
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["status"] == "open"
    assert "message" not in made

    elsewhere = make_user(Role.LA_OFFICER, la_code="902")
    assert client.get("/api/v1/contact-requests", headers=elsewhere.headers).json() == []

    team = make_user(Role.LA_OFFICER, la_code="901")
    listed = client.get("/api/v1/contact-requests", headers=team.headers).json()
    assert len(listed) == 1
    assert listed[0]["request"]["message"].startswith(MESSAGE)
    assert listed[0]["request"]["requested_by"] == "nurse-1"
    assert [s["username"] for s in listed[0]["searched_by"]] == ["nurse-1"]

    request_id = made["request_id"]
    refused = client.post(
        f"/api/v1/contact-requests/{request_id}/close",
        json={"outcome": "passed on"},
        headers=elsewhere.headers,
    )
    assert refused.status_code == 404
    closed = client.post(
        f"/api/v1/contact-requests/{request_id}/close",
        json={"outcome": "message passed to the family"},
        headers=team.headers,
    )
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert client.get("/api/v1/contact-requests", headers=team.headers).json() == []
    again = client.post(
        f"/api/v1/contact-requests/{request_id}/close",
        json={"outcome": "again"},
        headers=team.headers,
    )
    assert again.status_code == 409


def test_contact_requests_are_only_for_shielded_children_and_need_a_message(
    container: Container,
    client: TestClient,
    make_user: Callable[..., Any],
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
) -> None:
    practitioner = make_user(Role.PRACTITIONER)
    load_health([health_record()])
    visible = client.get(
        "/api/v1/children", params={"family_name": "Okafor"}, headers=practitioner.headers
    ).json()["results"][0]["child_id"]
    response = client.post(
        f"/api/v1/children/{visible}/contact-requests",
        json={"message": MESSAGE, "contact": "me"},
        headers=practitioner.headers,
    )
    assert response.status_code == 409
    response = client.post(
        f"/api/v1/children/{visible}/contact-requests",
        json={"message": "", "contact": "me"},
        headers=practitioner.headers,
    )
    assert response.status_code == 422
