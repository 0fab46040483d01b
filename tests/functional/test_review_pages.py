"""The review pages through HTTP: the same shield-aware list, a pair side by side through
the redaction policy, deciding with CSRF, and undoing a merge from the child's page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app_fixtures import FIXED_NOW
from childindex.audit.tags import AuditTag
from childindex.bootstrap import Container
from childindex.domain.permissions import Role
from childindex.domain.source_record import Source
from page_helpers import csrf_token, open_record, sign_in
from shield_fixtures import la_record, load_la

MakeUser = Callable[..., Any]
HIDDEN_ADDRESS = "7 Quennell Mews"


@pytest.fixture
def cautioned(
    container: Container,
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
) -> tuple[str, str]:
    """A child shielded by LA 901 and a health child the screen says might be it."""
    load_la(
        container,
        [
            la_record(
                record_id="L1",
                given_name="Marlowe",
                family_name="Quennell",
                birth_date="2016-07-21",
                address_line1=HIDDEN_ADDRESS,
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
    with container.uow_factory() as uow:
        shielded = uow.records.linked_child(source=Source.LA, record_id="L1")
        child = uow.records.linked_child(source=Source.HEALTH, record_id="H9")
    return str(child), str(shielded)


def _item_links(html: str) -> list[str]:
    return re.findall(r'href="/review/([^"]+)"', html)


def test_officer_reviews_merges_and_undoes_from_the_pages(
    container: Container, client: TestClient, make_user: MakeUser, cautioned: tuple[str, str]
) -> None:
    child, shielded = cautioned
    officer = make_user(Role.LA_OFFICER, la_code="901")
    sign_in(client, officer, FIXED_NOW)
    listing = client.get("/review")
    assert listing.status_code == 200
    [item_id] = _item_links(listing.text)
    assert item_id.startswith("c")
    page = client.get(f"/review/{item_id}")
    assert page.status_code == 200
    assert child in page.text
    assert shielded in page.text
    assert HIDDEN_ADDRESS in page.text  # cleared for 901: the policy shows the address
    assert "<meter" in page.text
    assert "<script>" not in page.text
    with container.uow_factory() as uow:
        viewed = [
            e.event
            for e in uow.audit.entries()
            if e.event.tag is AuditTag.CHILD_VIEWED and e.event.detail.get("reason")
        ]
    assert {e.detail["reason"] for e in viewed} == {f"review item {item_id}"}
    assert {e.child_ids[0] for e in viewed} == {child, shielded}

    refused = client.post(f"/review/{item_id}", data={"action": "merge"})
    assert refused.status_code == 403  # no CSRF token
    decided = client.post(
        f"/review/{item_id}", data={"action": "merge", "csrf_token": csrf_token(page.text)}
    )
    assert decided.status_code == 200, decided.text
    assert "Decision recorded" in decided.text
    left = client.get("/review").text
    assert _item_links(left) == []

    record = open_record(client, shielded)
    assert record.status_code == 200
    assert "Undo merge" in record.text
    assert f'action="/children/{child}/undo-merge"' in record.text
    undone = client.post(
        f"/children/{child}/undo-merge", data={"csrf_token": csrf_token(record.text)}
    )
    assert undone.status_code == 200, undone.text
    assert "Merge undone" in undone.text
    with container.uow_factory() as uow:
        assert str(uow.records.linked_child(source=Source.HEALTH, record_id="H9")) == child


def test_an_officer_not_cleared_sees_an_empty_queue_and_a_404_for_the_item(
    client: TestClient, make_user: MakeUser, cautioned: tuple[str, str]
) -> None:
    _, shielded = cautioned
    sign_in(client, make_user(Role.LA_OFFICER, la_code="901"), FIXED_NOW)
    [item_id] = _item_links(client.get("/review").text)
    client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/search").text)})
    sign_in(client, make_user(Role.LA_OFFICER, la_code="902"), FIXED_NOW)
    listing = client.get("/review")
    assert listing.status_code == 200
    assert "There is nothing for you to review" in listing.text
    assert shielded not in listing.text
    page = client.get(f"/review/{item_id}")
    assert page.status_code == 404
    assert shielded not in page.text
    assert HIDDEN_ADDRESS not in page.text


def test_the_review_queue_is_in_the_navigation_only_for_those_who_may_review(
    container: Container, make_user: MakeUser
) -> None:
    from childindex.main import create_app

    for role, shown in ((Role.LA_OFFICER, True), (Role.PRACTITIONER, False)):
        with TestClient(create_app(container)) as client:
            sign_in(client, make_user(role, la_code="901"), FIXED_NOW)
            assert ('href="/review"' in client.get("/search").text) is shown, role
