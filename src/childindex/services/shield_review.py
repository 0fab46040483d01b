"""Who may know a shield-screen review item exists (design.md issue 6, item 5).

An item pairs a child with a shielded child it might be. Only officers cleared for the
shielded child's authority see it; an item whose shielded child has no authority goes to
national admins. Everyone else gets an empty list: not a 403, which would say items exist.
"""

from __future__ import annotations

from datetime import datetime

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.errors import PermissionDenied
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Permission, Role
from childindex.domain.shield_records import CautionItem
from childindex.policy.viewer import Viewer
from childindex.services.ports import UnitOfWork


def visible_items(*, uow: UnitOfWork, viewer: Viewer, now: datetime) -> list[CautionItem]:
    """Open caution items this viewer is cleared to know of; audited (IDs only)."""
    if not viewer.can(Permission.REVIEW_READ):
        msg = f"you do not have permission to do this ({Permission.REVIEW_READ.value})"
        raise PermissionDenied(msg)
    with uow:
        if viewer.role is Role.ADMIN:
            items = [i for i in uow.shields.caution_items(la_codes=None) if i.la_code is None]
        elif viewer.shield_clearance_las:
            items = uow.shields.caution_items(la_codes=viewer.shield_clearance_las)
        else:
            items = []
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.REVIEW_LISTED,
                actor=viewer.username,
                at=now,
                child_ids=tuple(
                    sorted(
                        {str(ChildId(c)) for i in items for c in (i.child_id, i.shielded_child_id)}
                    )
                ),
                detail={"count": len(items)},
            )
        )
        uow.commit()
    return items
