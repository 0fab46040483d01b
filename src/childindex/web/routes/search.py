"""``/search``: find a child by name, date of birth, postcode or identifier."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse

from childindex.auth.dependencies import ContainerDep, require
from childindex.domain.errors import InvalidInput
from childindex.domain.permissions import Permission
from childindex.policy.criteria import SearchCriteria
from childindex.policy.viewer import Viewer
from childindex.policy.views import SearchResult
from childindex.services import door
from childindex.web.pages import page_router
from childindex.web.templating import render

router = page_router()

Text = Annotated[str, Form(max_length=100)]
DatePart = Annotated[str, Form(max_length=4)]

# Where the error summary sends the user for an error on each criterion.
FIELD_ANCHORS = {"birth_date": "birth_date-day"}
FORM_FIELDS = ("given_name", "family_name", "postcode", "nhs_number", "upn")


@dataclass(frozen=True, slots=True)
class SearchForm:
    """What was typed, as typed, to show again."""

    given_name: str = ""
    family_name: str = ""
    day: str = ""
    month: str = ""
    year: str = ""
    postcode: str = ""
    nhs_number: str = ""
    upn: str = ""


def parse_birth_date(form: SearchForm, *, today: date) -> date | None:
    """The date of birth typed in three boxes; None if all three are empty."""
    parts = [form.day.strip(), form.month.strip(), form.year.strip()]
    if not any(parts):
        return None
    if not all(parts):
        raise InvalidInput("Date of birth must include a day, month and year", field="birth_date")
    if not all(p.isascii() and p.isdigit() for p in parts) or len(parts[2]) != 4:
        raise InvalidInput("Date of birth must be a real date", field="birth_date")
    try:
        birth_date = date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        raise InvalidInput("Date of birth must be a real date", field="birth_date") from None
    if birth_date > today:
        raise InvalidInput("Date of birth must be today or in the past", field="birth_date")
    return birth_date


@router.get("/search")
def search_form(
    request: Request,
    viewer: Annotated[Viewer, Depends(require(Permission.CHILD_SEARCH))],
) -> HTMLResponse:
    """The empty search form. Searches are POSTed, so names and dates never enter a URL,
    browser history or a proxy's log."""
    context = {
        "form": asdict(SearchForm()),
        "submitted": False,
        "may_review": viewer.can(Permission.REVIEW_READ),
    }
    return render(request, "search.html", context)


@router.post("/search")
def search(
    request: Request,
    viewer: Annotated[Viewer, Depends(require(Permission.CHILD_SEARCH))],
    container: ContainerDep,
    given_name: Text = "",
    family_name: Text = "",
    day: Annotated[DatePart, Form(alias="birth_date-day")] = "",
    month: Annotated[DatePart, Form(alias="birth_date-month")] = "",
    year: Annotated[DatePart, Form(alias="birth_date-year")] = "",
    postcode: Text = "",
    nhs_number: Text = "",
    upn: Text = "",
) -> HTMLResponse:
    """What this viewer may know of the children matching the form (with CSRF token)."""
    form = SearchForm(given_name, family_name, day, month, year, postcode, nhs_number, upn)
    context: dict[str, object] = {
        "form": asdict(form),
        "submitted": True,
        "may_review": viewer.can(Permission.REVIEW_READ),
    }
    now = container.clock()
    try:
        criteria = SearchCriteria.build(
            given_name=given_name,
            family_name=family_name,
            birth_date=parse_birth_date(form, today=now.date()),
            postcode=postcode,
            nhs_number=nhs_number,
            upn=upn,
        )
    except InvalidInput as exc:
        field = exc.field if exc.field in (*FORM_FIELDS, "birth_date") else "given_name"
        context["error"] = {
            "field": field,
            "anchor": FIELD_ANCHORS.get(field, field),
            "message": exc.message,
        }
        return render(request, "search.html", context)
    result: SearchResult = door.search_children(
        uow=container.uow_factory(),
        viewer=viewer,
        criteria=criteria,
        limit=container.settings.search_limit,
        now=now,
    )
    context["result"] = result
    return render(request, "search.html", context)
