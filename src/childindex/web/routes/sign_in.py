"""``/sign-in``: user name, password and authenticator code (open to everyone)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse
from starlette.responses import RedirectResponse, Response

from childindex.auth.dependencies import SESSION_USER, ContainerDep
from childindex.services import sessions
from childindex.web.pages import page_router
from childindex.web.templating import render

router = page_router()

# One message whatever was wrong, so the page never tells who has an account.
FAILED = "Enter a correct user name, password and code"
AFTER_SIGN_IN = "/search"


@router.get("/sign-in")
def sign_in_form(request: Request) -> HTMLResponse:
    """The sign-in form."""
    return render(request, "sign_in.html", {"username": ""})


@router.post("/sign-in")
def sign_in(
    request: Request,
    container: ContainerDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
) -> Response:
    """Check both factors; start a fresh session, or show the form again with one message."""
    user = sessions.sign_in(
        uow_factory=container.uow_factory,
        hasher=container.hasher,
        username=username,
        password=password,
        code=code,
        now=container.clock(),
    )
    if user is None:
        context = {"username": username[: sessions.MAX_USERNAME_LENGTH], "error": FAILED}
        return render(request, "sign_in.html", context)
    # A new session on every sign-in: nothing from before (CSRF token included) carries over.
    request.session.clear()
    request.session[SESSION_USER] = user.username
    return RedirectResponse(AFTER_SIGN_IN, status_code=303)
