"""Invariant 5: if the audit entry cannot be written, the read does not happen."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from childindex.domain.permissions import Role

POSTGRES_TRIGGER = [
    """CREATE FUNCTION refuse_audit() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit store unavailable'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events
       FOR EACH ROW EXECUTE FUNCTION refuse_audit()""",
]
SQLITE_TRIGGER = [
    """CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_events
       BEGIN SELECT RAISE(ABORT, 'audit store unavailable'); END""",
]


@pytest.fixture
def audit_down(engine: Engine) -> Iterator[Callable[[], None]]:
    """Call it to make every audit insert fail; undone after the test."""

    def break_audit() -> None:
        statements = POSTGRES_TRIGGER if engine.dialect.name == "postgresql" else SQLITE_TRIGGER
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))

    yield break_audit
    with engine.begin() as connection:
        connection.execute(
            text(
                "DROP TRIGGER IF EXISTS refuse_audit ON audit_events"
                if engine.dialect.name == "postgresql"
                else "DROP TRIGGER IF EXISTS refuse_audit"
            )
        )
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP FUNCTION IF EXISTS refuse_audit()"))


def test_a_read_whose_audit_entry_cannot_be_written_fails_and_shows_nothing(
    client: TestClient,
    make_user: Callable[..., Any],
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
    audit_down: Callable[[], None],
) -> None:
    practitioner = make_user(Role.PRACTITIONER)
    load_health([health_record(address_line1="5 Unseen Close")])
    found = client.get(
        "/api/v1/children", params={"family_name": "Okafor"}, headers=practitioner.headers
    )
    child_id = found.json()["results"][0]["child_id"]
    audit_down()
    read = client.get(f"/api/v1/children/{child_id}", headers=practitioner.headers)
    assert read.status_code == 503
    assert read.json()["error"]["code"] == "audit_failure"
    assert "Unseen" not in read.text
    search = client.get(
        "/api/v1/children", params={"family_name": "Okafor"}, headers=practitioner.headers
    )
    assert search.status_code == 503
    assert "Okafor" not in search.text
