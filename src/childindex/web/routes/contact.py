"""Mediated contact from the pages.

* ``POST /children/{child_id}/contact-requests``: a practitioner who found a shielded child
  asks the responsible team to get in touch; answered by ``GET /contact-requests/sent``
  with the request's reference (post/redirect/get).
* ``GET /contact-requests`` and ``POST /contact-requests/{request_id}/close``: the team's
  inbox, with who searched for each child and when, and closing a request with what was
  done.

The rules (who may, which team, what is required) and the audit entries are
``services/contact.py``'s; the inbox shows child IDs and the requests, never a child's
details.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from childindex.auth.dependencies import ContainerDep, require
from childindex.domain.errors import InvalidInput
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Permission
from childindex.policy.viewer import Viewer
from childindex.services import contact
from childindex.web.pages import error_page, page_router
from childindex.web.presenters import request_reference, when_text
from childindex.web.routes.shield import action_page
from childindex.web.templating import render

router = page_router()

SENT = "contact_sent"
INBOX_FLASH = "contact_flash"
Manager = Annotated[Viewer, Depends(require(Permission.CHILD_CONTACT_MANAGE))]


@router.post("/children/{child_id}/contact-requests")
def request_contact(
    request: Request,
    child_id: str,
    viewer: Annotated[Viewer, Depends(require(Permission.CHILD_CONTACT_REQUEST))],
    container: ContainerDep,
    message: Annotated[str, Form(max_length=contact.MAX_MESSAGE * 2)] = "",
    reply_to: Annotated[str, Form(alias="contact", max_length=contact.MAX_CONTACT * 2)] = "",
) -> Response:
    """Ask the team responsible for a shielded child to get in touch (with the CSRF token)."""
    parsed = ChildId.parse(child_id)
    try:
        made = contact.request_contact(
            uow=container.uow_factory(),
            viewer=viewer,
            child_id=parsed,
            message=message,
            contact=reply_to,
            now=container.clock(),
        )
    except InvalidInput as exc:
        return action_page(
            request,
            action="contact",
            title="Ask the responsible team to get in touch",
            child_id=str(parsed),
            form={"message": message, "contact": reply_to},
            error=exc,
        )
    request.session[SENT] = {
        "reference": request_reference(made.request_id),
        "child_id": str(parsed),
    }
    return RedirectResponse("/contact-requests/sent", status_code=303)


@router.get("/contact-requests/sent")
def request_sent(
    request: Request,
    viewer: Annotated[Viewer, Depends(require(Permission.CHILD_CONTACT_REQUEST))],  # noqa: ARG001
) -> Response:
    """The reference of the request this session sent last."""
    sent = request.session.get(SENT)
    if not isinstance(sent, dict):
        return error_page(request, 404, "there is no request to confirm: none was sent")
    return render(request, "contact_sent.html", {"sent": sent})


@router.get("/contact-requests")
def inbox(request: Request, viewer: Manager, container: ContainerDep) -> Response:
    """Open requests routed to your team, with who searched for each child; audited."""
    return _inbox(request, viewer, container)


def _inbox(
    request: Request,
    viewer: Viewer,
    container: ContainerDep,
    error: InvalidInput | None = None,
    failed: int | None = None,
    outcome: str = "",
) -> Response:
    found = contact.team_requests(uow=container.uow_factory(), viewer=viewer, now=container.clock())
    rows = [
        {
            "request_id": t.request.request_id,
            "reference": request_reference(t.request.request_id),
            "child_id": str(ChildId(t.request.child_id)),
            "received": when_text(t.request.created_at),
            "requested_by": t.request.requested_by,
            "message": t.request.message,
            "searches": [{"username": s.username, "at": when_text(s.at)} for s in t.searched_by],
        }
        for t in found
    ]
    context = {
        "rows": rows,
        "flash": None if error else request.session.pop(INBOX_FLASH, None),
        "error": {"field": error.field, "message": error.message} if error else None,
        "failed": failed,
        "outcome": outcome,
    }
    return render(request, "contact_requests.html", context, status_code=422 if error else 200)


@router.post("/contact-requests/{request_id}/close")
def close_request(
    request: Request,
    request_id: int,
    viewer: Manager,
    container: ContainerDep,
    outcome: Annotated[str, Form(max_length=contact.MAX_OUTCOME * 2)] = "",
) -> Response:
    """Close a request routed to your team, saying what was done (with the CSRF token)."""
    try:
        contact.close_request(
            uow=container.uow_factory(),
            viewer=viewer,
            request_id=request_id,
            outcome=outcome,
            now=container.clock(),
        )
    except InvalidInput as exc:
        return _inbox(request, viewer, container, exc, request_id, outcome)
    request.session[INBOX_FLASH] = f"Request {request_reference(request_id)} is closed."
    return RedirectResponse("/contact-requests", status_code=303)
