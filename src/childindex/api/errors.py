"""The one place errors become HTTP: ``{"error": {"code", "message", "field"}}``.

Bad input is a 4xx naming the field at fault; anything else unexpected is a 500 with no
detail (a 5xx means a bug), and its log line carries no personal data.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from childindex.api.fhir.resources import FHIR_JSON, operation_outcome
from childindex.domain import errors

FHIR_PREFIX = "/fhir/"

log = logging.getLogger(__name__)

STATUS: list[tuple[type[errors.ChildIndexError], int]] = [
    (errors.InvalidInput, 422),
    (errors.NotAuthenticated, 401),
    (errors.PermissionDenied, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.AuditFailure, 503),
]


def status_for(exc: errors.ChildIndexError) -> int:
    """The HTTP status of a core error."""
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 400


def error_body(code: str, message: str, field: str | None) -> dict[str, dict[str, str | None]]:
    """The contract's error shape."""
    return {"error": {"code": code, "message": message, "field": field}}


def _respond(
    request: Request,
    *,
    status: int,
    code: str,
    message: str,
    field: str | None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The error in the contract's shape, or as a FHIR ``OperationOutcome`` under ``/fhir``."""
    if request.url.path.startswith(FHIR_PREFIX):
        if status == 422:  # FHIR answers a bad search parameter with 400
            status = 400
        outcome = operation_outcome(status=status, code=code, message=message, field=field)
        return JSONResponse(outcome, status, headers=headers, media_type=FHIR_JSON)
    return JSONResponse(error_body(code, message, field), status, headers=headers)


async def _core_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.ChildIndexError)  # noqa: S101 - registered for this type only
    status = status_for(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return _respond(
        request, status=status, code=exc.code, message=exc.message, field=exc.field, headers=headers
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    first = exc.errors()[0] if exc.errors() else {}
    location = [str(p) for p in first.get("loc", ()) if p not in {"query", "body", "path"}]
    field = ".".join(location) or None
    message = str(first.get("msg", "invalid request"))
    return _respond(request, status=422, code="invalid_input", message=message, field=field)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101
    return _respond(
        request, status=exc.status_code, code="http_error", message=str(exc.detail), field=None
    )


def install(app: FastAPI) -> None:
    """Map the error tree and framework errors to the contract's JSON shape."""
    app.add_exception_handler(errors.ChildIndexError, _core_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
