"""The exposure report: for one child, every user shown any field beyond name, sex and
age — when, by which path and which fields — so an incident can be scoped exactly.

It reads the ``child:view`` audit entries (they carry the fields shown) and the search
entries (a search result showing more than the public summary is an exposure too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.ids import ChildId
from childindex.services.ports import UnitOfWork

# How each audited read reached the child.
PATHS = {AuditTag.CHILD_VIEWED: "child record"}


@dataclass(frozen=True, slots=True)
class Exposure:
    """One showing of non-public fields."""

    username: str
    at: datetime
    path: str
    fields: tuple[str, ...]
    shielded_at_the_time: bool | None


def exposure_report(
    *, uow: UnitOfWork, child_id: ChildId, actor: str, now: datetime
) -> list[Exposure]:
    """Every showing of this child's non-public fields, oldest first; the report is audited."""
    wanted = str(child_id)
    found: list[Exposure] = []
    with uow:
        for entry in uow.audit.entries():
            event = entry.event
            path = PATHS.get(event.tag)
            if path is None or wanted not in event.child_ids or not event.fields:
                continue
            shielded = event.detail.get("shielded")
            found.append(
                Exposure(
                    username=event.actor,
                    at=event.at,
                    path=path,
                    fields=tuple(event.fields),
                    shielded_at_the_time=shielded if isinstance(shielded, bool) else None,
                )
            )
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.EXPOSURE_REPORTED,
                actor=actor,
                at=now,
                child_ids=(wanted,),
                detail={"exposures": len(found)},
            )
        )
        uow.commit()
    return found
