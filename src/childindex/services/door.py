"""The one door: the only way child data leaves the core.

Every read is made into a view by ``policy/redact.py`` for a named viewer, and its audit
entry is written in the same unit of work: if the entry cannot be written, the read fails.
"""

from __future__ import annotations

from datetime import datetime

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.errors import NotFound, PermissionDenied
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Permission
from childindex.policy.criteria import SearchCriteria, plan_search
from childindex.policy.redact import may_see_hidden, summarise, view_child
from childindex.policy.viewer import Viewer
from childindex.policy.views import ChildView, SearchResult
from childindex.services.ports import UnitOfWork


def _require(viewer: Viewer, permission: Permission) -> None:
    if not viewer.can(permission):
        msg = f"you do not have permission to do this ({permission.value})"
        raise PermissionDenied(msg)


def search_children(
    *,
    uow: UnitOfWork,
    viewer: Viewer,
    criteria: SearchCriteria,
    limit: int,
    now: datetime,
) -> SearchResult:
    """Find children matching ``criteria`` as ``viewer`` may know them; audited."""
    _require(viewer, Permission.CHILD_SEARCH)
    plan = plan_search(criteria, cleared_las=viewer.shield_clearance_las)
    today = now.date()
    with uow:
        children, total = uow.children.search(plan, limit=limit)
        summaries = [summarise(child, viewer, today=today) for child in children]
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.CHILDREN_SEARCHED,
                actor=viewer.username,
                at=now,
                child_ids=tuple(s.child_id for s in summaries),
                detail={"criteria": criteria.used(), "total": total},
            )
        )
        for child in children:
            if not may_see_hidden(child, viewer):
                # The mediated-contact exception (invariant 3) is audited per child found.
                uow.audit.record(
                    AuditEvent(
                        tag=AuditTag.SHIELDED_CHILD_FOUND,
                        actor=viewer.username,
                        at=now,
                        child_ids=(str(child.child_id),),
                    )
                )
        uow.commit()
    return SearchResult(results=summaries, total=total)


def read_child(
    *,
    uow: UnitOfWork,
    viewer: Viewer,
    child_id: ChildId,
    reason: str | None,
    now: datetime,
) -> ChildView:
    """The child as ``viewer`` may see it; the fields shown are audited with the reason."""
    _require(viewer, Permission.CHILD_READ)
    with uow:
        child = uow.children.get(child_id)
        if child is None:
            msg = f"no child with ID {child_id}"
            raise NotFound(msg, field="child_id")
        view = view_child(child, viewer, today=now.date())
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.CHILD_VIEWED,
                actor=viewer.username,
                at=now,
                child_ids=(str(child_id),),
                fields=tuple(view.shown_fields()),
                detail={"reason": reason, "shielded": child.shielded},
            )
        )
        uow.commit()
    return view
