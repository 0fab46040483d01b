"""Views made into FHIR R4 resources. Pure mapping: everything shown was already decided by
``policy/redact.py``; a field absent from the view is absent from the resource.

A shielded child carries ``meta.security`` code ``R`` (restricted) and, for a viewer without
clearance, only its ID, name, gender and age: no address, telecom, contact or
generalPractitioner, because the view has none.
"""

from __future__ import annotations

from typing import Any

from childindex.policy.views import AddressView, CarerView, ChildSummary, ChildView, SearchResult

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
CHILD_ID_SYSTEM = "urn:childindex:id:child-id"
UPN_SYSTEM = "urn:childindex:id:upn"
AGE_EXTENSION = "urn:childindex:fhir:extension:age-in-years"
MEDIATED_CONTACT_EXTENSION = "urn:childindex:fhir:extension:mediated-contact"
CONFIDENTIALITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
FHIR_JSON = "application/fhir+json"

_GENDER = {"F": "female", "M": "male", "U": "unknown"}

Resource = dict[str, Any]


def _address(address: AddressView | None, *, town: str | None, postcode: str | None) -> Resource:
    lines = [line for line in (address.line1, address.line2) if line] if address else []
    found = {
        "line": lines or None,
        "city": address.town if address else town,
        "postalCode": address.postcode if address else postcode,
    }
    return {k: v for k, v in found.items() if v}


def _contact(carer: CarerView) -> Resource:
    contact: Resource = {"name": {"family": carer.family_name, "given": [carer.given_name]}}
    if carer.relationship:
        contact["relationship"] = [{"text": carer.relationship}]
    telecom = [
        {"system": system, "value": value}
        for system, value in (("phone", carer.phone), ("email", carer.email))
        if value
    ]
    if telecom:
        contact["telecom"] = telecom
    return contact


def _common(view: ChildView | ChildSummary) -> Resource:
    patient: Resource = {"resourceType": "Patient", "id": view.child_id}
    if view.shielded:
        patient["meta"] = {
            "security": [{"system": CONFIDENTIALITY_SYSTEM, "code": "R", "display": "restricted"}]
        }
    extensions: list[Resource] = []
    if view.age is not None:
        extensions.append({"url": AGE_EXTENSION, "valueInteger": view.age})
    if view.mediated_contact:
        extensions.append({"url": MEDIATED_CONTACT_EXTENSION, "valueUrl": view.mediated_contact})
    if extensions:
        patient["extension"] = extensions
    patient["identifier"] = [{"system": CHILD_ID_SYSTEM, "value": view.child_id}]
    patient["name"] = [{"use": "official", "family": view.family_name, "given": [view.given_name]}]
    patient["gender"] = _GENDER.get(view.sex, "unknown")
    if view.birth_date is not None:
        patient["birthDate"] = view.birth_date.isoformat()
    return patient


def patient(view: ChildView) -> Resource:
    """A child's record as a Patient."""
    resource = _common(view)
    if view.other_given_names:
        resource["name"][0]["given"] += view.other_given_names.split()
    if view.nhs_number:
        resource["identifier"].append({"system": NHS_NUMBER_SYSTEM, "value": view.nhs_number})
    if view.upn:
        resource["identifier"].append({"system": UPN_SYSTEM, "value": view.upn})
    if view.deceased_date is not None:
        resource["deceasedDateTime"] = view.deceased_date.isoformat()
    address = _address(view.address, town=None, postcode=None)
    if address:
        resource["address"] = [address]
    if view.carers:
        resource["contact"] = [_contact(c) for c in view.carers]
    if view.gp_practice and (view.gp_practice.code or view.gp_practice.name):
        practice: Resource = {"type": "Organization"}
        if view.gp_practice.code:
            practice["identifier"] = {"system": ODS_SYSTEM, "value": view.gp_practice.code}
        if view.gp_practice.name:
            practice["display"] = view.gp_practice.name
        resource["generalPractitioner"] = [practice]
    return resource


def summary_patient(summary: ChildSummary) -> Resource:
    """A search result as a Patient (what the JSON API's summary shows, no more)."""
    resource = _common(summary)
    address = _address(None, town=summary.town, postcode=summary.postcode)
    if address:
        resource["address"] = [address]
    return resource


def searchset(result: SearchResult, *, base_url: str) -> Resource:
    """Search results as a ``searchset`` Bundle; ``total`` as the JSON API counts it.

    The search parameters are not echoed back: a response carries only what the viewer may see.
    """
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": result.total,
        "entry": [
            {
                "fullUrl": f"{base_url}/Patient/{s.child_id}",
                "resource": summary_patient(s),
                "search": {"mode": "match"},
            }
            for s in result.results
        ],
    }


def operation_outcome(*, status: int, code: str, message: str, field: str | None) -> Resource:
    """An error as an ``OperationOutcome``; our own error code rides in ``details``."""
    issue_code = {
        400: "invalid",
        401: "login",
        403: "forbidden",
        404: "not-found",
        409: "conflict",
        422: "invalid",
    }.get(status, "exception")
    issue: Resource = {
        "severity": "error",
        "code": issue_code,
        "details": {"coding": [{"system": "urn:childindex:error", "code": code}], "text": message},
        "diagnostics": message,
    }
    if field:
        issue["expression"] = [field]
    return {"resourceType": "OperationOutcome", "issue": [issue]}
