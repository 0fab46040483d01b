"""``/admin/users``: national administrators manage users (``admin:user:manage``).

Every page and action goes through ``services/user_admin.py`` (and ``accounts.create_user``
for a new user), the same services the CLI uses, so each is audited there. Actions are POST
forms carrying the CSRF token (``web/pages.py`` checks it); after an action the browser is
sent back to the user's page with a one-line confirmation (post/redirect/get). A new user's
initial password is shown once, on the page that answers the form, and never again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, TypeVar
from urllib.parse import quote

from fastapi import Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from childindex.api.errors import status_for
from childindex.auth.dependencies import ContainerDep, require
from childindex.domain.errors import Conflict, InvalidInput
from childindex.domain.permissions import Permission, Role
from childindex.domain.users import UserStatus
from childindex.policy.viewer import Viewer
from childindex.services import accounts, user_admin
from childindex.web.pages import page_router
from childindex.web.templating import render

router = page_router()

Admin = Annotated[Viewer, Depends(require(Permission.USERS_MANAGE))]
Text = Annotated[str, Form(max_length=100)]
DatePart = Annotated[str, Form(max_length=4)]
FLASH = "admin_flash"
ROLE_LABELS = {
    Role.PRACTITIONER: "Practitioner",
    Role.LA_OFFICER: "Local-authority officer",
    Role.ADMIN: "National administrator",
    Role.AUDITOR: "Auditor",
    Role.FEED: "Feed (system account)",
}
STATUS_LABELS = {
    UserStatus.ACTIVE: "Active",
    UserStatus.SUSPENDED: "Suspended",
    UserStatus.VETTING_EXPIRED: "Vetting expired",
}
# Vetting is renewed every three years; the forms suggest that.
VETTING_YEARS = 3


T = TypeVar("T")


def _choice(kind: Callable[[str], T], text: str, field: str) -> T | None:
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise InvalidInput(
            f"choose a {field.replace('_', ' ')} from the list", field=field
        ) from None


def _date(day: str, month: str, year: str, field: str) -> date:
    parts = [day.strip(), month.strip(), year.strip()]
    if not all(parts):
        raise InvalidInput("Vetting expiry must include a day, month and year", field=field)
    if not all(p.isascii() and p.isdigit() for p in parts) or len(parts[2]) != 4:
        raise InvalidInput("Vetting expiry must be a real date", field=field)
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        raise InvalidInput("Vetting expiry must be a real date", field=field) from None


def _role_and_expiry(
    role: str, day: str, month: str, year: str, *, today: date
) -> tuple[Role, date | None]:
    """The chosen role and vetting expiry (needed for people; optional for feed accounts)."""
    chosen = _choice(Role, role, "role")
    if chosen is None:
        raise InvalidInput("Choose a role", field="role")
    if chosen is Role.FEED and not any(p.strip() for p in (day, month, year)):
        return chosen, None
    expires = _date(day, month, year, "vetting_expires")
    if expires <= today:
        raise InvalidInput("Vetting expiry must be in the future", field="vetting_expires")
    return chosen, expires


def _user_url(username: str) -> str:
    return f"/admin/users/{quote(username, safe='')}"


def _common() -> dict[str, object]:
    return {"role_labels": ROLE_LABELS, "status_labels": STATUS_LABELS}


@router.get("/admin/users")
def users(
    request: Request,
    viewer: Admin,
    container: ContainerDep,
    role: str = "",
    la_code: str = "",
    status: str = "",
) -> Response:
    """Users, filtered by role, local authority and status."""
    now = container.clock()
    filters = {"role": role[:20], "la_code": la_code.strip()[:20], "status": status[:20]}
    context: dict[str, object] = {"filters": filters, "today": now.date(), **_common()}
    try:
        listing = user_admin.list_users(
            uow=container.uow_factory(),
            role=_choice(Role, filters["role"], "role"),
            la_code=filters["la_code"] or None,
            status=_choice(UserStatus, filters["status"], "status"),
            actor=viewer.username,
            now=now,
        )
    except InvalidInput as exc:
        context["error"] = {"field": exc.field, "message": exc.message}
        return render(request, "admin_users.html", context, status_code=422)
    context["listing"] = listing
    context["flash"] = request.session.pop(FLASH, None)
    return render(request, "admin_users.html", context)


def _new_form(
    request: Request, form: dict[str, str], error: InvalidInput | Conflict | None
) -> Response:
    context: dict[str, object] = {"form": form, **_common()}
    status = 200
    if error is not None:
        context["error"] = {"field": error.field or "username", "message": error.message}
        status = status_for(error)
    return render(request, "admin_user_new.html", context, status_code=status)


@router.get("/admin/users/new")
def new_user_form(request: Request, viewer: Admin, container: ContainerDep) -> Response:  # noqa: ARG001
    """The form to create a user."""
    default = container.clock().date() + timedelta(days=VETTING_YEARS * 365)
    form = {
        "username": "",
        "role": "",
        "organisation": "",
        "la_code": "",
        "day": str(default.day),
        "month": str(default.month),
        "year": str(default.year),
    }
    return _new_form(request, form, None)


@router.post("/admin/users")
def create_user(
    request: Request,
    viewer: Admin,
    container: ContainerDep,
    username: Text = "",
    role: Text = "",
    organisation: Text = "",
    la_code: Text = "",
    day: Annotated[DatePart, Form(alias="vetting_expires-day")] = "",
    month: Annotated[DatePart, Form(alias="vetting_expires-month")] = "",
    year: Annotated[DatePart, Form(alias="vetting_expires-year")] = "",
) -> Response:
    """Create a user; show their initial password once, and how they set up two factors."""
    form = {
        "username": username.strip(),
        "role": role,
        "organisation": organisation.strip(),
        "la_code": la_code.strip(),
        "day": day,
        "month": month,
        "year": year,
    }
    now = container.clock()
    try:
        chosen, expires = _role_and_expiry(role, day, month, year, today=now.date())
        created = accounts.create_user(
            uow=container.uow_factory(),
            hasher=container.hasher,
            username=form["username"],
            role=chosen,
            la_code=form["la_code"] or None,
            organisation=form["organisation"] or None,
            vetting_expires=expires,
            password=None,
            # No secret: a person sets up their authenticator at first sign-in (QR code).
            totp_secret=None,
            actor=viewer.username,
            now=now,
        )
    except (InvalidInput, Conflict) as exc:
        return _new_form(request, form, exc)
    context = {
        "created": created.user,
        "password": created.password,
        "user_url": _user_url(created.user.username),
        **_common(),
    }
    return render(request, "admin_user_created.html", context, status_code=201)


def _detail(
    request: Request,
    container: ContainerDep,
    viewer: Viewer,
    username: str,
    error: InvalidInput | None = None,
) -> Response:
    now = container.clock()
    detail = user_admin.describe(
        uow=container.uow_factory(), username=username, actor=viewer.username, now=now
    )
    context: dict[str, object] = {
        "detail": detail,
        "user": detail.user,
        "status": detail.user.status(now.date()),
        "live_tokens": sum(1 for t in detail.tokens if t.live(now)),
        "user_url": _user_url(username),
        "now": now,
        "today": now.date(),
        "myself": username == viewer.username,
        "break_glass": Permission.CHILD_BREAK_GLASS in detail.user.grants,
        "flash": request.session.pop(FLASH, None),
        **_common(),
    }
    if error is not None:
        context["error"] = {"field": error.field or "action", "message": error.message}
    return render(request, "admin_user.html", context, status_code=422 if error else 200)


@router.get("/admin/users/{username}")
def user_page(request: Request, viewer: Admin, container: ContainerDep, username: str) -> Response:
    """One user: their standing, authenticator, tokens, and every action on them."""
    return _detail(request, container, viewer, username)


def _done(request: Request, username: str, message: str) -> Response:
    request.session[FLASH] = message
    return RedirectResponse(_user_url(username), status_code=303)


def _act(
    request: Request,
    container: ContainerDep,
    viewer: Viewer,
    username: str,
    action: Callable[[], str],
) -> Response:
    """Run ``action`` (which returns the confirmation); show the user again on bad input."""
    try:
        message = action()
    except InvalidInput as exc:
        return _detail(request, container, viewer, username, exc)
    return _done(request, username, message)


@router.post("/admin/users/{username}/suspend")
def suspend(request: Request, viewer: Admin, container: ContainerDep, username: str) -> Response:
    """Suspend a user: no sign-in, sessions ended, API tokens refused."""

    def action() -> str:
        user_admin.set_suspended(
            uow=container.uow_factory(),
            username=username,
            suspended=True,
            actor=viewer.username,
            now=container.clock(),
        )
        return f"{username} is suspended"

    return _act(request, container, viewer, username, action)


@router.post("/admin/users/{username}/reinstate")
def reinstate(request: Request, viewer: Admin, container: ContainerDep, username: str) -> Response:
    """Lift a user's suspension."""

    def action() -> str:
        user_admin.set_suspended(
            uow=container.uow_factory(),
            username=username,
            suspended=False,
            actor=viewer.username,
            now=container.clock(),
        )
        return f"{username} is reinstated"

    return _act(request, container, viewer, username, action)


