"""The sentinel-leak test: a shielded child's hidden values reach no practitioner.

The shielded child's every hidden field holds a unique sentinel string. An ordinary
practitioner then calls every route, search and read; no sentinel may appear in any body,
header, log record or audit entry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from childindex.bootstrap import Container
from childindex.domain.permissions import Role
from childindex.main import create_app, iter_routes

SENTINEL = "SNTL"


def shielded_record(health_record: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """A shielded child whose every hidden value is a sentinel."""
    return health_record(
        record_id=f"{SENTINEL}REC1",
        given_name="Marlowe",
        family_name="Quennell",
        other_given_names=f"{SENTINEL}Middle",
        birth_date="2016-07-21",
        address_line1=f"1 {SENTINEL}Street",
        address_line2=f"{SENTINEL}Flat",
        town=f"{SENTINEL}Town",
        postcode="ZZ9 9ZZ",
        nhs_number="9990000026",
        gp_practice_code=f"{SENTINEL}GP",
        gp_practice_name=f"{SENTINEL} Surgery",
        carers=[
            {
                "given_name": f"{SENTINEL}Carer",
                "family_name": "Quennell",
                "relationship": "mother",
                "parental_responsibility": True,
                "phone": "07700 900123",
                "email": f"{SENTINEL.lower()}@example.org",
            }
        ],
        sensitive=True,
    )


HIDDEN = ("ZZ9 9ZZ", "9990000026", "2016-07-21", "07700 900123", SENTINEL, SENTINEL.lower())


def _assert_clean(text: str, where: str) -> None:
    for value in HIDDEN:
        assert value not in text, f"{value!r} leaked in {where}"


@pytest.fixture
def shielded_world(
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
) -> None:
    """One visible child and one shielded child, loaded through the real feed path."""
    report = load_health([health_record(), shielded_record(health_record)])
    assert report.accepted == 2
    assert report.shielded == 1


SEARCHES: list[dict[str, str]] = [
    {"family_name": "Quennell"},
    {"given_name": "Marlowe", "family_name": "Quennell"},
    {"given_name": "Marlowe", "family_name": "Quennell", "birth_date": "2016-07-21"},
    {"family_name": "Quennell", "postcode": "ZZ9 9ZZ"},
    {"nhs_number": "9990000026"},
    {"family_name": "Quennell", "birth_date": "2016-07-21"},
]


_FHIR_NAMES = {
    "given_name": "given",
    "family_name": "family",
    "birth_date": "birthdate",
    "postcode": "address-postalcode",
    "nhs_number": "identifier",
}


def _fhir(params: dict[str, str]) -> dict[str, str]:
    return {_FHIR_NAMES[k]: v for k, v in params.items()}


def test_no_route_shows_a_practitioner_any_hidden_value(
    container: Container,
    client: TestClient,
    make_user: Callable[..., Any],
    shielded_world: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    practitioner = make_user(Role.PRACTITIONER, organisation="Example NHS Trust")
    found_ids: set[str] = set()
    for params in SEARCHES:
        response = client.get("/api/v1/children", params=params, headers=practitioner.headers)
        assert response.status_code == 200
        _assert_clean(response.text, f"search {sorted(params)}")
        _assert_clean(str(response.headers), "headers")
        found_ids |= {r["child_id"] for r in response.json()["results"]}
    assert found_ids, "the exact name and date of birth must find the shielded summary"
    for params in SEARCHES:  # the same searches through FHIR
        response = client.get("/fhir/Patient", params=_fhir(params), headers=practitioner.headers)
        assert response.status_code == 200, response.text
        _assert_clean(response.text, f"FHIR search {sorted(params)}")
        assert {e["resource"]["id"] for e in response.json().get("entry", [])} <= found_ids
    for child_id in found_ids:
        response = client.get(f"/api/v1/children/{child_id}", headers=practitioner.headers)
        assert response.status_code == 200
        _assert_clean(response.text, f"read {child_id}")
    # Every other GET route, with the child's ID where it takes one.
    app = create_app(container)
    for route in iter_routes(app.routes):
        if isinstance(route, APIRoute) and "GET" in (route.methods or ()):
            for child_id in found_ids:
                # Review items: a match item's number and a caution item's (``c`` + number).
                for item_id in ("1", "c1"):
                    url = route.path.replace("{child_id}", child_id)
                    url = url.replace("{item_id}", item_id)
                    if "{" in url:
                        continue
                    response = client.get(url, headers=practitioner.headers)
                    _assert_clean(response.text, f"GET {route.path}")
                    _assert_clean(str(response.headers), f"headers of {route.path}")
    server_records = [r for r in caplog.records if not r.name.startswith("httpx")]
    assert any(r.name == "childindex.access" for r in server_records), "the access log must run"
    for record in server_records:  # the test client's own log shows what the test typed
        _assert_clean(record.getMessage(), f"log record {record.name}")
    with container.uow_factory() as uow:
        for entry in uow.audit.entries():
            _assert_clean(repr(entry.event), f"audit entry {entry.seq}")


def test_the_shield_and_contact_pages_show_the_uncleared_no_hidden_value(
    container: Container,
    make_user: Callable[..., Any],
    shielded_world: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The pages added for shielding and mediated contact, walked with a session by a
    practitioner (who asks for contact, with bad input first), an admin (who may shield but
    is not cleared) and an officer of an authority not responsible for the child."""
    from app_fixtures import FIXED_NOW
    from page_helpers import child_ids, csrf_token, open_record, sign_in

    caplog.set_level(logging.DEBUG)
    seen: list[str] = []

    def keep(response: Any) -> Any:
        seen.extend([response.text, str(response.headers)])
        return response

    exact = {
        "given_name": "Marlowe",
        "family_name": "Quennell",
        "birth_date-day": "21",
        "birth_date-month": "07",
        "birth_date-year": "2016",
    }
    with TestClient(create_app(container)) as client:
        sign_in(client, make_user(Role.PRACTITIONER), FIXED_NOW)
        [child_id] = child_ids(client, **exact)
        page = keep(open_record(client, child_id))
        assert "Ask the responsible team to get in touch" in page.text
        token = csrf_token(page.text)
        url = f"/children/{child_id}/contact-requests"
        bad = keep(client.post(url, data={"csrf_token": token, "message": " ", "contact": "x"}))
        assert bad.status_code == 422
        sent = keep(client.post(url, data={"csrf_token": token, "message": "m", "contact": "c"}))
        assert sent.status_code == 200
        assert "Request sent" in sent.text
    for role, la_code in ((Role.ADMIN, None), (Role.LA_OFFICER, "999")):
        with TestClient(create_app(container)) as client:
            sign_in(client, make_user(role, la_code=la_code), FIXED_NOW)
            page = keep(open_record(client, child_id))
            assert "Lift the shield" in page.text  # offered by permission; the service decides
            for path in ("/shields/due", "/contact-requests"):
                assert keep(client.get(path)).status_code == 200
            token = csrf_token(page.text)
            for action in ("shield", "shield/lift"):
                keep(client.post(f"/children/{child_id}/{action}", data={"csrf_token": token}))
                refused = client.post(
                    f"/children/{child_id}/{action}", data={"csrf_token": token, "reason": "r"}
                )
                keep(refused)
    for text in seen:
        _assert_clean(text, "a shield or contact page")
    for record in caplog.records:
        if not record.name.startswith("httpx"):
            _assert_clean(record.getMessage(), f"log record {record.name}")
    with container.uow_factory() as uow:
        for entry in uow.audit.entries():
            _assert_clean(repr(entry.event), f"audit entry {entry.seq}")
