"""Invariant 3: a search on a field hidden from the viewer behaves as if the shielded child
did not exist — same results, same order, same total."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from childindex.domain.permissions import Role

# No neighbour is a twin of the shielded child: a twin (same birth date and surname) scores
# above the caution threshold and is itself shielded (tests/integration/test_shield_screen.py).
NEIGHBOURS = [
    ("N1", "Aaliyah", "Quennell", "2014-01-02", "9990000034"),
    ("N2", "Bram", "Quennell", "2013-02-09", "9990000042"),
    ("N3", "Cerys", "Zimmer", "2012-05-06", "9990000050"),
]
SHIELDED = ("S1", "Marlowe", "Quennell", "2016-07-21", "9990000026")


def _record(
    health_record: Callable[..., dict[str, Any]], row: tuple[str, ...], **extra: Any
) -> dict[str, Any]:
    record_id, given, family, born, nhs = row
    return health_record(
        record_id=record_id,
        given_name=given,
        family_name=family,
        birth_date=born,
        nhs_number=nhs,
        postcode="ZZ9 9ZZ",
        **extra,
    )


QUERIES: list[dict[str, str]] = [
    {"family_name": "Quennell", "postcode": "ZZ9 9ZZ"},
    {"family_name": "Quennell"},
    {"family_name": "Quennell", "birth_date": "2016-07-21"},
    {"given_name": "Marlowe", "family_name": "Quennell", "postcode": "ZZ9 9ZZ"},
    {"nhs_number": "9990000026"},
]


def _results(client: TestClient, headers: dict[str, str]) -> list[tuple[list[str], int]]:
    answers = []
    for params in QUERIES:
        response = client.get("/api/v1/children", params=params, headers=headers)
        assert response.status_code == 200
        body = response.json()
        answers.append(([r["child_id"] for r in body["results"]], body["total"]))
    return answers


def test_hidden_criteria_searches_are_unchanged_by_a_shielded_child(
    client: TestClient,
    make_user: Callable[..., Any],
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
) -> None:
    practitioner = make_user(Role.PRACTITIONER)
    load_health([_record(health_record, row) for row in NEIGHBOURS])
    before = _results(client, practitioner.headers)
    assert any(total for _, total in before), "the queries must find the neighbours"
    load_health([_record(health_record, SHIELDED, sensitive=True)])
    after = _results(client, practitioner.headers)
    assert after == before


def test_the_exact_name_and_birth_date_find_only_the_shielded_summary(
    client: TestClient,
    make_user: Callable[..., Any],
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
) -> None:
    practitioner = make_user(Role.PRACTITIONER)
    load_health([_record(health_record, SHIELDED, sensitive=True)])
    params = {"given_name": "marlowe", "family_name": "QUENNELL", "birth_date": "2016-07-21"}
    body = client.get("/api/v1/children", params=params, headers=practitioner.headers).json()
    assert body["total"] == 1
    (hit,) = body["results"]
    assert hit["shielded"] is True
    assert set(hit) == {
        "child_id",
        "given_name",
        "family_name",
        "sex",
        "age",
        "shielded",
        "mediated_contact",
    }
