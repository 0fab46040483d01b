"""The review queue over HTTP: officers of the responsible authority decide doubtful pairs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from childindex.bootstrap import Container
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Role
from childindex.domain.source_record import Source, SourceRecord
from childindex.matching.engine import ModelMatchEngine
from childindex.matching.ports import MatchKind
from childindex.services.linking import LinkOutcome, link_record
from matching_model import hand_model

ENGINE = ModelMatchEngine(hand_model())
FIXED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def store(container: Container, record: SourceRecord) -> None:
    with container.uow_factory() as uow:
        load_id = uow.feeds.start_load(source=record.source, filename="t", content_sha256="0" * 64)
        raw_id = uow.feeds.store_raw(load_id=load_id, line_no=1, text=record.record_id)
        uow.records.put_version(record=record, raw_id=raw_id)
        uow.commit()


def store_and_link(
    container: Container, source: Source, record_id: str, payload: dict[str, Any]
) -> LinkOutcome:
    record = SourceRecord(source, record_id, payload, None)
    store(container, record)
    with container.uow_factory() as uow:
        outcome = link_record(uow=uow, record=record, engine=ENGINE, actor="test")
        uow.commit()
    return outcome


@pytest.fixture
def queued(container: Container, health_record: Callable[..., dict[str, Any]]) -> LinkOutcome:
    """A health child, then an LA record with the same NHS number but another birth date."""
    first = health_record(record_id="H1")
    store_and_link(container, Source.HEALTH, "H1", first)
    doubtful = dict(first, birth_date="2009-11-30", la_code="901")
    outcome = store_and_link(container, Source.LA, "LA1", doubtful)
    assert outcome.kind is MatchKind.REVIEW
    assert outcome.review_item is not None
    return outcome


def _items(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get("/api/v1/review", headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_officer_sees_their_authoritys_item_with_its_explanation(
    client: TestClient, make_user: Any, queued: LinkOutcome
) -> None:
    officer = make_user(Role.LA_OFFICER, la_code="901")
    [item] = _items(client, officer.headers)
    assert item["item_id"] == str(queued.review_item)
    assert item["kind"] == "match"
    assert item["authority"] == "901"
    assert item["record_child_id"] == str(queued.child_id)
    assert 0 < item["probability"] <= 1
    assert {"forename", "dob", "location"} <= set(item["weights"])


def test_officer_of_another_authority_neither_sees_nor_decides_the_item(
    client: TestClient, make_user: Any, queued: LinkOutcome
) -> None:
    other = make_user(Role.LA_OFFICER, la_code="902")
    assert _items(client, other.headers) == []
    response = client.post(
        f"/api/v1/review/{queued.review_item}", json={"action": "link"}, headers=other.headers
    )
    assert response.status_code == 404


def test_link_moves_the_record_and_retires_the_emptied_child(
    client: TestClient, container: Container, make_user: Any, queued: LinkOutcome
) -> None:
    officer = make_user(Role.LA_OFFICER, la_code="901")
    response = client.post(
        f"/api/v1/review/{queued.review_item}", json={"action": "link"}, headers=officer.headers
    )
    assert response.status_code == 200, response.text
    target = ChildId.parse(response.json()["child_id"])
    with container.uow_factory() as uow:
        assert uow.records.linked_child(source=Source.LA, record_id="LA1") == target
        assert uow.records.linked_child(source=Source.HEALTH, record_id="H1") == target
        assert uow.records.current_records(queued.child_id) == []
    assert _items(client, officer.headers) == []
    again = client.post(
        f"/api/v1/review/{queued.review_item}", json={"action": "link"}, headers=officer.headers
    )
    assert again.status_code == 409


def test_not_a_match_is_remembered_and_never_proposed_again(
    client: TestClient, container: Container, make_user: Any, queued: LinkOutcome
) -> None:
    officer = make_user(Role.LA_OFFICER, la_code="901")
    [item] = _items(client, officer.headers)
    response = client.post(
        f"/api/v1/review/{item['item_id']}", json={"action": "not-a-match"}, headers=officer.headers
    )
    assert response.status_code == 200, response.text
    rejected = ChildId.parse(item["candidate_child_id"])
    with container.uow_factory() as uow:
        assert uow.reviews.not_a_match(source=Source.LA, record_id="LA1") == {rejected}
    assert _items(client, officer.headers) == []


def test_a_record_an_officer_rejected_for_a_child_is_never_proposed_for_it_again(
    container: Container, health_record: Callable[..., dict[str, Any]]
) -> None:
    first = health_record(record_id="H1")
    child = store_and_link(container, Source.HEALTH, "H1", first).child_id
    doubtful = SourceRecord(
        Source.LA, "LA2", dict(first, birth_date="2009-11-30", la_code="901"), None
    )
    store(container, doubtful)
    with container.uow_factory() as uow:
        assert ENGINE.decide(doubtful, uow.children).child_id == child  # the model proposes it
        uow.reviews.remember_not_a_match(
            source=Source.LA, record_id="LA2", child_id=child, actor="officer", now=FIXED
        )
        outcome = link_record(uow=uow, record=doubtful, engine=ENGINE, actor="test")
        uow.commit()
    assert outcome.kind is MatchKind.NEW
    assert outcome.review_item is None
    assert outcome.child_id != child


def test_merge_joins_the_two_children_and_keeps_a_shield(
    client: TestClient, container: Container, make_user: Any, queued: LinkOutcome
) -> None:
    officer = make_user(Role.LA_OFFICER, la_code="901")
    with container.uow_factory() as uow:
        child = uow.children.get(queued.child_id)
        assert child is not None
        from dataclasses import replace

        uow.children.save(replace(child, shielded=True))
        uow.commit()
    response = client.post(
        f"/api/v1/review/{queued.review_item}", json={"action": "merge"}, headers=officer.headers
    )
    assert response.status_code == 200, response.text
    target = ChildId.parse(response.json()["child_id"])
    with container.uow_factory() as uow:
        merged = uow.children.get(target)
        assert merged is not None
        assert merged.shielded
        assert len(uow.records.current_records(target)) == 2


def test_an_unknown_action_is_a_422(
    client: TestClient, make_user: Any, queued: LinkOutcome
) -> None:
    officer = make_user(Role.LA_OFFICER, la_code="901")
    response = client.post(
        f"/api/v1/review/{queued.review_item}", json={"action": "shrug"}, headers=officer.headers
    )
    assert response.status_code == 422


def test_officer_splits_a_record_off_their_authoritys_child(
    client: TestClient,
    container: Container,
    make_user: Any,
    health_record: Callable[..., dict[str, Any]],
) -> None:
    first = health_record(record_id="LA7", la_code="901")
    child = store_and_link(container, Source.LA, "LA7", first).child_id
    same = dict(first, nhs_number="9990000018")
    assert store_and_link(container, Source.LA, "LA8", same).child_id == child
    officer = make_user(Role.LA_OFFICER, la_code="901")
    body = {"records": [{"source": "la", "record_id": "LA8"}]}
    response = client.post(f"/api/v1/children/{child}/split", json=body, headers=officer.headers)
    assert response.status_code == 200, response.text
    new = ChildId.parse(response.json()["new_child_id"])
    with container.uow_factory() as uow:
        assert uow.records.linked_child(source=Source.LA, record_id="LA8") == new
        assert uow.records.linked_child(source=Source.LA, record_id="LA7") == child
    other = make_user(Role.LA_OFFICER, la_code="902")
    denied = client.post(f"/api/v1/children/{child}/split", json=body, headers=other.headers)
    assert denied.status_code == 404
    everything = {"records": [{"source": "la", "record_id": "LA7"}]}
    refused = client.post(
        f"/api/v1/children/{child}/split", json=everything, headers=officer.headers
    )
    assert refused.status_code in {400, 422}
