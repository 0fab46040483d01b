"""The halt switch through the command line and the API: feeds are queued (not lost) and
loaded in arrival order when it lifts, edits are refused (409), reads go on, all audited."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app_fixtures import TestUser as User
from app_fixtures import make_health_record
from childindex import bootstrap
from childindex.audit.tags import AuditTag
from childindex.bootstrap import Container
from childindex.cli.app import app
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Role
from childindex.domain.source_record import Source

MakeUser = Callable[..., User]
HALT = "/api/v1/halt"


@pytest.fixture
def cli(container: Container, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Run ``childindex`` against the test database."""
    monkeypatch.setattr(bootstrap, "build", lambda *_a, **_k: container)
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(app, list(args))

    return run


@pytest.fixture
def admin(make_user: MakeUser) -> User:
    return make_user(Role.ADMIN)


def _feed_file(tmp_path: Path, name: str, records: list[dict[str, Any]]) -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _tags(container: Container) -> list[tuple[AuditTag, str, dict[str, Any]]]:
    with container.uow_factory() as uow:
        return [(e.event.tag, e.event.actor, dict(e.event.detail)) for e in uow.audit.entries()]


def _current(container: Container, record_id: str) -> dict[str, Any] | None:
    with container.uow_factory() as uow:
        for source, rid, payload in uow.records.all_current():
            if source == Source.HEALTH and rid == record_id:
                return payload
    return None


def _child_of(container: Container, record_id: str) -> ChildId:
    with container.uow_factory() as uow:
        child = uow.records.linked_child(source=Source.HEALTH, record_id=record_id)
    assert child is not None
    return child


# --- the command line -------------------------------------------------------------------


def test_cli_halt_on_status_off_with_one_line_messages(cli: Callable[..., Any]) -> None:
    running = cli("halt", "status")
    assert running.exit_code == 0, running.output
    assert running.output.strip() == "updates are running; 0 feeds queued"

    on = cli("halt", "on", "--reason", "health feed sending duplicates")
    assert on.exit_code == 0, on.output
    assert "updates halted: health feed sending duplicates" in on.output

    status = cli("halt", "status", "--json")
    body = json.loads(status.output)
    assert body["halted"] is True
    assert body["reason"] == "health feed sending duplicates"
    assert body["set_by"] == "cli"
    assert body["queued"] == 0

    off = cli("halt", "off", "--reason", "supplier fixed the feed")
    assert off.exit_code == 0, off.output
    assert off.output.strip() == "halt lifted: 0 queued feeds loaded"
    assert json.loads(cli("halt", "status", "--json").output)["halted"] is False


def test_cli_refuses_a_halt_without_a_reason_a_second_halt_and_an_off_when_running(
    cli: Callable[..., Any],
) -> None:
    blank = cli("halt", "on", "--reason", "  ")
    assert blank.exit_code == 1
    assert "a reason is required" in blank.output
    missing = cli("halt", "on")
    assert missing.exit_code != 0
    off = cli("halt", "off")
    assert off.exit_code == 1
    assert "error: updates are not halted" in off.output
    assert cli("halt", "on", "--reason", "first").exit_code == 0
    again = cli("halt", "on", "--reason", "second")
    assert again.exit_code == 1
    assert "already halted" in again.output
    assert "first" in again.output


def test_cli_feed_is_queued_while_halted_and_loaded_in_order_by_halt_off(
    cli: Callable[..., Any], container: Container, tmp_path: Path
) -> None:
    older = _feed_file(
        tmp_path,
        "older.jsonl",
        [make_health_record(town="Oldtown", updated_at="2026-01-01T00:00:00Z")],
    )
    newer = _feed_file(
        tmp_path,
        "newer.jsonl",
        [make_health_record(town="Newtown", updated_at="2026-02-01T00:00:00Z")],
    )
    assert cli("halt", "on", "--reason", "supplier incident 42").exit_code == 0

    first = cli("feeds", "load", "health", str(older))
    assert first.exit_code == 0, first.output
    assert first.output.strip() == (
        "older.jsonl: queued (service halted: supplier incident 42), position 1 in the queue"
    )
    second = cli("feeds", "load", "health", str(newer), "--json")
    assert second.exit_code == 0, second.output
    queued = json.loads(second.output)
    assert (queued["queued"], queued["position"]) == (True, 2)
    assert queued["reason"] == "supplier incident 42"
    # Queued, not loaded: nothing is held yet, and no errors file was written.
    assert _current(container, "H1") is None
    assert not (tmp_path / "older.jsonl.errors.jsonl").exists()
    assert json.loads(cli("halt", "status", "--json").output)["queued"] == 2

    off = cli("halt", "off", "--json")
    assert off.exit_code == 0, off.output
    loaded = json.loads(off.output)["loaded"]
    assert [(i["file"], i["accepted"], i["new"]) for i in loaded] == [
        ("older.jsonl", 1, 1),
        ("newer.jsonl", 1, 0),
    ]
    current = _current(container, "H1")
    assert current is not None
    assert current["town"] == "Newtown"
    status = json.loads(cli("halt", "status", "--json").output)
    assert (status["halted"], status["queued"]) == (False, 0)
    # After the halt, feeds load at once again.
    again = cli("feeds", "load", "health", str(older), "--json")
    assert json.loads(again.output).get("queued") is None


