"""``/sign-in``: user name, password and authenticator code (open to everyone).

A person with no authenticator yet is taken to ``/sign-in/authenticator`` after a right
password: a QR code to scan, a code to prove it works, then recovery codes shown once.
Only then is the session theirs.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import segno
from fastapi import Form, Request
from fastapi.responses import HTMLResponse
from starlette.responses import RedirectResponse, Response

from childindex.auth.dependencies import SESSION_FACTORS, SESSION_USER, TWO_FACTORS, ContainerDep
from childindex.auth.session_middleware import rotate, session_limits
from childindex.bootstrap import Container
from childindex.domain.errors import InvalidInput
from childindex.services import second_factor, sessions, user_admin, web_sessions
from childindex.web import forwarded
from childindex.web.pages import page_router
from childindex.web.templating import render

router = page_router()

# One message whatever was wrong, so the page never tells who has an account.
FAILED = "Enter a correct user name, password and code"
LOCKED = (
    "There have been too many attempts to sign in. Wait 15 minutes and try again, "
    "or ask your administrator for help"
)
AFTER_SIGN_IN = "/search"
ENROL = "/sign-in/authenticator"
# Session keys while an authenticator is being set up (the session is not signed in yet).
ENROLLING_USER = "enrolling_user"
ENROLLING_SECRET = "enrolling_secret"  # noqa: S105 - a session key name, not a secret
PURGE_EVERY = timedelta(minutes=5)


def client_address(request: Request, container: Container) -> str:
    """The address failures are counted against: the peer, or the client a trusted proxy
    names (``web/forwarded.py``)."""
    return forwarded.request_client(request, container.settings.trusted_proxies())


def _purge_now_and_then(request: Request, container: Container) -> None:
    """Housekeeping with no scheduler: a sign-in clears out sessions that have timed out, at
    most once per ``PURGE_EVERY`` in each worker (the delete scans the sessions table)."""
    now = container.clock()
    last = getattr(request.app.state, "last_session_purge", None)
    if isinstance(last, datetime) and timedelta(0) <= now - last < PURGE_EVERY:
        return
    request.app.state.last_session_purge = now
    web_sessions.purge(
        uow=container.uow_factory(),
        now=now,
        limits=session_limits(container.settings),
        actor="sign-in",
    )


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
    outcome = sessions.sign_in(
        uow_factory=container.uow_factory,
        hasher=container.hasher,
        username=username,
        password=password,  # exactly as typed (ASVS 5.0 V6.2.8)
        code=code[:64],
        client=client_address(request, container),
        now=container.clock(),
    )
    if outcome.user is None:
        message = LOCKED if outcome.locked else FAILED
        context = {"username": username[: sessions.MAX_USERNAME_LENGTH], "error": message}
        return render(request, "sign_in.html", context, status_code=429 if outcome.locked else 200)
    # A new session on every sign-in: nothing from before (CSRF token included) carries over.
    rotate(request)
    _purge_now_and_then(request, container)
    if outcome.enrol:
        enrolment = second_factor.new_enrolment(outcome.user.username)
        request.session[ENROLLING_USER] = outcome.user.username
        request.session[ENROLLING_SECRET] = enrolment.secret
        return RedirectResponse(ENROL, status_code=303)
    request.session[SESSION_USER] = outcome.user.username
    request.session[SESSION_FACTORS] = TWO_FACTORS
    return RedirectResponse(AFTER_SIGN_IN, status_code=303)


def _enrolment_page(request: Request, error: str | None = None) -> Response:
    username = request.session.get(ENROLLING_USER)
    secret = request.session.get(ENROLLING_SECRET)
    if not (isinstance(username, str) and isinstance(secret, str)):
        return RedirectResponse("/sign-in", status_code=303)
    uri = second_factor.provisioning_uri(username, secret)
    qr = segno.make(uri, error="m").svg_inline(scale=4, title="QR code for your authenticator app")
    context = {"qr": qr, "secret": secret, "error": error}
    return render(request, "authenticator.html", context, status_code=422 if error else 200)


@router.get("/sign-in/authenticator")
def authenticator_form(request: Request) -> Response:
    """Set up an authenticator app: a QR code to scan and a box for the code it shows."""
    return _enrolment_page(request)


@router.post("/sign-in/authenticator")
def authenticator(
    request: Request, container: ContainerDep, code: Annotated[str, Form()] = ""
) -> Response:
    """Keep the authenticator once its code is right; show the recovery codes, once."""
    username = request.session.get(ENROLLING_USER)
    secret = request.session.get(ENROLLING_SECRET)
    if not (isinstance(username, str) and isinstance(secret, str)):
        return RedirectResponse("/sign-in", status_code=303)
    try:
        codes = user_admin.confirm_enrolment(
            uow=container.uow_factory(),
            username=username,
            secret=secret,
            code=code[:64],
            now=container.clock(),
        )
    except InvalidInput as exc:
        return _enrolment_page(request, exc.message)
    rotate(request)
    request.session[SESSION_USER] = username
    request.session[SESSION_FACTORS] = TWO_FACTORS
    return render(request, "recovery_codes.html", {"codes": codes})
