"""``/api/v1/review``: the one shield-aware review queue (match and caution items)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict

from childindex.auth.dependencies import ContainerDep, require
from childindex.domain.permissions import Permission
from childindex.domain.review import ReviewAction
from childindex.policy.viewer import Viewer
from childindex.policy.views import ReviewDecisionResult, ReviewItemView, ReviewList
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
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=review.MAX_PER_PAGE)] = review.PER_PAGE,
) -> Any:
    """A page of the open review items you may know of (both kinds), each with per-field
    weights and probability, and ``total``, ``page``, ``per_page`` and ``pages``; items
    touching a shielded child only for officers cleared for it."""
    return review.list_review(
        uow=container.uow_factory(),
        viewer=viewer,
        now=container.clock(),
        page=page,
        per_page=per_page,
    )


@router.get("/{item_id}", response_model=ReviewItemView)
def review_item(
    item_id: Annotated[str, Path(min_length=1, max_length=20)],
    viewer: Annotated[Viewer, Depends(require(Permission.REVIEW_READ))],
    container: ContainerDep,
) -> Any:
    """One open or decided review item you may know of, with its explanation."""
    return review.review_item(
        uow=container.uow_factory(), viewer=viewer, item_id=item_id, now=container.clock()
    )


@router.post("/{item_id}", response_model=ReviewDecisionResult)
def decide_review(
    item_id: Annotated[str, Path(min_length=1, max_length=20)],
    body: ReviewDecisionCreate,
    viewer: Annotated[Viewer, Depends(require(Permission.REVIEW_DECIDE))],
    container: ContainerDep,
) -> Any:
    """Decide a review item of your authority: link, not-a-match (remembered) or merge.

    ``item_id`` is a match item's number or ``c`` and a caution item's number."""
    return review.decide_review(
        uow=container.uow_factory(),
        viewer=viewer,
        item_id=item_id,
        action=body.action,
        now=container.clock(),
    )
