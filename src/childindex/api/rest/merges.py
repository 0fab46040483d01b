"""``POST /api/v1/children/{child_id}/undo-merge``: an officer undoes a merge."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from childindex.auth.dependencies import ContainerDep, require
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Permission
from childindex.policy.viewer import Viewer
from childindex.policy.views import UndoMergeResult
from childindex.services import review

router = APIRouter(prefix="/api/v1/children", tags=["review"])


@router.post("/{child_id}/undo-merge", response_model=UndoMergeResult)
def undo_merge(
    child_id: str,
    viewer: Annotated[Viewer, Depends(require(Permission.REVIEW_DECIDE))],
    container: ContainerDep,
) -> Any:
    """Undo the merge that retired this child: its records move back and it is active
    again, through the shield screen (a shield is never lifted by an undo). Each record
    is remembered as not the other child, so no rescore merges them again (ADR 0035)."""
    return review.undo_merge_child(
        uow=container.uow_factory(),
        viewer=viewer,
        child_id=ChildId.parse(child_id),
        now=container.clock(),
    )
