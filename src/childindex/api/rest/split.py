"""``POST /api/v1/children/{child_id}/split``: an officer splits records off a child."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from childindex.auth.dependencies import ContainerDep, require
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Permission
from childindex.domain.source_record import Source
from childindex.policy.viewer import Viewer
from childindex.policy.views import SplitResult
from childindex.services import review

router = APIRouter(prefix="/api/v1/children", tags=["review"])


class RecordRef(BaseModel):
    """One source record, by its source and the source's own id."""

    model_config = ConfigDict(extra="forbid")

    source: Source
    record_id: str = Field(min_length=1, max_length=200)


class SplitCreate(BaseModel):
    """The records to move onto a new child."""

    model_config = ConfigDict(extra="forbid")

    records: list[RecordRef] = Field(min_length=1, max_length=1000)


@router.post("/{child_id}/split", response_model=SplitResult)
def split_child(
    child_id: str,
    body: SplitCreate,
    viewer: Annotated[Viewer, Depends(require(Permission.REVIEW_DECIDE))],
    container: ContainerDep,
) -> Any:
    """Move the named records of this child onto a new child (both shielded if it was).
    Each record is remembered as not the other child: neither matching nor a rescore joins
    the two again, nor proposes them for review (ADR 0035)."""
    return review.split(
        uow=container.uow_factory(),
        viewer=viewer,
        child_id=ChildId.parse(child_id),
        records=[(r.source, r.record_id) for r in body.records],
        now=container.clock(),
    )
