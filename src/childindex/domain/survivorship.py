"""Survivorship: which source record's value a child shows, field by field.

For each field the sources are tried in a trust order; among records of the same source
the most recently updated wins. Every chosen value remembers its source record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from childindex.domain.child import Address, Carer, Child, Involvement, Setting, Sex, SourceRef
from childindex.domain.ids import ChildId
from childindex.domain.source_record import Source, SourceRecord

H, S, B, L = Source.HEALTH, Source.SCHOOL, Source.BENEFIT, Source.LA
TRUST: dict[str, tuple[Source, ...]] = {
    "name": (H, S, B, L),
    "sex": (H, S, B, L),
    "birth_date": (H, S, B, L),
    "address": (H, B, S, L),
    "nhs_number": (H, L),
    "upn": (S, L),
    "gp_practice": (H,),
    "school": (S,),
    "carers": (H,),
    "involvements": (L,),
    "la_code": (L,),
    "deceased_date": (H,),
}
# Each field's trust order by a number shared by the fields of one order: a key that hashes
# at once (a tuple of sources hashes each member through ``Enum.__hash__``, in Python).
_ORDER: dict[str, int] = {
    name: list(dict.fromkeys(TRUST.values())).index(sources) for name, sources in TRUST.items()
}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
T = TypeVar("T")


def _orderer(records: Sequence[SourceRecord]) -> Callable[[str], list[SourceRecord]]:
    """For each field's trust order, the records of its sources: most trusted source first,
    most recent first within a source, then by record_id, so that the choice is stable.
    Sorted by recency once for all fields, and by trust once per trust order (most fields
    share one)."""
    if len(records) == 1:  # a new child's only record (most children in a bulk load)
        only = records[0]
        return lambda name: [only] if only.source in TRUST[name] else []
    recent = sorted(records, key=lambda r: r.record_id)
    recent.sort(key=lambda r: r.updated_at or _EPOCH, reverse=True)
    by_trust: dict[int, list[SourceRecord]] = {}

    def ordered(name: str) -> list[SourceRecord]:
        order = _ORDER[name]
        chosen = by_trust.get(order)
        if chosen is None:
            # Source by source, in trust order; recency kept within a source.
            chosen = by_trust[order] = [r for s in TRUST[name] for r in recent if r.source == s]
        return chosen

    return ordered


def _pick(
    ordered: Callable[[str], list[SourceRecord]],
    name: str,
    build: Callable[[dict[str, Any]], T | None],
    sources: dict[str, SourceRef],
) -> T | None:
    for record in ordered(name):
        value = build(record.payload)
        if value is not None:
            sources[name] = SourceRef(record.source.value, record.record_id)
            return value
    return None


def _address(p: dict[str, Any]) -> Address | None:
    if not p.get("address_line1") and not p.get("postcode"):
        return None
    return Address(
        line1=p.get("address_line1") or "",
        line2=p.get("address_line2"),
        town=p.get("town"),
        postcode=p.get("postcode"),
    )


def _carers(p: dict[str, Any]) -> tuple[Carer, ...] | None:
    carers = p.get("carers")
    if not carers:
        return None
    return tuple(
        Carer(
            given_name=c.get("given_name", ""),
            family_name=c.get("family_name", ""),
            relationship=c.get("relationship"),
            parental_responsibility=c.get("parental_responsibility"),
            phone=c.get("phone"),
            email=c.get("email"),
        )
        for c in carers
    )


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _involvements(p: dict[str, Any]) -> tuple[Involvement, ...] | None:
    items = p.get("involvements")
    if not items:
        return None
    return tuple(
        Involvement(
            service_type=i.get("service_type", ""),
            organisation=i.get("organisation"),
            practitioner_name=i.get("practitioner_name"),
            phone=i.get("phone"),
            email=i.get("email"),
            lead_professional=bool(i.get("lead_professional")),
            assessment_in_place=bool(i.get("assessment_in_place")),
            sensitive=bool(i.get("sensitive")),
            start_date=_day(i.get("start_date")),
            end_date=_day(i.get("end_date")),
            consent_to_share=bool(i.get("consent_to_share")),
        )
        for i in items
    )


def asks_for_shield(record: SourceRecord) -> bool:
    """True if the source flags this child for shielding (health ``sensitive``, la ``shield``)."""
    return bool(record.payload.get("sensitive")) or bool(record.payload.get("shield"))


def _names(
    ordered: Callable[[str], list[SourceRecord]], sources: dict[str, SourceRef]
) -> tuple[str, str, str | None]:
    names = _pick(
        ordered,
        "name",
        lambda p: (p["given_name"], p["family_name"], p.get("other_given_names")),
        sources,
    )
    return names or ("", "", None)


def _birth_date(
    ordered: Callable[[str], list[SourceRecord]], sources: dict[str, SourceRef]
) -> date | None:
    return _day(_pick(ordered, "birth_date", lambda p: p.get("birth_date"), sources))


def face(records: Sequence[SourceRecord]) -> tuple[str, str, date | None]:
    """The given name, family name and birth date ``project`` gives ``records``, and nothing
    else of the child (what deciding whether a record shows another identity asks first)."""
    ordered = _orderer(records)
    given, family, _ = _names(ordered, {})
    return given, family, _birth_date(ordered, {})


def project(child_id: ChildId, records: Sequence[SourceRecord], *, shielded: bool) -> Child:
    """The child's details from its linked records. ``shielded`` only ever gains: a source
    flag shields, and nothing here lifts a shield (invariant 2)."""
    src: dict[str, SourceRef] = {}
    ordered = _orderer(records)

    def setting(
        code: str, name: str, phone: str | None = None
    ) -> Callable[[dict[str, Any]], Setting | None]:
        def build(p: dict[str, Any]) -> Setting | None:
            if not p.get(code) and not p.get(name):
                return None
            return Setting(
                code=p.get(code), name=p.get(name), phone=p.get(phone) if phone else None
            )

        return build

    given, family, others = _names(ordered, src)
    return Child(
        child_id=child_id,
        given_name=given,
        family_name=family,
        other_given_names=others,
        sex=Sex(_pick(ordered, "sex", lambda p: p.get("sex"), src) or "U"),
        birth_date=_birth_date(ordered, src),
        address=_pick(ordered, "address", _address, src),
        nhs_number=_pick(ordered, "nhs_number", lambda p: p.get("nhs_number"), src),
        upn=_pick(ordered, "upn", lambda p: p.get("upn"), src),
        gp_practice=_pick(
            ordered, "gp_practice", setting("gp_practice_code", "gp_practice_name"), src
        ),
        school=_pick(ordered, "school", setting("school_urn", "school_name", "school_phone"), src),
        carers=_pick(ordered, "carers", _carers, src) or (),
        involvements=_pick(ordered, "involvements", _involvements, src) or (),
        la_code=_pick(ordered, "la_code", lambda p: p.get("la_code"), src),
        deceased_date=_day(_pick(ordered, "deceased_date", lambda p: p.get("deceased_date"), src)),
        shielded=shielded or any(asks_for_shield(r) for r in records),
        field_sources=src,
    )
