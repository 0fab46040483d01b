"""Exporting every current link, for reconciliation and for measuring matching quality."""

from __future__ import annotations

import csv
from datetime import datetime
from typing import TextIO

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.services.ports import UnitOfWork

LINK_COLUMNS = ("source", "record_id", "child_id", "decided_by")


def export_links(*, uow: UnitOfWork, out: TextIO, actor: str, now: datetime) -> int:
    """Write ``source,record_id,child_id,decided_by`` for every current link; audited.

    Identifiers only: no child's details leave through this export.
    """
    with uow:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(LINK_COLUMNS)
        count = 0
        for source, record_id, child_id, decided_by in uow.records.current_links():
            writer.writerow((source.value, record_id, str(child_id), decided_by))
            count += 1
        uow.audit.record(
            AuditEvent(tag=AuditTag.LINKS_EXPORTED, actor=actor, at=now, detail={"links": count})
        )
        uow.commit()
    return count
