"""The pages: their routers, and the static files they need.

``childindex.main.create_app`` registers ``routers()`` through its guarded ``include`` and
calls ``mount_static(app)``. GOV.UK Frontend comes from npm (``package.json`` pins 6.3.0,
the version govuk-frontend-jinja follows); ``make setup`` installs it into ``node_modules``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from starlette.staticfiles import StaticFiles

from childindex.web.routes import (
    account,
    admin_users,
    child,
    contact,
    review,
    search,
    shield,
    sign_in,
    sign_out,
    start,
)

STATIC_DIR = Path(__file__).parent / "static"
_GOVUK_DIST = Path("node_modules") / "govuk-frontend" / "dist" / "govuk"
# The repository root when running from a checkout (src/childindex/web/router.py).
_REPO_ROOT = Path(__file__).resolve().parents[3]


class FrontendAssetsMissing(RuntimeError):
    """GOV.UK Frontend's compiled files are not installed."""


def routers() -> list[APIRouter]:
    """Every page router, for ``create_app`` to register."""
    return [
        start.router,
        sign_in.router,
        sign_out.router,
        search.router,
        child.router,
        account.router,
        admin_users.router,
        review.router,
        shield.router,
        contact.router,
    ]


def govuk_frontend_dir() -> Path:
    """Where GOV.UK Frontend's compiled CSS, JS and assets are installed."""
    for root in (_REPO_ROOT, Path.cwd()):
        candidate = root / _GOVUK_DIST
        if (candidate / "govuk-frontend.min.css").is_file():
            return candidate
    msg = (
        f"GOV.UK Frontend is not installed (looked for {_REPO_ROOT / _GOVUK_DIST}): "
        "run `make setup` (it runs `npm ci`) to install it"
    )
    raise FrontendAssetsMissing(msg)


def mount_static(app: FastAPI) -> None:
    """Serve GOV.UK's fonts and images at ``/assets`` (its CSS asks for them there), its
    compiled CSS and JS at ``/static/govuk-frontend`` and our own files at ``/static``."""
    dist = govuk_frontend_dir()
    app.mount("/assets", StaticFiles(directory=dist / "assets"), name="govuk-assets")
    # Mounted before ``/static``, which would otherwise claim these paths.
    app.mount("/static/govuk-frontend", StaticFiles(directory=dist), name="govuk-frontend")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
