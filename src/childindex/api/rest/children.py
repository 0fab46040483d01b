"""``/api/v1/children``: search and read, through the one door."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from childindex.auth.dependencies import ContainerDep, require
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Permission
from childindex.policy.criteria import SearchCriteria
from childindex.policy.viewer import Viewer
from childindex.policy.views import ChildView, SearchResult
from childindex.services import door

router = APIRouter(prefix="/api/v1/children", tags=["children"])

Text = Annotated[str | None, Query(max_length=100)]


@router.get("", response_model=SearchResult, response_model_exclude_none=True)
def search_children(
    viewer: Annotated[Viewer, Depends(require(Permission.CHILD_SEARCH))],
    container: ContainerDep,
    given_name: Text = None,
    family_name: Text = None,
    birth_date: date | None = None,
    postcode: Text = None,
    nhs_number: Text = None,
    upn: Text = None,
    school_urn: Text = None,
) -> Any:
    """Search for children; at least one name or identifier is required."""
    criteria = SearchCriteria.build(
        given_name=given_name,
        family_name=family_name,
        birth_date=birth_date,
        postcode=postcode,
        nhs_number=nhs_number,
        upn=upn,
        school_urn=school_urn,
    )
    return door.search_children(
        uow=container.uow_factory(),
        viewer=viewer,
        criteria=criteria,
        limit=container.settings.search_limit,
        now=container.clock(),
    )


@router.get("/{child_id}", response_model=ChildView, response_model_exclude_none=True)
def read_child(
    child_id: str,
    viewer: Annotated[Viewer, Depends(require(Permission.CHILD_READ))],
    container: ContainerDep,
    reason: Text = None,
) -> Any:
    """The child's record as this viewer may see it (audited, with the reason given)."""
    return door.read_child(
        uow=container.uow_factory(),
        viewer=viewer,
        child_id=ChildId.parse(child_id),
        reason=reason,
        now=container.clock(),
    )