@router.post("/admin/users/{username}/revet")
def revet(
    request: Request,
    viewer: Admin,
    container: ContainerDep,
    username: str,
    day: Annotated[DatePart, Form(alias="vetting_expires-day")] = "",
    month: Annotated[DatePart, Form(alias="vetting_expires-month")] = "",
    year: Annotated[DatePart, Form(alias="vetting_expires-year")] = "",
) -> Response:
    """Record renewed vetting until a new expiry date."""

    def action() -> str:
        expires = _date(day, month, year, "vetting_expires")
        user_admin.revet(
            uow=container.uow_factory(),
            username=username,
            vetting_expires=expires,
            actor=viewer.username,
            now=container.clock(),
        )
        return f"{username} is vetted until {expires.day} {expires:%B %Y}"

    return _act(request, container, viewer, username, action)


@router.post("/admin/users/{username}/break-glass")
def break_glass(
    request: Request,
    viewer: Admin,
    container: ContainerDep,
    username: str,
    grant: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Grant (``grant=yes``) or withdraw the child-protection break-glass permission."""

    def action() -> str:
        granted = grant == "yes"
        user_admin.set_grant(
            uow=container.uow_factory(),
            username=username,
            permission=Permission.CHILD_BREAK_GLASS,
            granted=granted,
            actor=viewer.username,
            now=container.clock(),
        )
        verb = "granted" if granted else "no longer has"
        return f"{username} {verb} the child-protection (break-glass) permission"

    return _act(request, container, viewer, username, action)


@router.post("/admin/users/{username}/reset-second-factor")
def reset_second_factor(
    request: Request, viewer: Admin, container: ContainerDep, username: str
) -> Response:
    """Forget a person's authenticator: they set up a new one at their next sign-in."""

    def action() -> str:
        user_admin.reset_second_factor(
            uow=container.uow_factory(),
            username=username,
            actor=viewer.username,
            now=container.clock(),
        )
        return f"{username} will set up a new authenticator app at their next sign-in"

    return _act(request, container, viewer, username, action)


@router.post("/admin/users/{username}/end-sessions")
def end_sessions(
    request: Request, viewer: Admin, container: ContainerDep, username: str
) -> Response:
    """Sign a user out everywhere."""

    def action() -> str:
        ended = user_admin.end_sessions(
            uow=container.uow_factory(),
            username=username,
            actor=viewer.username,
            now=container.clock(),
        )
        return f"Ended {ended} session(s) of {username}"

    return _act(request, container, viewer, username, action)


@router.post("/admin/users/{username}/revoke-tokens")
def revoke_tokens(
    request: Request, viewer: Admin, container: ContainerDep, username: str
) -> Response:
    """Revoke every API token of a user."""

    def action() -> str:
        count = user_admin.revoke_tokens(
            uow=container.uow_factory(),
            username=username,
            token=None,
            actor=viewer.username,
            now=container.clock(),
        )
        return f"Revoked {count} API token(s) of {username}"

    return _act(request, container, viewer, username, action)


@router.post("/admin/users/{username}/remove")
def remove(
    request: Request,
    viewer: Admin,
    container: ContainerDep,
    username: str,
    confirm: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Remove a user for good, once the administrator types their user name to confirm."""

    def action() -> str:
        if confirm.strip() != username:
            msg = "To remove this user, type their user name exactly"
            raise InvalidInput(msg, field="confirm")
        user_admin.remove(
            uow=container.uow_factory(),
            username=username,
            actor=viewer.username,
            now=container.clock(),
        )
        return f"{username} is removed"

    try:
        message = action()
    except InvalidInput as exc:
        return _detail(request, container, viewer, username, exc)
    request.session[FLASH] = message
    return RedirectResponse("/admin/users", status_code=303)
