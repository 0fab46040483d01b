"""The seed's flaw, a regression test forever (design.md invariant 2).

ContactPoint shielded a vulnerable child; an update then arrived with a new address and a
misspelt name, the update made a *new* record, and that duplicate was not shielded. Here
the update arrives as a new record id of the same source, and from another source, with
no shared identifier — so the matching engine calls it a new child — and no practitioner
may ever see the new address.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from childindex.bootstrap import Container
from childindex.domain.permissions import Role
from shield_fixtures import la_record, load_la, practitioner_sweep

NEW_ADDRESS = ("7 Hideaway Close", "Refugeford", "ZZ7 7QQ")


def _searches() -> list[dict[str, str]]:
    return [
        {"family_name": "Quennell"},
        {"family_name": "Quenel"},
        {"given_name": "Marlow", "family_name": "Quenel"},
        {"given_name": "Marlowe", "family_name": "Quennell", "birth_date": "2016-07-21"},
        {"given_name": "Marlow", "family_name": "Quenel", "birth_date": "2016-07-21"},
        {"family_name": "Quenel", "postcode": NEW_ADDRESS[2]},
        {"family_name": "Quennell", "postcode": NEW_ADDRESS[2]},
        {"given_name": "Marlow", "family_name": "Quenel", "postcode": NEW_ADDRESS[2]},
    ]


def _clean(text: str) -> None:
    for value in (*NEW_ADDRESS, "Hideaway", "ZZ7"):
        assert value not in text, f"the new address leaked: {value!r}"


@pytest.mark.parametrize("arrives_from", ["same-source-new-record-id", "another-source"])
def test_update_with_new_address_and_misspelt_name_never_shows_the_new_address(
    arrives_from: str,
    container: Container,
    client: TestClient,
    make_user: Callable[..., Any],
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    shielded = health_record(
        record_id="H-100",
        given_name="Marlowe",
        family_name="Quennell",
        birth_date="2016-07-21",
        nhs_number="9990000026",
        postcode="ZZ9 9ZZ",
        sensitive=True,
    )
    assert load_health([shielded]).shielded == 1
    update = {
        "given_name": "Marlow",
        "family_name": "Quenel",
        "birth_date": "2016-07-21",
        "address_line1": NEW_ADDRESS[0],
        "town": NEW_ADDRESS[1],
        "postcode": NEW_ADDRESS[2],
    }
    if arrives_from == "same-source-new-record-id":
        # Under a new NHS number (as a child moved for protection may be given), so no
        # identifier links it.
        report = load_health(
            [health_record(record_id="H-200", nhs_number="9990000050", sensitive=False, **update)]
        )
    else:
        report = load_la(container, [la_record(record_id="L-200", la_code="902", **update)])
    assert report.new == 1, "the engine must see a new child: the screen alone protects it"
    assert report.shielded == 1
    assert report.cautioned == 1
    for role, la in ((Role.PRACTITIONER, None), (Role.LA_OFFICER, "903")):
        user = make_user(role, la_code=la)
        _clean(practitioner_sweep(client, user.headers, _searches()))
    for record in caplog.records:
        if not record.name.startswith("httpx"):
            _clean(record.getMessage())
    with container.uow_factory() as uow:
        for entry in uow.audit.entries():
            _clean(repr(entry.event))
