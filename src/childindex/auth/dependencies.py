"""Who is asking, and may they: the FastAPI dependencies every guarded route uses.

``require(permission)`` is the one permission check. It resolves the viewer from a bearer
token (API, FHIR) or the signed-in session (pages), re-checking vetting and suspension on
every request, then demands the permission. Routes are registered only through
``childindex.main.include`` which refuses a route without it (see ``tests/architecture``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from childindex.auth.session_middleware import uses_session
from childindex.bootstrap import Container
from childindex.domain.errors import NotAuthenticated, PermissionDenied
from childindex.domain.permissions import Permission
from childindex.policy.viewer import Viewer
from childindex.services import accounts, auditing

SESSION_USER = "username"
# Set only once both factors were right (``web/routes/sign_in.py``); checked here, once.
SESSION_FACTORS = "factors"
TWO_FACTORS = 2
# Shielded children opened by break-glass in this session (``services/break_glass.py``).
SESSION_BREAK_GLASS = "break_glass"


def get_container(request: Request) -> Container:
    """The wired services of this app."""
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def current_viewer(request: Request, container: ContainerDep) -> Viewer:
    """The viewer behind a bearer token or the session; 401 if neither is valid."""
    header = request.headers.get("authorization", "")
    now = container.clock()
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            msg = "use an Authorization header of the form 'Bearer <token>'"
            raise NotAuthenticated(msg)
        return accounts.authenticate_token(
            uow=container.uow_factory(), token=token.strip(), now=now
        )
    # Bearer tokens only on the JSON API and FHIR: a browser's cookie is never ridden there.
    page = uses_session(request.url.path)
    username = request.session.get(SESSION_USER) if page and "session" in request.scope else None
    factors = request.session.get(SESSION_FACTORS) if isinstance(username, str) else None
    if isinstance(username, str) and factors == TWO_FACTORS:
        viewer = accounts.authenticate_session(
            uow=container.uow_factory(), username=username, now=now
        )
        opened = request.session.get(SESSION_BREAK_GLASS)
        if isinstance(opened, list):
            viewer = viewer.with_break_glass(frozenset(str(c) for c in opened))
        return viewer
    msg = "sign in, or send a bearer token"
    raise NotAuthenticated(msg)


class Requirement:
    """A dependency demanding one permission; carries it for the registration check."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __call__(
        self,
        request: Request,
        container: ContainerDep,
        viewer: Annotated[Viewer, Depends(current_viewer)],
    ) -> Viewer:
        if not viewer.can(self.permission):
            # The route template, not the URL: no child ID or search term goes in the log.
            route = getattr(request.scope.get("route"), "path", "")
            auditing.record_denied(
                uow=container.uow_factory(),
                actor=viewer.username,
                permission=self.permission.value,
                path=route,
                now=container.clock(),
            )
            msg = f"you do not have permission to do this ({self.permission.value})"
            raise PermissionDenied(msg)
        # Pages read it to offer only the navigation this viewer may follow.
        request.state.viewer = viewer
        return viewer


def require(permission: Permission) -> Callable[..., Viewer]:
    """The dependency that demands ``permission`` and yields the viewer."""
    return Requirement(permission)
