"""``GET /api/v1/cautions``: the review items this viewer is cleared to know of."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from childindex.api.schemas import CautionItemRead
from childindex.auth.dependencies import ContainerDep, require
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Permission
from childindex.policy.viewer import Viewer
from childindex.services import shield_review

router = APIRouter(prefix="/api/v1/cautions", tags=["cautions"])


@router.get("", response_model=list[CautionItemRead])
def list_review_items(
    viewer: Annotated[Viewer, Depends(require(Permission.REVIEW_READ))],
    container: ContainerDep,
) -> Any:
    """Open review items touching shielded children you are cleared for (IDs and scores)."""
    items = shield_review.visible_items(
        uow=container.uow_factory(), viewer=viewer, now=container.clock()
    )
    return [
        CautionItemRead(
            item_id=i.item_id,
            kind=i.kind,
            child_id=str(ChildId(i.child_id)),
            shielded_child_id=str(ChildId(i.shielded_child_id)),
            score=i.score,
            created_at=i.created_at,
        )
        for i in items
    ]
