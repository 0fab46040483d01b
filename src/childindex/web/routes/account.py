"""``/account``: a signed-in person's own account: change the password, manage API tokens.

Changing the password is throttled like sign-in and ends the person's other sessions
(``services/self_service.py``). A new API token is shown once, on the page answering the
form; only its hash is kept.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from childindex.auth.dependencies import ContainerDep, require
from childindex.auth.session_middleware import current_session_hash
from childindex.domain.errors import InvalidInput
from childindex.domain.permissions import Permission
from childindex.policy.viewer import Viewer
from childindex.services import self_service
from childindex.web.pages import page_router
from childindex.web.routes.sign_in import LOCKED, client_address
from childindex.web.templating import render

router = page_router()

Person = Annotated[Viewer, Depends(require(Permission.ACCOUNT_PASSWORD_CHANGE))]
TokenHolder = Annotated[Viewer, Depends(require(Permission.ACCOUNT_TOKENS_MANAGE))]
# Long enough for any password the policy accepts, and a little more to say "too long".
Secret = Annotated[str, Form(max_length=256)]
FLASH = "account_flash"
# What a person may choose for a new token's lifetime (days); at most a year, as the CLI.
TOKEN_LIFETIMES = (7, 30, 90, 365)


@router.get("/account")
def account(request: Request, viewer: Person) -> Response:
    """Your account: links to what you may do to it."""
    context = {
        "viewer_name": viewer.username,
        "can_tokens": viewer.can(Permission.ACCOUNT_TOKENS_MANAGE),
        "can_manage_users": viewer.can(Permission.USERS_MANAGE),
        "flash": request.session.pop(FLASH, None),
    }
    return render(request, "account.html", context)


@router.get("/account/password")
def password_form(request: Request, viewer: Person) -> Response:  # noqa: ARG001
    """The form to change your password."""
    return render(request, "account_password.html", {})


@router.post("/account/password")
def change_password(
    request: Request,
    viewer: Person,
    container: ContainerDep,
    current_password: Secret = "",
    new_password: Secret = "",
    confirm_password: Secret = "",
) -> Response:
    """Change your password; every other session of yours ends. Throttled like sign-in."""
    try:
        outcome = self_service.change_password(
            uow_factory=container.uow_factory,
            hasher=container.hasher,
            username=viewer.username,
            current=current_password,
            new=new_password,
            confirm=confirm_password,
            client=client_address(request, container),
            now=container.clock(),
            keep_session=current_session_hash(request),
        )
    except InvalidInput as exc:
        error = {"field": exc.field or "current_password", "message": exc.message}
        return render(request, "account_password.html", {"error": error}, status_code=422)
    if outcome.locked:
        error = {"field": "current_password", "message": LOCKED}
        return render(request, "account_password.html", {"error": error}, status_code=429)
    ended = outcome.sessions_ended
    request.session[FLASH] = (
        f"Your password has been changed. {ended} other session(s) of yours were signed out."
    )
    return RedirectResponse("/account", status_code=303)


def _tokens_page(
    request: Request,
    container: ContainerDep,
    viewer: Viewer,
    *,
    new_token: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    now = container.clock()
    tokens = self_service.my_tokens(uow=container.uow_factory(), username=viewer.username)
    context: dict[str, object] = {
        "tokens": tokens,
        "now": now,
        "lifetimes": TOKEN_LIFETIMES,
        "new_token": new_token,
        "error": {"field": "days", "message": error} if error else None,
        "flash": request.session.pop(FLASH, None),
    }
    return render(request, "account_tokens.html", context, status_code=status_code)


@router.get("/account/tokens")
def tokens(request: Request, viewer: TokenHolder, container: ContainerDep) -> Response:
    """Your API tokens: when each was made, when it expires, whether it is revoked."""
    return _tokens_page(request, container, viewer)


@router.post("/account/tokens")
def create_token(
    request: Request,
    viewer: TokenHolder,
    container: ContainerDep,
    days: Annotated[str, Form(max_length=4)] = "90",
) -> Response:
    """Make a new API token; it is shown on this page once, never again."""
    if not days.isdigit() or int(days) not in TOKEN_LIFETIMES:
        message = "Choose how long the token lasts"
        return _tokens_page(request, container, viewer, error=message, status_code=422)
    token = self_service.create_my_token(
        uow=container.uow_factory(),
        username=viewer.username,
        expires_in=timedelta(days=int(days)),
        now=container.clock(),
    )
    return _tokens_page(request, container, viewer, new_token=token, status_code=201)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(
    request: Request, viewer: TokenHolder, container: ContainerDep, token_id: int
) -> Response:
    """Revoke one of your API tokens (it stops working at once)."""
    self_service.revoke_my_token(
        uow=container.uow_factory(),
        username=viewer.username,
        token_id=token_id,
        now=container.clock(),
    )
    request.session[FLASH] = f"Token {token_id} is revoked"
    return RedirectResponse("/account/tokens", status_code=303)