def test_cli_rescore_is_refused_while_halted_with_a_one_line_reason(
    cli: Callable[..., Any],
) -> None:
    assert cli("halt", "on", "--reason", "matching review").exit_code == 0
    result = cli("matching", "rescore")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: updates are halted (matching review): try again when the halt is lifted"
    )


# --- the API ------------------------------------------------------------------------------


def test_api_halt_on_status_off_for_an_admin(client: TestClient, admin: User) -> None:
    assert client.get(HALT, headers=admin.headers).json() == {"halted": False, "queued": 0}
    on = client.put(HALT, json={"reason": "duplicates from la feed"}, headers=admin.headers)
    assert on.status_code == 200, on.text
    body = on.json()
    assert (body["halted"], body["reason"], body["set_by"]) == (
        True,
        "duplicates from la feed",
        admin.username,
    )
    assert client.get(HALT, headers=admin.headers).json()["halted"] is True
    twice = client.put(HALT, json={"reason": "again"}, headers=admin.headers)
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "conflict"
    off = client.request("DELETE", HALT, json={"reason": "fixed"}, headers=admin.headers)
    assert off.status_code == 200, off.text
    assert off.json() == {"halted": False, "loaded": []}
    assert client.delete(HALT, headers=admin.headers).status_code == 409


def test_api_halt_needs_a_reason(client: TestClient, admin: User) -> None:
    response = client.put(HALT, json={"reason": ""}, headers=admin.headers)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "reason"
    assert client.put(HALT, json={}, headers=admin.headers).status_code == 422
    assert client.get(HALT, headers=admin.headers).json()["halted"] is False


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_api_halt_routes_answer_401_without_a_token(client: TestClient, method: str) -> None:
    response = client.request(method, HALT, json={"reason": "x"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.LA_OFFICER, Role.AUDITOR, Role.FEED])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_api_halt_routes_answer_403_to_everyone_but_admins(
    client: TestClient, make_user: MakeUser, role: Role, method: str
) -> None:
    user = make_user(role)
    response = client.request(method, HALT, json={"reason": "x"}, headers=user.headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_api_feed_is_queued_with_202_and_loaded_in_arrival_order(
    client: TestClient, container: Container, admin: User, make_user: MakeUser
) -> None:
    feed = make_user(Role.FEED)
    assert client.put(HALT, json={"reason": "audit of feeds"}, headers=admin.headers).is_success
    # No updated_at: the last one loaded wins, so only arrival order makes Newtown current.
    older = [make_health_record(town="Oldtown")]
    newer = [make_health_record(town="Newtown")]
    first = client.post("/api/v1/feeds/health", json=older, headers=feed.headers)
    second = client.post("/api/v1/feeds/health", json=newer, headers=feed.headers)
    assert first.status_code == 202, first.text
    assert first.json() == {
        "queued": True,
        "message": "queued (service halted: audit of feeds)",
        "reason": "audit of feeds",
        "item": first.json()["item"],
        "position": 1,
    }
    assert second.status_code == 202
    assert second.json()["position"] == 2
    assert second.json()["item"] > first.json()["item"]
    assert _current(container, "H1") is None

    off = client.delete(HALT, headers=admin.headers)
    assert off.status_code == 200, off.text
    loaded = off.json()["loaded"]
    assert [(i["item"], i["new"], i["accepted"]) for i in loaded] == [
        (first.json()["item"], 1, 1),
        (second.json()["item"], 0, 1),
    ]
    current = _current(container, "H1")
    assert current is not None
    assert current["town"] == "Newtown"
    # Running again: straight through.
    after = client.post("/api/v1/feeds/health", json=newer, headers=feed.headers)
    assert after.status_code == 200
    assert after.json()["unchanged"] == 1


def test_an_unreadable_body_is_refused_not_queued_during_a_halt(
    client: TestClient, admin: User, make_user: MakeUser
) -> None:
    feed = make_user(Role.FEED)
    client.put(HALT, json={"reason": "r"}, headers=admin.headers)
    response = client.post("/api/v1/feeds/health", content=b"[1, 2", headers=feed.headers)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "body"
    assert client.get(HALT, headers=admin.headers).json()["queued"] == 0


def test_edits_are_refused_with_409_halted_while_reads_and_contact_go_on(
    client: TestClient,
    container: Container,
    admin: User,
    make_user: MakeUser,
    load_health: Callable[[list[dict[str, Any]]], Any],
) -> None:
    load_health(
        [
            make_health_record(),
            make_health_record(
                record_id="H2",
                nhs_number="9990000026",
                given_name="Beatrix",
                family_name="Quell",
                sensitive=True,
            ),
        ]
    )
    visible = _child_of(container, "H1")
    shielded = _child_of(container, "H2")
    officer = make_user(Role.LA_OFFICER)
    practitioner = make_user(Role.PRACTITIONER)
    reason = "incident 7: bad la feed"
    assert client.put(HALT, json={"reason": reason}, headers=admin.headers).is_success

    edits = [
        (
            "POST",
            f"/api/v1/children/{visible}/shield",
            {"reason": "risk", "review_date": "2027-06-01"},
            admin,
        ),
        ("DELETE", f"/api/v1/children/{shielded}/shield", {"reason": "safe now"}, admin),
        ("POST", "/api/v1/review/1", {"action": "link"}, officer),
        ("POST", "/api/v1/review/1", {"action": "not-a-match"}, officer),
        ("POST", "/api/v1/review/1", {"action": "merge"}, officer),
        (
            "POST",
            f"/api/v1/children/{visible}/split",
            {"records": [{"source": "health", "record_id": "H1"}]},
            officer,
        ),
    ]
    for method, url, body, user in edits:
        response = client.request(method, url, json=body, headers=user.headers)
        assert response.status_code == 409, (method, url, response.text)
        error = response.json()["error"]
        assert error["code"] == "halted", (method, url)
        assert reason in error["message"]

    with container.uow_factory() as uow:
        child = uow.children.get(visible)
    assert child is not None
    assert not child.shielded

    # Reads and searches go on.
    found = client.get(
        "/api/v1/children", params={"family_name": "Okafor"}, headers=practitioner.headers
    )
    assert found.status_code == 200
    assert found.json()["total"] == 1
    read = client.get(f"/api/v1/children/{visible}", headers=practitioner.headers)
    assert read.status_code == 200
    assert read.json()["child_id"] == str(visible)
    # A practitioner at 2 a.m. can still ask for mediated contact.
    contact = client.post(
        f"/api/v1/children/{shielded}/contact-requests",
        json={"message": "Please ask the family to call me", "contact": "01632 960123"},
        headers=practitioner.headers,
    )
    assert contact.status_code in {200, 201}, contact.text

    assert client.delete(HALT, headers=admin.headers).status_code == 200
    response = client.post(
        f"/api/v1/children/{visible}/shield",
        json={"reason": "risk", "review_date": "2027-06-01"},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text


def test_the_audit_trail_shows_halt_on_queue_load_and_off_with_actor_and_reason(
    client: TestClient, container: Container, admin: User, make_user: MakeUser
) -> None:
    feed = make_user(Role.FEED)
    client.put(HALT, json={"reason": "why it halted"}, headers=admin.headers)
    client.post("/api/v1/feeds/health", json=[make_health_record()], headers=feed.headers)
    client.request("DELETE", HALT, json={"reason": "why it resumed"}, headers=admin.headers)
    trail = [
        (t, a, d) for t, a, d in _tags(container) if t.value.startswith(("admin:halt", "feed"))
    ]
    tags = [t for t, _, _ in trail]
    assert tags == [
        AuditTag.HALT_ON,
        AuditTag.FEED_QUEUED,
        AuditTag.FEED_LOADED,
        AuditTag.QUEUED_FEED_LOADED,
        AuditTag.HALT_OFF,
    ]
    on, queued, _, loaded, off = trail
    assert (on[1], on[2]["reason"]) == (admin.username, "why it halted")
    assert (queued[1], queued[2]["position"], queued[2]["source"]) == (feed.username, 1, "health")
    assert (loaded[1], loaded[2]["accepted"]) == (admin.username, 1)
    assert off[1] == admin.username
    assert (off[2]["reason"], off[2]["halt_reason"], off[2]["queued_loaded"]) == (
        "why it resumed",
        "why it halted",
        1,
    )
    # Nothing in the audit log holds a queued record's values.
    assert "Okafor" not in json.dumps([d for _, _, d in trail])
