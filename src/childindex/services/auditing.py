"""Reading the audit log back: integrity checks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from childindex.audit.chain import AuditEvent, ChainedEntry, first_broken
from childindex.audit.tags import AuditTag
from childindex.services.ports import UnitOfWork


def verify_chain(*, uow: UnitOfWork) -> tuple[int, int | None]:
    """How many entries were checked, and the sequence number of the first broken one."""
    counted = 0

    def counting(entries: Iterator[ChainedEntry]) -> Iterator[ChainedEntry]:
        nonlocal counted
        for entry in entries:
            counted += 1
            yield entry

    with uow:
        broken = first_broken(counting(uow.audit.entries()))
    return counted, broken


def record_denied(
    *, uow: UnitOfWork, actor: str, permission: str, path: str, now: datetime
) -> None:
    """Audit a refused request: who, which permission they lacked, on which route."""
    with uow:
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.ACCESS_DENIED,
                actor=actor,
                at=now,
                detail={"permission": permission, "route": path},
            )
        )
        uow.commit()
