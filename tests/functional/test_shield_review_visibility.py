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
    items = client.get("/api/v1/review", headers=cleared.headers).json()["items"]
    assert len(items) == 1
    assert items[0]["kind"] == "caution"
    assert items[0]["item_id"].startswith("c")
    assert items[0]["authority"] == "901"
    # The explanation: the screen's per-field parts and its score.
    assert {"given_name", "family_name", "birth_date", "identifier"} <= set(items[0]["weights"])
    assert items[0]["weights"]["birth_date"] == 1.0
    assert 0.2 <= items[0]["probability"] <= 1
    for other in (make_user(Role.LA_OFFICER, la_code="902"), make_user(Role.ADMIN)):
        response = client.get("/api/v1/review", headers=other.headers)
        assert response.status_code == 200
        assert response.json() == {"items": [], "total": 0, "page": 1, "per_page": 50, "pages": 1}
        named = client.get(f"/api/v1/review/{items[0]['item_id']}", headers=other.headers)
        assert named.status_code == 404
    practitioner = make_user(Role.PRACTITIONER)
    assert client.get("/api/v1/review", headers=practitioner.headers).status_code == 403
    assert client.get("/api/v1/cautions", headers=cleared.headers).status_code == 404
