"""``/children/{child_id}``: one child's record, as this viewer may see it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse

from childindex.auth.dependencies import ContainerDep, require
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Permission
from childindex.policy.viewer import Viewer
from childindex.services import door
from childindex.web.pages import page_router
from childindex.web.presenters import present_child
from childindex.web.templating import render

router = page_router()


@router.get("/children/{child_id}")
def child(
    request: Request,
    child_id: str,
    viewer: Annotated[Viewer, Depends(require(Permission.CHILD_READ))],
    container: ContainerDep,
    reason: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """The child's record through the one door (audited, with the reason if given)."""
    view = door.read_child(
        uow=container.uow_factory(),
        viewer=viewer,
        child_id=ChildId.parse(child_id),
        reason=reason,
        now=container.clock(),
    )
    return render(request, "child.html", {"child": present_child(view)})
