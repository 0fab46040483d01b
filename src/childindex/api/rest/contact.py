"""Mediated contact: ``POST /api/v1/children/{child_id}/contact-requests`` for
practitioners; ``GET /api/v1/contact-requests`` and ``POST .../{request_id}/close`` for the
responsible team."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from childindex.api.schemas import (
    ContactRequestClose,
    ContactRequestCreate,
    ContactRequestRead,
    ContactSearchRead,
    TeamRequestRead,
)
from childindex.auth.dependencies import ContainerDep, require
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Permission
from childindex.domain.shield_records import ContactRequest
from childindex.policy.viewer import Viewer
from childindex.services import contact

router = APIRouter(prefix="/api/v1", tags=["contact"])


def _read(request: ContactRequest, *, full: bool) -> ContactRequestRead:
    return ContactRequestRead(
        request_id=request.request_id,
        child_id=str(ChildId(request.child_id)),
        status=request.status,
        created_at=request.created_at,
        requested_by=request.requested_by if full else None,
        message=request.message if full else None,
        closed_at=request.closed_at,
        outcome=request.outcome if full else None,
    )


@router.post(
    "/children/{child_id}/contact-requests",
    response_model=ContactRequestRead,
    response_model_exclude_none=True,
    status_code=201,
)
def request_contact(
    child_id: str,
    body: ContactRequestCreate,
    viewer: Annotated[Viewer, Depends(require(Permission.CHILD_CONTACT_REQUEST))],
    container: ContainerDep,
) -> Any:
    """Ask the team responsible for a shielded child to pass a message on."""
    made = contact.request_contact(
        uow=container.uow_factory(),
        viewer=viewer,
        child_id=ChildId.parse(child_id),
        message=body.message,
        contact=body.contact,
        now=container.clock(),
    )
    return _read(made, full=False)


@router.get(
    "/contact-requests", response_model=list[TeamRequestRead], response_model_exclude_none=True
)
def team_requests(
    viewer: Annotated[Viewer, Depends(require(Permission.CHILD_CONTACT_MANAGE))],
    container: ContainerDep,
) -> Any:
    """Open requests routed to your team, with who searched for each child."""
    found = contact.team_requests(uow=container.uow_factory(), viewer=viewer, now=container.clock())
    return [
        TeamRequestRead(
            request=_read(t.request, full=True),
            searched_by=[ContactSearchRead(username=s.username, at=s.at) for s in t.searched_by],
        )
        for t in found
    ]


@router.post(
    "/contact-requests/{request_id}/close",
    response_model=ContactRequestRead,
    response_model_exclude_none=True,
)
def close_request(
    request_id: int,
    body: ContactRequestClose,
    viewer: Annotated[Viewer, Depends(require(Permission.CHILD_CONTACT_MANAGE))],
    container: ContainerDep,
) -> Any:
    """Close a request routed to your team, saying what was done."""
    closed = contact.close_request(
        uow=container.uow_factory(),
        viewer=viewer,
        request_id=request_id,
        outcome=body.outcome,
        now=container.clock(),
    )
    return _read(closed, full=True)
