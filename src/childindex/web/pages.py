"""What every page route shares: HTML errors, sign-in redirects and CSRF checks.

Page routers use ``PageRoute``. It wraps each handler (dependencies included) so that:

* ``NotAuthenticated`` becomes a redirect to ``/sign-in`` (the JSON API answers 401 instead);
* every unsafe method is refused with a 403 page unless the form carries the CSRF token;
* other core errors become GOV.UK error pages with the status ``api/errors.py`` gives them.

Anything else is a bug and is left to the framework's 500.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from childindex.api.errors import status_for
from childindex.domain.errors import ChildIndexError, NotAuthenticated
from childindex.web import csrf
from childindex.web.templating import render

SIGN_IN = "/sign-in"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_TITLES = {
    400: "There is a problem with your request",
    403: "You cannot do this",
    404: "Page not found",
    422: "There is a problem with your request",
    503: "Sorry, there is a problem with the service",
}

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """A GOV.UK error page; ``message`` must hold no personal data."""
    title = _TITLES.get(status, "Sorry, there is a problem")
    return render(request, "error.html", {"title": title, "message": message}, status_code=status)


class PageRoute(APIRoute):
    """An ``APIRoute`` answering in HTML, for people rather than programs."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                if request.method not in _SAFE_METHODS:
                    await csrf.verify(request)
                return await handler(request)
            except NotAuthenticated:
                return RedirectResponse(SIGN_IN, status_code=303)
            except csrf.CsrfRejected:
                message = "This form has expired or did not come from this service. Try again."
                return error_page(request, 403, message)
            except ChildIndexError as exc:
                return error_page(request, status_for(exc), exc.message)
            except RequestValidationError:
                return error_page(request, 400, "Check what you entered and try again.")

        return page_handler


def page_router() -> APIRouter:
    """A router for pages: HTML responses, ``PageRoute`` handling, kept out of OpenAPI."""
    return APIRouter(
        route_class=PageRoute, default_response_class=HTMLResponse, include_in_schema=False
    )
