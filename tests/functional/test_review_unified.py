"""One review queue for both kinds of item: deciding caution items, the national queue,
and undoing a merge over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from childindex.audit.tags import AuditTag
from childindex.bootstrap import Container
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Role
from childindex.domain.source_record import Source, SourceRecord
from childindex.matching.engine import ModelMatchEngine
from childindex.matching.ports import MatchKind
from childindex.services.linking import link_record
from childindex.services.shield_screen import screen_child
from matching_model import hand_model
from shield_fixtures import la_record, load_la

ENGINE = ModelMatchEngine(hand_model())
MakeUser = Callable[..., Any]


@pytest.fixture
def caution(
    container: Container,
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
) -> tuple[ChildId, ChildId]:
    """A child shielded by LA 901, then a health record the screen says might be it:
    (the cautioned child, the shielded child)."""
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
    with container.uow_factory() as uow:
        shielded = uow.records.linked_child(source=Source.LA, record_id="L1")
        cautioned = uow.records.linked_child(source=Source.HEALTH, record_id="H9")
    assert shielded is not None
    assert cautioned is not None
    return cautioned, shielded


def _items(client: TestClient, user: Any) -> list[dict[str, Any]]:
    response = client.get("/api/v1/review", headers=user.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_not_a_match_on_a_caution_item_is_never_proposed_again(
    container: Container,
    client: TestClient,
    make_user: MakeUser,
    caution: tuple[ChildId, ChildId],
) -> None:
    cautioned, shielded = caution
    officer = make_user(Role.LA_OFFICER, la_code="901")
    [item] = _items(client, officer)
    assert item["kind"] == "caution"
    assert item["candidate_child_id"] == str(shielded)
    response = client.post(
        f"/api/v1/review/{item['item_id']}", json={"action": "not-a-match"}, headers=officer.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cleared"
    with container.uow_factory() as uow:
        [decided] = [e.event for e in uow.audit.entries() if e.event.tag is AuditTag.REVIEW_DECIDED]
    # Audited with identifiers only: who, which item, which children, what was decided.
    assert decided.actor == officer.username
    assert set(decided.child_ids) == {str(cautioned), str(shielded)}
    assert decided.detail == {"item": item["item_id"], "kind": "caution", "action": "not-a-match"}
    assert decided.fields == ()
    # The screen runs again over the same child (as any later write would): nothing queued.
    with container.uow_factory() as uow:
        outcome = screen_child(uow, cautioned)
        uow.commit()
    assert outcome.cautions == ()
    assert _items(client, officer) == []
    again = client.post(
        f"/api/v1/review/{item['item_id']}", json={"action": "merge"}, headers=officer.headers
    )
    assert again.status_code == 409
    with container.uow_factory() as uow:
        still = uow.children.get(cautioned)
    assert still is not None
    assert still.shielded  # not-a-match never lifts a shield: that is its own explicit action


def test_merging_a_caution_pair_keeps_the_shield_and_undo_merge_restores_both(
    container: Container,
    client: TestClient,
    make_user: MakeUser,
    caution: tuple[ChildId, ChildId],
) -> None:
    cautioned, shielded = caution
    officer = make_user(Role.LA_OFFICER, la_code="901")
    [item] = _items(client, officer)
    merged = client.post(
        f"/api/v1/review/{item['item_id']}", json={"action": "merge"}, headers=officer.headers
    )
    assert merged.status_code == 200, merged.text
    assert merged.json() == {
        "item_id": item["item_id"],
        "action": "merge",
        "status": "confirmed",
        "child_id": str(shielded),
    }
    with container.uow_factory() as uow:
        assert uow.records.linked_child(source=Source.HEALTH, record_id="H9") == shielded
        assert uow.children.merged_into(cautioned) == shielded

    for outsider in (make_user(Role.LA_OFFICER, la_code="902"), make_user(Role.ADMIN)):
        denied = client.post(f"/api/v1/children/{cautioned}/undo-merge", headers=outsider.headers)
        # 902 may not know of 901's shielded child; the admin may not decide (no permission).
        assert denied.status_code in {403, 404}, outsider
        assert str(shielded) not in denied.text
    assert (
        client.post(
            f"/api/v1/children/{cautioned}/undo-merge",
            headers=make_user(Role.LA_OFFICER, la_code="902").headers,
        ).status_code
        == 404
    )
    undone = client.post(f"/api/v1/children/{cautioned}/undo-merge", headers=officer.headers)
    assert undone.status_code == 200, undone.text
    assert undone.json() == {"child_id": str(cautioned), "merged_into": str(shielded), "moved": 1}
    with container.uow_factory() as uow:
        assert uow.records.linked_child(source=Source.HEALTH, record_id="H9") == cautioned
        assert uow.children.merged_into(cautioned) is None
        back = uow.children.get(cautioned)
        target = uow.children.get(shielded)
    assert back is not None
    assert target is not None
    assert back.shielded  # an undo never lifts a shield
    assert target.shielded
    twice = client.post(f"/api/v1/children/{cautioned}/undo-merge", headers=officer.headers)
    assert twice.status_code == 409


def test_undo_merge_of_an_unknown_child_is_404_and_needs_the_decide_permission(
    client: TestClient, make_user: MakeUser
) -> None:
    officer = make_user(Role.LA_OFFICER, la_code="901")
    unknown = ChildId.new()
    assert (
        client.post(f"/api/v1/children/{unknown}/undo-merge", headers=officer.headers).status_code
        == 404
    )
    assert client.post(f"/api/v1/children/{unknown}/undo-merge").status_code == 401
    practitioner = make_user(Role.PRACTITIONER)
    assert (
        client.post(
            f"/api/v1/children/{unknown}/undo-merge", headers=practitioner.headers
        ).status_code
        == 403
    )
    assert client.post(
        "/api/v1/children/not-an-id/undo-merge", headers=officer.headers
    ).status_code in {404, 422}


def _store_and_link(container: Container, record: SourceRecord) -> Any:
    with container.uow_factory() as uow:
        load_id = uow.feeds.start_load(source=record.source, filename="t", content_sha256="0" * 64)
        raw_id = uow.feeds.store_raw(load_id=load_id, line_no=1, text=record.record_id)
        uow.records.put_version(record=record, raw_id=raw_id)
        outcome = link_record(uow=uow, record=record, engine=ENGINE, actor="test")
        uow.commit()
    return outcome


def test_an_item_with_no_authority_goes_to_the_national_queue(
    container: Container,
    client: TestClient,
    make_user: MakeUser,
    health_record: Callable[..., dict[str, Any]],
) -> None:
    first = health_record(record_id="H1")
    _store_and_link(container, SourceRecord(Source.HEALTH, "H1", first, None))
    doubtful = dict(first, birth_date="2009-11-30")
    queued = _store_and_link(container, SourceRecord(Source.HEALTH, "H2", doubtful, None))
    assert queued.kind is MatchKind.REVIEW
    admin = make_user(Role.ADMIN)
    [item] = _items(client, admin)
    assert item["item_id"] == str(queued.review_item)
    assert item["authority"] is None
    assert _items(client, make_user(Role.LA_OFFICER, la_code="901")) == []
    # Admins see the national queue; deciding stays with officers (REVIEW_DECIDE).
    decided = client.post(
        f"/api/v1/review/{item['item_id']}", json={"action": "link"}, headers=admin.headers
    )
    assert decided.status_code == 403


def test_a_malformed_item_id_is_404_never_500(client: TestClient, make_user: MakeUser) -> None:
    officer = make_user(Role.LA_OFFICER, la_code="901")
    for bad in ("c", "x12", "c-1", "99999999999999999999", "12c"):
        response = client.post(
            f"/api/v1/review/{bad}", json={"action": "link"}, headers=officer.headers
        )
        assert response.status_code in {404, 422}, bad


def test_an_item_follows_its_child_when_the_child_is_merged_away(
    container: Container,
    client: TestClient,
    make_user: MakeUser,
    health_record: Callable[..., dict[str, Any]],
) -> None:
    from childindex.services.merging import merge_children

    first = health_record(record_id="H1", la_code="901")
    candidate = _store_and_link(container, SourceRecord(Source.LA, "L1", first, None)).child_id
    doubtful = dict(first, birth_date="2009-11-30")
    queued = _store_and_link(container, SourceRecord(Source.LA, "L2", doubtful, None))
    assert queued.kind is MatchKind.REVIEW
    third = health_record(given_name="Zed", nhs_number="9990000034", la_code="901")
    other = _store_and_link(container, SourceRecord(Source.LA, "L3", third, None)).child_id
    with container.uow_factory() as uow:
        merge_children(uow=uow, child_id=queued.child_id, into=other, actor="officer")
        uow.commit()
    officer = make_user(Role.LA_OFFICER, la_code="901")
    # The item is still the officer's to decide, about the child its record is on now.
    [item] = [i for i in _items(client, officer) if i["item_id"] == str(queued.review_item)]
    assert item["record_child_id"] == str(other)
    assert item["candidate_child_id"] == str(candidate)
    response = client.post(
        f"/api/v1/review/{queued.review_item}", json={"action": "link"}, headers=officer.headers
    )
    assert response.status_code == 200, response.text
    with container.uow_factory() as uow:
        assert uow.records.linked_child(source=Source.LA, record_id="L2") == candidate
        assert uow.records.linked_child(source=Source.LA, record_id="L3") == other
