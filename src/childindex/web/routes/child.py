"""``/children/{child_id}``: one child's record, as this viewer may see it.

Opening a record is a two-step form: ``GET`` asks why (a reason from a list, plus free
text) and shows nothing of the child; ``POST`` (with the CSRF token) records the reason in
the audit entry and shows the record. The reason never travels in a URL.

``POST /children/{child_id}/break-glass`` opens a shielded child for this session only, for
people with the child-protection grant, after a warning and a stated reason.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse

from childindex.auth.dependencies import SESSION_BREAK_GLASS, ContainerDep, require
from childindex.domain.access_reasons import LABELS, MAX_DETAIL, stated_reason
from childindex.domain.errors import InvalidInput
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Permission
from childindex.policy.viewer import Viewer
from childindex.services import break_glass, door, review, shielding
from childindex.web.pages import page_router
from childindex.web.presenters import present_child
from childindex.web.routes import shield
from childindex.web.templating import render

router = page_router()

Reason = Annotated[str, Form(max_length=40)]
Detail = Annotated[str, Form(max_length=MAX_DETAIL * 2)]


def _reason_form(
    request: Request, child_id: ChildId, error: InvalidInput | None = None
) -> HTMLResponse:
    flash = request.session.pop(shield.FLASH, None)
    context = {
        "child_id": str(child_id),
        "reasons": [{"value": r.value, "text": t} for r, t in LABELS.items()],
        "error": {"field": error.field, "message": error.message} if error else None,
        # A shield just set or lifted (post/redirect/get): only the child's ID and dates.
        "flash": flash["message"]
        if isinstance(flash, dict) and flash.get("child_id") == str(child_id)
        else None,
    }
    return render(request, "child_reason.html", context, status_code=422 if error else 200)


def _show(
    request: Request, container: ContainerDep, viewer: Viewer, child_id: ChildId, reason: str
) -> HTMLResponse:
    view = door.read_child(
        uow=container.uow_factory(),
        viewer=viewer,
        child_id=child_id,
        reason=reason,
        now=container.clock(),
    )
    may_break_glass = view.mediated_contact is not None and viewer.can(Permission.CHILD_BREAK_GLASS)
    # Officers who may undo a merge into this child get a button per merged child.
    undoable = (
        review.merged_into_child(uow=container.uow_factory(), viewer=viewer, child_id=child_id)
        if viewer.can(Permission.REVIEW_DECIDE)
        else []
    )
    presented = present_child(view)
    # The controls are offered by permission; the services decide for this child (an
    # officer of another authority is refused there, as through the API).
    context = {
        "child": presented,
        "may_break_glass": may_break_glass,
        "undoable": undoable,
        "may_review": viewer.can(Permission.REVIEW_READ),
        "may_shield": viewer.can(Permission.CHILD_SHIELD_SET),
        "may_lift": presented.shielded and viewer.can(Permission.CHILD_SHIELD_LIFT),
        "may_request_contact": presented.restricted
        and viewer.can(Permission.CHILD_CONTACT_REQUEST),
        "shield_form": shield.review_date_parts(
            shielding.default_review_date(container.clock().date())
        ),
    }
    return render(request, "child.html", context)


@router.get("/children/{child_id}")
def reason_form(
    request: Request,
    child_id: str,
    viewer: Annotated[Viewer, Depends(require(Permission.CHILD_READ))],  # noqa: ARG001
) -> HTMLResponse:
    """Ask why the record is needed before showing any of it."""
    return _reason_form(request, ChildId.parse(child_id))


@router.post("/children/{child_id}")
def child(
    request: Request,
    child_id: str,
    viewer: Annotated[Viewer, Depends(require(Permission.CHILD_READ))],
    container: ContainerDep,
    reason: Reason = "",
    reason_detail: Detail = "",
) -> HTMLResponse:
    """The child's record through the one door, audited with the reason given."""
    parsed = ChildId.parse(child_id)
    try:
        stated = stated_reason(reason, reason_detail)
    except InvalidInput as exc:
        return _reason_form(request, parsed, exc)
    return _show(request, container, viewer, parsed, stated)


@router.post("/children/{child_id}/break-glass")
def open_shielded(
    request: Request,
    child_id: str,
    viewer: Annotated[Viewer, Depends(require(Permission.CHILD_BREAK_GLASS))],
    container: ContainerDep,
    reason_detail: Detail = "",
) -> HTMLResponse:
    """Break glass: open a shielded child for this session; audited, and the team alerted."""
    parsed = ChildId.parse(child_id)
    opened = break_glass.break_glass(
        uow=container.uow_factory(),
        viewer=viewer,
        child_id=parsed,
        detail=reason_detail,
        now=container.clock(),
    )
    already = request.session.get(SESSION_BREAK_GLASS)
    children = [str(c) for c in already] if isinstance(already, list) else []
    request.session[SESSION_BREAK_GLASS] = sorted({*children, opened})
    widened = viewer.with_break_glass(frozenset(request.session[SESSION_BREAK_GLASS]))
    return _show(request, container, widened, parsed, f"break-glass: {reason_detail.strip()}")
