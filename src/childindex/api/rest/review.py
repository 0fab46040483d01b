"""``/api/v1/review``: the review queue of the officer's own local authority."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict

from childindex.auth.dependencies import ContainerDep, require
from childindex.domain.permissions import Permission
from childindex.domain.review import ReviewAction
from childindex.policy.viewer import Viewer
from childindex.policy.views import ReviewDecisionResult, ReviewList
from childindex.services import review

router = APIRouter(prefix="/api/v1/review", tags=["review"])


class ReviewDecisionCreate(BaseModel):
    """An officer's decision on a review item."""

    model_config = ConfigDict(extra="forbid")

    action: ReviewAction


@router.get("", response_model=ReviewList)
def list_review(
    viewer: Annotated[Viewer, Depends(require(Permission.REVIEW_READ))],
    container: ContainerDep,
) -> Any:
    """Open review items of your local authority, each with per-field weights and probability."""
    return review.list_review(uow=container.uow_factory(), viewer=viewer, now=container.clock())


@router.post("/{item_id}", response_model=ReviewDecisionResult)
def decide_review(
    item_id: int,
    body: ReviewDecisionCreate,
    viewer: Annotated[Viewer, Depends(require(Permission.REVIEW_DECIDE))],
    container: ContainerDep,
) -> Any:
    """Decide a review item: link, not-a-match (remembered) or merge."""
    return review.decide_review(
        uow=container.uow_factory(),
        viewer=viewer,
        item_id=item_id,
        action=body.action,
        now=container.clock(),
    )
