"""``/api/v1/children/{child_id}/shield``: set (POST) and lift (DELETE) a shield."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query

from childindex.api.schemas import ShieldCreate, ShieldLift, ShieldRead
from childindex.auth.dependencies import ContainerDep, require
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Permission
from childindex.policy.viewer import Viewer
from childindex.services import shielding

router = APIRouter(prefix="/api/v1/children", tags=["shields"])


@router.post("/{child_id}/shield", response_model=ShieldRead, response_model_exclude_none=True)
def set_shield(
    child_id: str,
    body: ShieldCreate,
    viewer: Annotated[Viewer, Depends(require(Permission.CHILD_SHIELD_SET))],
    container: ContainerDep,
) -> Any:
    """Shield a child (officer of the responsible authority, or admin); audited."""
    state = shielding.set_shield(
        uow=container.uow_factory(),
        viewer=viewer,
        child_id=ChildId.parse(child_id),
        reason=body.reason,
        review_date=body.review_date,
        now=container.clock(),
    )
    return ShieldRead(
        child_id=state.child_id, shielded=state.shielded, review_date=state.review_date
    )


@router.delete("/{child_id}/shield", response_model=ShieldRead, response_model_exclude_none=True)
def lift_shield(
    child_id: str,
    viewer: Annotated[Viewer, Depends(require(Permission.CHILD_SHIELD_LIFT))],
    container: ContainerDep,
    body: Annotated[ShieldLift | None, Body()] = None,
    reason: Annotated[str | None, Query(min_length=1, max_length=2000)] = None,
) -> Any:
    """Lift a child's shield with a reason (in the body or as ``?reason=``); audited. The
    shield screen then runs from the child: ``shielded`` is true if it shielded the child
    again, as it may be a shielded child no officer has judged it apart from (the pair is
    queued for review; ADR 0034)."""
    state = shielding.lift_shield(
        uow=container.uow_factory(),
        viewer=viewer,
        child_id=ChildId.parse(child_id),
        reason=body.reason if body is not None else reason,
        now=container.clock(),
    )
    return ShieldRead(child_id=state.child_id, shielded=state.shielded)
