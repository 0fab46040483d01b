"""``Child`` <-> JSON for ``children.details``: an exact round trip.

Dates become ISO strings, enums their values, tuples lists; ``child_from_json`` rebuilds
the same frozen dataclasses::

    >>> child_from_json(child_to_json(child)) == child  # doctest: +SKIP
    True

Every field of ``Child`` is written by name, so a field added to ``Child`` without a line
here is caught by the test comparing the keys written with ``dataclasses.fields(Child)``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from childindex.domain.child import Address, Carer, Child, Involvement, Setting, Sex, SourceRef
from childindex.domain.ids import ChildId

FORMAT = 1


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _undate(value: str | None) -> date | None:
    return date.fromisoformat(value) if value is not None else None


def _address(a: Address) -> dict[str, Any]:
    return {"line1": a.line1, "line2": a.line2, "town": a.town, "postcode": a.postcode}


def _setting(s: Setting) -> dict[str, Any]:
    return {"code": s.code, "name": s.name, "phone": s.phone}


def _carer(c: Carer) -> dict[str, Any]:
    return {
        "given_name": c.given_name,
        "family_name": c.family_name,
        "relationship": c.relationship,
        "parental_responsibility": c.parental_responsibility,
        "phone": c.phone,
        "email": c.email,
    }


def _involvement(i: Involvement) -> dict[str, Any]:
    return {
        "service_type": i.service_type,
        "organisation": i.organisation,
        "practitioner_name": i.practitioner_name,
        "phone": i.phone,
        "email": i.email,
        "lead_professional": i.lead_professional,
        "assessment_in_place": i.assessment_in_place,
        "sensitive": i.sensitive,
        "consent_to_share": i.consent_to_share,
        "start_date": _day(i.start_date),
        "end_date": _day(i.end_date),
    }


def child_to_json(child: Child) -> dict[str, Any]:
    """The JSON-compatible form of ``child`` (plain dicts, lists, strings, numbers)."""
    return {
        "format": FORMAT,
        "child_id": child.child_id.value,
        "given_name": child.given_name,
        "family_name": child.family_name,
        "sex": child.sex.value,
        "birth_date": _day(child.birth_date),
        "other_given_names": child.other_given_names,
        "address": _address(child.address) if child.address is not None else None,
        "nhs_number": child.nhs_number,
        "upn": child.upn,
        "gp_practice": _setting(child.gp_practice) if child.gp_practice is not None else None,
        "school": _setting(child.school) if child.school is not None else None,
        "carers": [_carer(c) for c in child.carers],
        "involvements": [_involvement(i) for i in child.involvements],
        "la_code": child.la_code,
        "shielded": child.shielded,
        "deceased_date": _day(child.deceased_date),
        "field_sources": {
            name: {"source": ref.source, "record_id": ref.record_id}
            for name, ref in child.field_sources.items()
        },
    }


def _involvement_from(i: dict[str, Any]) -> Involvement:
    return Involvement(
        **{**i, "start_date": _undate(i["start_date"]), "end_date": _undate(i["end_date"])}
    )


def child_from_json(data: dict[str, Any]) -> Child:
    """The ``Child`` that ``child_to_json`` wrote; raise ``ValueError`` on an unknown format."""
    if data.get("format") != FORMAT:
        msg = f"unknown child details format {data.get('format')!r}"
        raise ValueError(msg)
    address, gp, school = data["address"], data["gp_practice"], data["school"]
    return Child(
        child_id=ChildId.stored(data["child_id"]),
        given_name=data["given_name"],
        family_name=data["family_name"],
        sex=Sex(data["sex"]),
        birth_date=_undate(data["birth_date"]),
        other_given_names=data["other_given_names"],
        address=Address(**address) if address is not None else None,
        nhs_number=data["nhs_number"],
        upn=data["upn"],
        gp_practice=Setting(**gp) if gp is not None else None,
        school=Setting(**school) if school is not None else None,
        carers=tuple(Carer(**c) for c in data["carers"]),
        involvements=tuple(_involvement_from(i) for i in data["involvements"]),
        la_code=data["la_code"],
        shielded=data["shielded"],
        deceased_date=_undate(data["deceased_date"]),
        field_sources={
            name: SourceRef(ref["source"], ref["record_id"])
            for name, ref in data["field_sources"].items()
        },
    )
