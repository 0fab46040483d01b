"""A review item touching a shielded child reaches only cleared officers of its authority."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from childindex.bootstrap import Container
from childindex.domain.permissions import Role
from shield_fixtures import la_record, load_la


def test_only_officers_of_the_shielded_childs_authority_see_its_review_items(
    container: Container,
    client: TestClient,
    make_user: Callable[..., Any],
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
) -> None:
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
    load_health(
        [
            health_record(
                record_id="H9",
                given_name="Marlow",
                family_name="Quenel",
                birth_date="2016-07-21",
                nhs_number="9990000050",
            )
        ]
    )
    cleared = make_user(Role.LA_OFFICER, la_code="901")
    items = client.get("/api/v1/cautions", headers=cleared.headers).json()
    assert len(items) == 1
    assert items[0]["kind"] == "caution"
    for other in (make_user(Role.LA_OFFICER, la_code="902"), make_user(Role.ADMIN)):
        response = client.get("/api/v1/cautions", headers=other.headers)
        assert response.status_code == 200
        assert response.json() == []
    practitioner = make_user(Role.PRACTITIONER)
    assert client.get("/api/v1/cautions", headers=practitioner.headers).status_code == 403
