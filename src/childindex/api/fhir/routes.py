"""``/fhir/Patient``: read and search through the one door (``services/door.py``).

Search takes the contract's parameters only; any other parameter is refused (400) rather than
silently ignored, so that nobody believes a filter was applied when it was not.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from childindex.api.fhir import resources
from childindex.auth.dependencies import ContainerDep, require
from childindex.domain.errors import InvalidInput
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Permission
from childindex.policy.criteria import SearchCriteria
from childindex.policy.viewer import Viewer
from childindex.services import door

router = APIRouter(prefix="/fhir", tags=["fhir"])

SEARCH_PARAMETERS = frozenset(
    {"family", "given", "birthdate", "address-postalcode", "identifier", "_format"}
)
READ_PARAMETERS = frozenset({"_format"})
MAX_PARAMETER_LENGTH = 100


class FhirResponse(JSONResponse):
    """JSON served as ``application/fhir+json``."""

    media_type = resources.FHIR_JSON


def _single(request: Request, name: str) -> str | None:
    values = request.query_params.getlist(name)
    if len(values) > 1:
        msg = f"give {name} once (several values are not supported)"
        raise InvalidInput(msg, field=name)
    if not values:
        return None
    value = values[0].strip()
    if len(value) > MAX_PARAMETER_LENGTH:
        msg = f"{name} is longer than {MAX_PARAMETER_LENGTH} characters"
        raise InvalidInput(msg, field=name)
    return value or None


def _birth_date(text: str | None) -> date | None:
    if text is None:
        return None
    value = text.removeprefix("eq")
    try:
        return date.fromisoformat(value)
    except ValueError:
        msg = "birthdate must be a full date, YYYY-MM-DD (optionally prefixed eq)"
        raise InvalidInput(msg, field="birthdate") from None


def _identifier(text: str | None) -> dict[str, str]:
    """``system|value`` (or a bare value) as the search criterion it names."""
    if text is None:
        return {}
    system, bar, value = text.rpartition("|")
    if not bar:
        digits = value.replace(" ", "")
        return {"nhs_number": value} if digits.isdigit() else {"upn": value}
    if system == resources.NHS_NUMBER_SYSTEM:
        return {"nhs_number": value}
    if system == resources.UPN_SYSTEM:
        return {"upn": value}
    msg = (
        f"identifier system must be {resources.NHS_NUMBER_SYSTEM} or {resources.UPN_SYSTEM}; "
        "to fetch a child by its ID use GET /fhir/Patient/{id}"
    )
    raise InvalidInput(msg, field="identifier")


def _check_parameters(request: Request, allowed: frozenset[str]) -> None:
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        msg = f"unsupported parameter {unknown[0]!r}; use {', '.join(sorted(allowed))}"
        raise InvalidInput(msg, field=unknown[0])
    wanted = _single(request, "_format")
    if wanted not in (None, "json", resources.FHIR_JSON, "application/json"):
        msg = "only JSON is served (_format=json)"
        raise InvalidInput(msg, field="_format")


@router.get("/Patient", response_class=FhirResponse)
def search_patients(
    request: Request,
    viewer: Annotated[Viewer, Depends(require(Permission.CHILD_SEARCH))],
    container: ContainerDep,
) -> FhirResponse:
    """Search for children as a ``searchset`` Bundle of Patients."""
    _check_parameters(request, SEARCH_PARAMETERS)
    criteria = SearchCriteria.build(
        given_name=_single(request, "given"),
        family_name=_single(request, "family"),
        birth_date=_birth_date(_single(request, "birthdate")),
        postcode=_single(request, "address-postalcode"),
        **_identifier(_single(request, "identifier")),
    )
    result = door.search_children(
        uow=container.uow_factory(),
        viewer=viewer,
        criteria=criteria,
        limit=container.settings.search_limit,
        now=container.clock(),
    )
    base_url = str(request.base_url).rstrip("/") + "/fhir"
    return FhirResponse(resources.searchset(result, base_url=base_url))


@router.get("/Patient/{child_id}", response_class=FhirResponse)
def read_patient(
    request: Request,
    child_id: str,
    viewer: Annotated[Viewer, Depends(require(Permission.CHILD_READ))],
    container: ContainerDep,
) -> FhirResponse:
    """A child as a Patient, as this viewer may see it (audited like the JSON read)."""
    _check_parameters(request, READ_PARAMETERS)
    view = door.read_child(
        uow=container.uow_factory(),
        viewer=viewer,
        child_id=ChildId.parse(child_id),
        reason=None,
        now=container.clock(),
    )
    return FhirResponse(resources.patient(view))
