"""``create_app``: the web service, with every route registered through one guarded door."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from childindex import bootstrap
from childindex.api import errors
from childindex.api.access_log import AccessLog
from childindex.api.fhir import routes as fhir
from childindex.api.rest import (
    children,
    contact,
    feeds,
    halt,
    health,
    merges,
    review,
    shields,
    split,
)
from childindex.auth.dependencies import Requirement
from childindex.auth.session_middleware import ServerSessionMiddleware
from childindex.web import headers as web_headers
from childindex.web import router as web

# Routes reachable without a permission: nothing here shows child data.
# /sign-in/authenticator serves only a session that has just given a right password.
PUBLIC_PATHS = frozenset(
    {"/healthz", "/", "/sign-in", "/sign-in/authenticator", "/sign-out", "/openapi.json"}
)
# Static files (GOV.UK Frontend and our own CSS/JS): no child data.
STATIC_MOUNTS = frozenset({"/assets", "/static", "/static/govuk-frontend"})


class UnguardedRoute(RuntimeError):
    """A route was registered without a permission and is not on the allow-list."""


def requirements(dependant: Dependant) -> Iterator[Requirement]:
    """Every ``require(...)`` in a route's dependency tree."""
    for dep in dependant.dependencies:
        if isinstance(dep.call, Requirement):
            yield dep.call
        yield from requirements(dep)


def iter_routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, descending into included routers (FastAPI keeps them nested)."""
    for route in routes:
        original = getattr(route, "original_router", None)
        if isinstance(original, APIRouter):
            yield from iter_routes(original.routes)
        else:
            yield route


def include(app: FastAPI, router: APIRouter) -> None:
    """Register ``router``; refuse any route that demands no permission unless allow-listed."""
    for route in iter_routes(router.routes):
        if not isinstance(route, APIRoute) or route.path in PUBLIC_PATHS:
            continue
        if not any(True for _ in requirements(route.dependant)):
            msg = f"route {route.path} demands no permission and is not allow-listed"
            raise UnguardedRoute(msg)
    app.include_router(router)


def create_app(container: bootstrap.Container | None = None) -> FastAPI:
    """The ASGI application."""
    wired = container or bootstrap.build()
    app = FastAPI(
        title="childindex",
        version="0.1.0",
        description="A national child index: find a child, see who else is involved.",
        # Swagger UI and ReDoc load scripts from a CDN and run inline script, which the CSP
        # forbids; the OpenAPI document itself is served at /openapi.json.
        docs_url=None,
        redoc_url=None,
    )
    app.state.container = wired
    errors.install(app)
    app.add_middleware(ServerSessionMiddleware, container=wired)
    web_headers.install(app)
    app.add_middleware(AccessLog)
    for router in (
        health.router,
        children.router,
        review.router,
        split.router,
        merges.router,
        shields.router,
        contact.router,
        feeds.router,
        fhir.router,
        halt.router,
        *web.routers(),
    ):
        include(app, router)
    web.mount_static(app)
    return app
