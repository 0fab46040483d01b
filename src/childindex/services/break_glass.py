"""Break-glass: a person with the child-protection grant opens a shielded child's record.

They are warned, state a reason, and the access lasts for that session only (the web layer
keeps the child ID in the server-side session; ``Viewer.with_break_glass`` honours it only
while the grant stands). Each use is audited and leaves an alert for the team responsible
for the child (``break_glass_alerts``), in the same unit of work.
"""

from __future__ import annotations

from datetime import datetime

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.access_reasons import break_glass_reason
from childindex.domain.errors import InvalidInput, NotFound, PermissionDenied
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Permission
from childindex.policy.viewer import Viewer
from childindex.services.ports import BreakGlassAlert, UnitOfWork


def break_glass(
    *, uow: UnitOfWork, viewer: Viewer, child_id: ChildId, detail: str, now: datetime
) -> str:
    """Record a break-glass access to a shielded child; return the child ID to remember.

    Example::

        opened = break_glass(uow=uow_factory(), viewer=viewer, child_id=cid,
                             detail="Police strategy meeting in one hour", now=now)
        session["break_glass"] = [*session.get("break_glass", []), opened]
    """
    if not viewer.can(Permission.CHILD_BREAK_GLASS):
        msg = f"you do not have permission to do this ({Permission.CHILD_BREAK_GLASS.value})"
        raise PermissionDenied(msg)
    reason = break_glass_reason(detail)
    with uow:
        child = uow.children.get(child_id)
        if child is None:
            msg = f"no child with ID {child_id}"
            raise NotFound(msg, field="child_id")
        if not child.shielded:
            msg = "this record is not shielded: open it in the usual way"
            raise InvalidInput(msg, field="child_id")
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.BREAK_GLASS,
                actor=viewer.username,
                at=now,
                child_ids=(str(child_id),),
                detail={"reason": reason, "la_code": child.la_code},
            )
        )
        uow.security.alert_add(
            BreakGlassAlert(
                child_id=str(child_id),
                la_code=child.la_code,
                username=viewer.username,
                reason=reason,
                at=now,
            )
        )
        uow.commit()
    return str(child_id)


def alerts(*, uow: UnitOfWork, la_code: str | None) -> list[BreakGlassAlert]:
    """Break-glass alerts for the team of ``la_code`` (all of them if None), oldest first."""
    with uow:
        return uow.security.alerts(la_code)
