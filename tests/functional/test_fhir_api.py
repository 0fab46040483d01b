"""FHIR R4 ``Patient`` read and search over HTTP, checked against a real FHIR model library.

``fhir.resources`` validates every resource we serve (its R4B package: Patient and Bundle are
the same in R4 and R4B), so a malformed resource fails here, not in a client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient

from childindex.api.fhir.resources import CONFIDENTIALITY_SYSTEM, NHS_NUMBER_SYSTEM
from childindex.audit.tags import AuditTag
from childindex.domain.permissions import Role

NHS = "9990000018"


@pytest.fixture
def loaded(
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
) -> None:
    report = load_health(
        [
            health_record(
                carers=[
                    {
                        "given_name": "Ngozi",
                        "family_name": "Okafor",
                        "relationship": "mother",
                        "parental_responsibility": True,
                        "phone": "07700 900001",
                        "email": "ngozi@example.org",
                    }
                ]
            ),
            health_record(
                record_id="H2",
                given_name="Tobias",
                family_name="Quennell",
                birth_date="2014-02-02",
                nhs_number="9990000026",
                address_line1="4 Hidden Way",
                postcode="ZZ9 9ZZ",
                sensitive=True,
            ),
        ]
    )
    assert (report.accepted, report.shielded) == (2, 1)


def _search(client: TestClient, headers: dict[str, str], **params: str) -> dict[str, Any]:
    response = client.get("/fhir/Patient", params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    body: dict[str, Any] = response.json()
    Bundle.model_validate(body)
    return body


def _read(client: TestClient, headers: dict[str, str], child_id: str) -> dict[str, Any]:
    response = client.get(f"/fhir/Patient/{child_id}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    Patient.model_validate(body)
    return body


def test_a_practitioner_finds_and_reads_a_visible_child_as_a_patient(
    client: TestClient, make_user: Callable[..., Any], loaded: None
) -> None:
    # Source identifiers are shown to users of the issuing kind of body: an NHS one here.
    headers = make_user(Role.PRACTITIONER, organisation="Example NHS Trust").headers
    bundle = _search(client, headers, family="okafor", given="Amara")
    assert (bundle["type"], bundle["total"], len(bundle["entry"])) == ("searchset", 1, 1)
    found = bundle["entry"][0]["resource"]
    assert found["birthDate"] == "2015-03-14"
    assert bundle["entry"][0]["fullUrl"].endswith(f"/fhir/Patient/{found['id']}")
    patient = _read(client, headers, found["id"])
    assert patient["name"][0] == {"use": "official", "family": "Okafor", "given": ["Amara"]}
    assert patient["gender"] == "female"
    assert {"system": NHS_NUMBER_SYSTEM, "value": NHS} in patient["identifier"]
    assert patient["address"][0]["postalCode"] == "ZZ1 1AA"
    assert patient["address"][0]["line"] == ["12 Testing Row"]
    assert patient["contact"][0]["telecom"][0] == {"system": "phone", "value": "07700 900001"}
    assert patient["generalPractitioner"][0]["display"] == "Example Surgery"
    assert "meta" not in patient


def test_the_same_search_finds_the_same_children_as_the_json_api(
    client: TestClient, make_user: Callable[..., Any], loaded: None
) -> None:
    headers = make_user(Role.PRACTITIONER).headers
    for fhir_params, api_params in [
        ({"identifier": f"{NHS_NUMBER_SYSTEM}|{NHS}"}, {"nhs_number": NHS}),
        ({"identifier": NHS}, {"nhs_number": NHS}),
        ({"family": "Quennell"}, {"family_name": "Quennell"}),
        (
            {"family": "Quennell", "given": "Tobias", "birthdate": "eq2014-02-02"},
            {"family_name": "Quennell", "given_name": "Tobias", "birth_date": "2014-02-02"},
        ),
    ]:
        bundle = _search(client, headers, **fhir_params)
        api = client.get("/api/v1/children", params=api_params, headers=headers).json()
        assert bundle["total"] == api["total"], fhir_params
        assert [e["resource"]["id"] for e in bundle.get("entry", [])] == [
            r["child_id"] for r in api["results"]
        ]


def test_a_shielded_child_is_restricted_and_shows_only_name_gender_and_age(
    client: TestClient, make_user: Callable[..., Any], loaded: None
) -> None:
    headers = make_user(Role.PRACTITIONER).headers
    bundle = _search(client, headers, family="Quennell", given="Tobias", birthdate="2014-02-02")
    assert bundle["total"] == 1
    summary = bundle["entry"][0]["resource"]
    patient = _read(client, headers, summary["id"])
    for resource in (summary, patient):
        assert resource["meta"]["security"][0]["system"] == CONFIDENTIALITY_SYSTEM
        assert resource["meta"]["security"][0]["code"] == "R"
        for hidden in ("address", "telecom", "contact", "generalPractitioner", "birthDate"):
            assert hidden not in resource
        assert all(i["system"] != NHS_NUMBER_SYSTEM for i in resource["identifier"])
        ages = [e["valueInteger"] for e in resource["extension"] if "valueInteger" in e]
        assert ages == [12]  # born 2014-02-02, read on the tests' fixed date in 2026
        text = str(resource)
        for value in ("ZZ9 9ZZ", "Hidden Way", "9990000026", "2014-02-02"):
            assert value not in text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"family": "Okafor", "gender": "female"}, "gender"),
        ({"family": "Okafor", "birthdate": "ge2015-01-01"}, "birthdate"),
        ({"identifier": "https://example.org/other|123"}, "identifier"),
        ({"family": "Okafor", "_format": "xml"}, "_format"),
        ({"identifier": f"{NHS_NUMBER_SYSTEM}|9990000019"}, "nhs_number"),
        ({"birthdate": "2015-03-14"}, None),
        ({"family": "x" * 101}, "family"),
    ],
)
def test_bad_searches_are_a_400_operation_outcome_naming_the_parameter(
    client: TestClient,
    make_user: Callable[..., Any],
    loaded: None,
    params: dict[str, str],
    field: str | None,
) -> None:
    headers = make_user(Role.PRACTITIONER).headers
    response = client.get("/fhir/Patient", params=params, headers=headers)
    assert response.status_code == 400, response.text
    outcome = response.json()
    OperationOutcome.model_validate(outcome)
    issue = outcome["issue"][0]
    assert issue["code"] == "invalid"
    if field is not None:
        assert issue["expression"] == [field], issue


def test_unknown_and_malformed_ids_are_outcomes_too(
    client: TestClient, make_user: Callable[..., Any], loaded: None
) -> None:
    headers = make_user(Role.PRACTITIONER).headers
    missing = client.get("/fhir/Patient/T1GT-RMWM-RXBM", headers=headers)
    malformed = client.get("/fhir/Patient/not-an-id", headers=headers)
    unsigned = client.get("/fhir/Patient/T1GT-RMWM-RXBM")
    for response, status, code in [
        (missing, 404, "not-found"),
        (malformed, 400, "invalid"),
        (unsigned, 401, "login"),
    ]:
        assert response.status_code == status, response.text
        OperationOutcome.model_validate(response.json())
        assert response.json()["issue"][0]["code"] == code


def test_reads_and_searches_are_audited_like_the_json_api(
    client: TestClient, container: Any, make_user: Callable[..., Any], loaded: None
) -> None:
    user = make_user(Role.PRACTITIONER)
    found = _search(client, user.headers, family="Okafor")["entry"][0]["resource"]["id"]
    _read(client, user.headers, found)
    with container.uow_factory() as uow:
        mine = [e.event for e in uow.audit.entries() if e.event.actor == user.username]
    assert [e.tag for e in mine][-2:] == [AuditTag.CHILDREN_SEARCHED, AuditTag.CHILD_VIEWED]
    assert mine[-1].child_ids == (found,)
