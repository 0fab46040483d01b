"""The review queue in pages (issue 5 item 7): ``GET /api/v1/review?page=&per_page=`` and
``/review?page=`` cut the list the shield-aware rule admits, so totals, page sizes and order
are what they would be if the items a viewer may not know of did not exist."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app_fixtures import FIXED_NOW
from childindex.bootstrap import Container
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Role
from childindex.domain.shield_records import ShieldOrigin
from childindex.domain.source_record import Source, SourceRecord
from childindex.domain.survivorship import project
from page_helpers import sign_in

OURS = 55  # open items of authority 901: two pages at the default 50


def _child(container: Container, record_id: str, la_code: str, *, shielded: bool) -> ChildId:
    child_id = ChildId.new()
    payload = {"given_name": "Ada", "family_name": "Paging", "birth_date": "2015-01-02"}
    record = SourceRecord(Source.LA, record_id, payload, None)
    with container.uow_factory() as uow:
        load_id = uow.feeds.start_load(
            source=Source.LA, filename=record_id, content_sha256="0" * 64
        )
        raw_id = uow.feeds.store_raw(load_id=load_id, line_no=1, text=record_id)
        uow.records.put_version(record=record, raw_id=raw_id)
        child = project(child_id, [record], shielded=shielded)
        uow.children.save(replace(child, la_code=la_code))
        uow.records.link(
            source=Source.LA, record_id=record_id, child_id=child_id, decided_by="new", actor="t"
        )
        if shielded:
            uow.shields.add_shield(
                child_id=child_id.value,
                origin=ShieldOrigin.OFFICER,
                reason="test",
                set_by="test",
                review_date=None,
            )
        uow.commit()
    return child_id


def _queue(container: Container, record_id: str, pair: tuple[ChildId, ChildId], la: str) -> int:
    with container.uow_factory() as uow:
        number = uow.reviews.add(
            source=Source.LA,
            record_id=record_id,
            record_child_id=pair[0],
            candidate_child_id=pair[1],
            probability=0.5,
            weights={"forename": 1.0},
            la_code=la,
            now=FIXED_NOW,
        )
        uow.commit()
    return number


@pytest.fixture
def queue(container: Container) -> dict[str, Any]:
    """55 items of 901 visible to its officer, one of 901 whose candidate is a shielded child
    of 902 (hidden from that officer), queued between them, and 3 items of 902."""
    first = _child(container, "P1", "901", shielded=False)
    second = _child(container, "P2", "901", shielded=False)
    hidden = _child(container, "P3", "902", shielded=True)
    other = _child(container, "P4", "902", shielded=False)
    ours = [_queue(container, "P1", (first, second), "901") for _ in range(30)]
    secret = _queue(container, "P1", (first, hidden), "901")
    ours += [_queue(container, "P1", (first, second), "901") for _ in range(OURS - 30)]
    for _ in range(3):
        _queue(container, "P4", (other, hidden), "902")
    return {"ours": [str(n) for n in ours], "secret": str(secret), "hidden": str(hidden)}


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
