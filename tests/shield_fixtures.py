"""Helpers for shield tests: la-style records (no la reader exists on this branch yet)
loaded through the real ingest service, and a practitioner's-eye sweep of the API."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from fastapi.testclient import TestClient

from app_fixtures import FIXED_NOW
from childindex.bootstrap import Container
from childindex.domain.permissions import Role
from childindex.domain.shield import ShieldRule
from childindex.domain.source_record import ParsedLine, Source, SourceRecord
from childindex.domain.users import User
from childindex.matching.ports import MatchEngine
from childindex.policy.viewer import Viewer
from childindex.services import ingest
from childindex.services.shield_screen import DEFAULT_RULE

# A national administrator (no authority): may shield any child.
ADMIN = Viewer.for_user(
    User(
        user_id=2,
        username="admin-model",
        role=Role.ADMIN,
        la_code=None,
        organisation="National team",
        vetting_expires=None,
    )
)


def officer(la_code: str) -> Viewer:
    """An officer of local authority ``la_code``: decides its review items."""
    return Viewer.for_user(
        User(
            user_id=3,
            username=f"officer-{la_code}",
            role=Role.LA_OFFICER,
            la_code=la_code,
            organisation="Children's services",
            vetting_expires=None,
        )
    )


def pairs(ones: Iterable[str], others: Iterable[str]) -> set[frozenset[str]]:
    """Every pair of a record of ``ones`` with one of ``others`` (record ids): the pairs an
    officer sets apart, or joins, by one action."""
    return {frozenset((a, b)) for a in ones for b in others if a != b}


def la_record(**fields: Any) -> dict[str, Any]:
    """A local-authority record payload (contract names); keyword arguments override."""
    record: dict[str, Any] = {
        "record_id": "L1",
        "given_name": "Amara",
        "family_name": "Okafor",
        "sex": "F",
        "birth_date": "2015-03-14",
        "address_line1": "12 Testing Row",
        "town": "Exampleton",
        "postcode": "ZZ1 1AA",
        "la_code": "901",
        "involvements": [],
    }
    record.update(fields)
    return record


def load_la(
    container: Container,
    records: Iterable[dict[str, Any]],
    *,
    rule: ShieldRule = DEFAULT_RULE,
    engine: MatchEngine | None = None,
    batch_size: int = ingest.BATCH_SIZE,
) -> ingest.LoadReport:
    """Load la-style records through ``ingest.load_feed`` (raw first, then linked), with the
    service's default engine unless ``engine`` is given."""
    lines = []
    for number, record in enumerate(records, start=1):
        payload = {k: v for k, v in record.items() if k != "record_id" and v is not None}
        parsed = SourceRecord(Source.LA, record["record_id"], payload, None)
        lines.append(ParsedLine(number, json.dumps(record), parsed))
    data = "".join(line.text + "\n" for line in lines).encode()
    return ingest.load_feed(
        uow_factory=container.uow_factory,
        source=Source.LA,
        filename="la.jsonl",
        data=data,
        lines=lines,
        actor="test",
        now=FIXED_NOW,
        rule=rule,
        engine=engine,
        batch_size=batch_size,
    )


def practitioner_sweep(
    client: TestClient, headers: dict[str, str], searches: Iterable[dict[str, str]]
) -> str:
    """Everything a practitioner gets back from the searches and from reading every child
    they found, concatenated (bodies and headers)."""
    seen: list[str] = []
    found: set[str] = set()
    for params in searches:
        response = client.get("/api/v1/children", params=params, headers=headers)
        assert response.status_code in (200, 400, 422), response.text
        seen += [response.text, str(response.headers)]
        if response.status_code == 200:
            found |= {r["child_id"] for r in response.json()["results"]}
    for child_id in sorted(found):
        response = client.get(f"/api/v1/children/{child_id}", headers=headers)
        seen += [response.text, str(response.headers)]
    return "\n".join(seen)
