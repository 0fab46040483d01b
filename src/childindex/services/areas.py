"""Routing a child to its responsible local authority (ADR 0007).

A child's authority is the la feed's ``la_code``; failing that, the authority of the postcode
district it lives in, from a reference mapping (``childindex admin areas load``). The
district is worked out in memory while the child is projected; only the resulting
``la_code`` is stored, never the postcode or its district. A child with neither stays with
no authority: its review items go to the national queue (admins).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.child import Child
from childindex.matching.standardise import postcode_levels
from childindex.services.ports import UnitOfWork


def route(uow: UnitOfWork, child: Child) -> Child:
    """``child`` with its responsible authority: its own ``la_code``, else its postcode
    district's (unchanged if neither is known)."""
    if child.la_code or child.address is None or not child.address.postcode:
        return child
    district = postcode_levels(child.address.postcode).district
    if not district:
        return child
    authority = uow.areas.authority_for(district)
    return replace(child, la_code=authority) if authority else child


def load_areas(*, uow: UnitOfWork, areas: Mapping[str, str], actor: str, now: datetime) -> int:
    """Record the mapping (district -> local authority); return how many districts are
    mapped now. Children are routed by it from their next update on."""
    with uow:
        uow.areas.put(areas)
        total = uow.areas.count()
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.AREAS_LOADED,
                actor=actor,
                at=now,
                detail={"districts": len(areas), "mapped": total},
            )
        )
        uow.commit()
    return total
