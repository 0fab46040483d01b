"""Regression (issue 6 item 5): the match-review queue was filtered by the officer's local
authority only, so an officer not cleared for a shielded child saw an item whose candidate
was that child — its ID, its probability, that it exists. An item touching a shielded child
now reaches only officers cleared for that child's authority; to everyone else it does not
exist, in lists, counts and when named."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from fastapi.testclient import TestClient

from childindex.bootstrap import Container
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Role
from childindex.domain.source_record import Source, SourceRecord
from childindex.matching.engine import ModelMatchEngine
from childindex.matching.ports import MatchKind
from childindex.services.linking import link_record
from matching_model import hand_model

ENGINE = ModelMatchEngine(hand_model())


def _store_and_link(container: Container, record: SourceRecord) -> Any:
    with container.uow_factory() as uow:
        load_id = uow.feeds.start_load(source=record.source, filename="t", content_sha256="0" * 64)
        raw_id = uow.feeds.store_raw(load_id=load_id, line_no=1, text=record.record_id)
        uow.records.put_version(record=record, raw_id=raw_id)
        outcome = link_record(uow=uow, record=record, engine=ENGINE, actor="test")
        uow.commit()
    return outcome


def test_an_officer_not_cleared_for_a_shielded_candidate_never_learns_its_item_exists(
    container: Container,
    client: TestClient,
    make_user: Callable[..., Any],
    health_record: Callable[..., dict[str, Any]],
) -> None:
    first = health_record(record_id="H1", la_code="902")
    candidate = _store_and_link(container, SourceRecord(Source.LA, "L902", first, None)).child_id
    doubtful = dict(first, birth_date="2009-11-30", la_code="901")
    queued = _store_and_link(container, SourceRecord(Source.LA, "L901", doubtful, None))
    assert queued.kind is MatchKind.REVIEW
    assert queued.review_item is not None
    officer = make_user(Role.LA_OFFICER, la_code="901")
    listed = client.get("/api/v1/review", headers=officer.headers).json()["items"]
    assert [i["item_id"] for i in listed] == [str(queued.review_item)]  # visible while unshielded

    # The candidate is shielded after the item was queued (by its authority, 902).
    with container.uow_factory() as uow:
        child = uow.children.get(candidate)
        assert child is not None
        uow.children.save(replace(child, shielded=True))
        uow.commit()

    response = client.get("/api/v1/review", headers=officer.headers)
    assert response.status_code == 200
    assert response.json() == {"items": [], "total": 0, "page": 1, "per_page": 50, "pages": 1}
    assert str(candidate) not in response.text
    named = client.get(f"/api/v1/review/{queued.review_item}", headers=officer.headers)
    assert named.status_code == 404
    decided = client.post(
        f"/api/v1/review/{queued.review_item}", json={"action": "link"}, headers=officer.headers
    )
    assert decided.status_code == 404
    assert str(candidate) not in decided.text

    # The shielded child's own authority, cleared for it, is where the item goes now.
    cleared = make_user(Role.LA_OFFICER, la_code="902")
    items = client.get("/api/v1/review", headers=cleared.headers).json()["items"]
    assert str(queued.review_item) in {i["item_id"] for i in items}
    [match] = [i for i in items if i["item_id"] == str(queued.review_item)]
    assert ChildId.parse(match["candidate_child_id"]) == candidate
    assert match["authority"] == "902"
