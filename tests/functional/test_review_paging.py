"""The review queue in pages (issue 5 item 7): ``GET /api/v1/review?page=&per_page=`` and
``/review?page=`` cut the list the shield-aware rule admits, so totals, page sizes and order
are what they would be if the items a viewer may not know of did not exist."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app_fixtures import FIXED_NOW
from childindex.bootstrap import Container
from childindex.domain.errors import InvalidInput
from childindex.domain.permissions import Role, permissions_for
from childindex.policy.viewer import Viewer
from childindex.services.review import list_review
from page_helpers import sign_in
from review_paging_fixtures import OURS, seed_queue


@pytest.fixture
def queue(container: Container) -> dict[str, Any]:
    """55 items of 901, one hidden from its officer among them, and 3 of 902."""
    return seed_queue(container)


def _page(client: TestClient, headers: dict[str, str], **query: object) -> dict[str, Any]:
    response = client.get("/api/v1/review", params=query, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_pages_cut_the_visible_list_in_order_and_count_only_visible_items(
    client: TestClient, make_user: Any, queue: dict[str, Any]
) -> None:
    officer = make_user(Role.LA_OFFICER, la_code="901")
    first = _page(client, officer.headers)
    assert set(first) == {"items", "total", "page", "per_page", "pages"}
    assert (first["total"], first["page"], first["per_page"], first["pages"]) == (OURS, 1, 50, 2)
    assert len(first["items"]) == 50
    seen: list[str] = []
    for page in (1, 2, 3, 4):
        body = _page(client, officer.headers, page=page, per_page=20)
        assert (body["total"], body["pages"]) == (OURS, 3)
        assert len(body["items"]) == [20, 20, 15, 0][page - 1]
        seen += [item["item_id"] for item in body["items"]]
    # The hidden item takes no place: page sizes, order and total are as if it did not exist.
    assert seen == queue["ours"]
    assert queue["hidden"] not in str(seen)


def test_an_officer_cleared_for_the_shielded_child_counts_its_item(
    client: TestClient, make_user: Any, container: Container, queue: dict[str, Any]
) -> None:
    cleared = make_user(Role.LA_OFFICER, la_code="902")
    body = _page(client, cleared.headers, per_page=200)
    # 902's own 3 items, and the 901 item whose candidate is 902's shielded child (routed to 902).
    assert body["total"] == 4
    assert queue["secret"] in [item["item_id"] for item in body["items"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=x", "page"),
        ("per_page=0", "per_page"),
        ("per_page=201", "per_page"),
    ],
)
def test_a_bad_page_is_a_4xx_naming_the_field(
    client: TestClient, make_user: Any, query: str, field: str
) -> None:
    officer = make_user(Role.LA_OFFICER, la_code="901")
    response = client.get(f"/api/v1/review?{query}", headers=officer.headers)
    assert response.status_code == 422
    assert field in response.text


def test_the_review_page_shows_govuk_pagination_and_the_true_total(
    client: TestClient, make_user: Any, queue: dict[str, Any]
) -> None:
    sign_in(client, make_user(Role.LA_OFFICER, la_code="901"), FIXED_NOW)
    first = client.get("/review")
    assert first.status_code == 200
    assert f"{OURS} items to review" in first.text
    assert 'class="govuk-pagination' in first.text
    assert 'href="/review?page=2"' in first.text
    assert len(re.findall(r'href="/review/(\d+)"', first.text)) == 50
    second = client.get("/review?page=2")
    assert second.status_code == 200
    links = re.findall(r'href="/review/(\d+)"', second.text)
    assert links == queue["ours"][50:]
    assert 'aria-current="page"' in second.text
    assert "page 2 of 2" in second.text
    assert queue["secret"] not in links
    beyond = client.get("/review?page=9")
    assert beyond.status_code == 200
    assert "There is no page 9" in beyond.text
    assert client.get("/review?page=0").status_code == 400  # the pages answer bad input so


@pytest.mark.parametrize(("page", "per_page", "field"), [(0, 50, "page"), (1, 201, "per_page")])
def test_the_service_refuses_a_bad_page_itself(
    container: Container, page: int, per_page: int, field: str
) -> None:
    viewer = Viewer(
        user_id=1,
        username="officer",
        role=Role.LA_OFFICER,
        la_code="901",
        permissions=permissions_for(Role.LA_OFFICER),
    )
    with pytest.raises(InvalidInput) as refused:
        list_review(
            uow=container.uow_factory(), viewer=viewer, now=FIXED_NOW, page=page, per_page=per_page
        )
    assert refused.value.field == field
