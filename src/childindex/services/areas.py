"""Routing a child to its responsible local authority (ADR 0007).

A child's authority is the la feed's ``la_code``; failing that, the authority of the postcode
district it lives in, from a reference mapping (``childindex admin areas load``). The
district is worked out in memory while the child is projected; only the resulting
``la_code`` is stored, never the postcode or its district. A child with neither stays with
no authority: its review items go to the national queue (admins).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from functools import cache

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.child import Child
from childindex.matching.standardise import postcode_levels
from childindex.services.ports import UnitOfWork, UnitOfWorkFactory


def route(
    uow: UnitOfWork, child: Child, *, lookup: Callable[[str], str | None] | None = None
) -> Child:
    """``child`` with its responsible authority: its own ``la_code``, else its postcode
    district's (unchanged if neither is known). ``lookup`` (district -> authority) may stand
    in for the store, e.g. a batch's memo of it."""
    if child.la_code or child.address is None or not child.address.postcode:
        return child
    district = postcode_levels(child.address.postcode).district
    if not district:
        return child
    authority = (lookup or uow.areas.authority_for)(district)
    return replace(child, la_code=authority) if authority else child


def load_areas(*, uow: UnitOfWork, areas: Mapping[str, str], actor: str, now: datetime) -> int:
    """Record the mapping (district -> local authority); return how many districts are
    mapped now. Children are routed by it from their next update on (or by
    :func:`reroute_children` at once)."""
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


def reroute_children(
    *,
    uow_factory: UnitOfWorkFactory,
    actor: str,
    now: datetime,
    batch: int = 1_000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Give every held child with no authority its postcode district's, one committed batch
    at a time; return how many were routed. Only ``la_code`` changes (no identity field), so
    the shield screen has nothing new to compare."""
    routed = seen = 0
    after = ""
    while True:
        with uow_factory() as uow:
            ids = uow.children.without_authority(after=after, limit=batch)
            if not ids:
                return routed
            authority = cache(uow.areas.authority_for)  # each district asked once a batch
            routed_now = []
            for child_id in ids:
                child = uow.children.get(child_id)
                if child is None:
                    continue
                found = route(uow, child, lookup=authority)
                if found.la_code:
                    routed_now.append(found)
            uow.children.set_authorities(routed_now)
            changed = [str(child.child_id) for child in routed_now]
            if changed:
                uow.audit.record(
                    AuditEvent(
                        tag=AuditTag.CHILDREN_ROUTED,
                        actor=actor,
                        at=now,
                        child_ids=tuple(changed),
                        detail={"routed": len(changed)},
                    )
                )
            uow.commit()
        routed += len(changed)
        seen += len(ids)
        after = ids[-1].value
        if progress is not None:
            progress(seen)
