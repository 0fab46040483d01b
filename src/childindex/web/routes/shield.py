"""Shielding from the pages: ``POST /children/{child_id}/shield`` (set),
``POST /children/{child_id}/shield/lift`` and ``GET /shields/due`` (reminders).

Every rule (who may, a reason, a review date in the future, one year from today when none is
given, the halt switch) lives in ``services/shielding.py``, which also audits. These
handlers only read the form: bad input shows the form again with the GOV.UK error summary
(422); success goes back to the child's page with a notification banner
(post/redirect/get). The child page's own GET shows nothing of the child, so the banner
carries only the child ID and the review date.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from childindex.auth.dependencies import ContainerDep, require
from childindex.domain.errors import InvalidInput
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Permission
from childindex.policy.viewer import Viewer
from childindex.services import shielding
from childindex.web.pages import page_router
from childindex.web.presenters import long_date
from childindex.web.templating import render

router = page_router()

# The child page shows this once, after a shield is set or lifted (post/redirect/get).
FLASH = "child_flash"
ReasonText = Annotated[str, Form(max_length=shielding.MAX_REASON * 2)]
ORIGINS = {"officer": "An officer", "source": "A source", "caution": "The shield screen"}


def review_date_parts(value: date) -> dict[str, str]:
    """A date as the GOV.UK date input's day, month and year."""
    return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}


def parse_review_date(day: str, month: str, year: str) -> date | None:
    """The date typed into the three boxes; ``None`` if all are empty (the service then
    takes one year from today). Only the shape is checked here: the service decides what
    date is allowed."""
    parts = [day.strip(), month.strip(), year.strip()]
    if not any(parts):
        return None
    if not all(parts):
        raise InvalidInput(
            "the review date must include a day, month and year", field="review_date"
        )
    if not all(p.isascii() and p.isdigit() for p in parts) or len(parts[2]) != 4:
        raise InvalidInput("the review date must be a real date", field="review_date")
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        raise InvalidInput("the review date must be a real date", field="review_date") from None


def action_page(
    request: Request,
    *,
    action: str,
    title: str,
    child_id: str,
    form: dict[str, str],
    error: InvalidInput,
) -> Response:
    """The form again, with the error against its field (422)."""
    context = {
        "action": action,
        "title": title,
        "child_id": child_id,
        "form": form,
        "error": {"field": error.field, "message": error.message},
    }
    return render(request, "child_action.html", context, status_code=422)


def _done(request: Request, child_id: str, message: str) -> Response:
    request.session[FLASH] = {"child_id": child_id, "message": message}
    return RedirectResponse(f"/children/{child_id}", status_code=303)


@router.post("/children/{child_id}/shield")
def set_shield(
    request: Request,
    child_id: str,
    viewer: Annotated[Viewer, Depends(require(Permission.CHILD_SHIELD_SET))],
    container: ContainerDep,
    reason: ReasonText = "",
    day: Annotated[str, Form(alias="review_date-day", max_length=10)] = "",
    month: Annotated[str, Form(alias="review_date-month", max_length=10)] = "",
    year: Annotated[str, Form(alias="review_date-year", max_length=10)] = "",
) -> Response:
    """Shield a child, with a reason and a review date (with the CSRF token); audited."""
    parsed = ChildId.parse(child_id)
    form = {"reason": reason, "day": day, "month": month, "year": year}
    try:
        state = shielding.set_shield(
            uow=container.uow_factory(),
            viewer=viewer,
            child_id=parsed,
            reason=reason,
            review_date=parse_review_date(day, month, year),
            now=container.clock(),
        )
    except InvalidInput as exc:
        return action_page(
            request,
            action="shield",
            title="Shield this child",
            child_id=str(parsed),
            form=form,
            error=exc,
        )
    review = f" Review it by {long_date(state.review_date)}." if state.review_date else ""
    return _done(request, str(parsed), f"Child {parsed} is now shielded.{review}")


@router.post("/children/{child_id}/shield/lift")
def lift_shield(
    request: Request,
    child_id: str,
    viewer: Annotated[Viewer, Depends(require(Permission.CHILD_SHIELD_LIFT))],
    container: ContainerDep,
    reason: ReasonText = "",
) -> Response:
    """Lift a child's shield with a reason (with the CSRF token); audited."""
    parsed = ChildId.parse(child_id)
    try:
        state = shielding.lift_shield(
            uow=container.uow_factory(),
            viewer=viewer,
            child_id=parsed,
            reason=reason,
            now=container.clock(),
        )
    except InvalidInput as exc:
        return action_page(
            request,
            action="lift",
            title="Lift the shield",
            child_id=str(parsed),
            form={"reason": reason},
            error=exc,
        )
    if state.shielded:
        return _done(
            request,
            str(parsed),
            f"The shield on child {parsed} is lifted, but the shield screen has shielded it "
            "again: it may be another shielded child that no officer has yet judged it apart "
            "from. That pair is in the review queue: decide it, then lift the shield again.",
        )
    return _done(request, str(parsed), f"The shield on child {parsed} is lifted.")


@router.get("/shields/due")
def shields_due(
    request: Request,
    viewer: Annotated[Viewer, Depends(require(Permission.CHILD_SHIELD_SET))],
    container: ContainerDep,
) -> Response:
    """Shields past their review date (or with none) that you answer for; audited."""
    due = shielding.reminders_for(uow=container.uow_factory(), viewer=viewer, now=container.clock())
    rows = [
        {
            "child_id": str(ChildId(s.child_id)),
            "origin": ORIGINS.get(s.origin.value, s.origin.value),
            "set_at": long_date(s.set_at.date()),
            "review_date": long_date(s.review_date) if s.review_date else "Not set",
        }
        for s in due
    ]
    return render(request, "shields_due.html", {"rows": rows})
