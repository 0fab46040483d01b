"""The pages' Jinja environment: GOV.UK Frontend's macros beside our own templates.

Templates are found through a ``PrefixLoader``: ``govuk_frontend_jinja/...`` is the
govuk-frontend-jinja package (which follows GOV.UK Frontend 6.3.0), ``childindex/...`` is
``web/templates``. Autoescaping is on for everything.

GOV.UK's base template carries one inline ``<script>`` (it adds ``js-enabled`` to the body).
Our Content-Security-Policy allows no inline script, so the loader drops that line and
``web/static/init.js`` adds the classes instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import BaseLoader, Environment, PackageLoader, PrefixLoader, TemplateError
from starlette.requests import Request
from starlette.responses import HTMLResponse

from childindex.auth.dependencies import SESSION_USER
from childindex.domain.permissions import Permission
from childindex.policy.viewer import Viewer
from childindex.web import csrf
from childindex.web.presenters import age_text, full_name, long_date, sex_text

SERVICE_NAME = "Child index"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

_BASE_TEMPLATE = "template.html"
_INLINE_SCRIPT_MARK = "document.body.className"


class _GovukLoader(PackageLoader):
    """govuk-frontend-jinja's templates, with the base template's inline script removed."""

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool] | None]:
        source, filename, uptodate = super().get_source(environment, template)
        if template == _BASE_TEMPLATE:
            source = without_inline_script(source)
        return source, filename, uptodate


def without_inline_script(source: str) -> str:
    """``source`` without the line holding GOV.UK's inline body-class script.

    Fails loudly if that line is not there exactly once: an upgrade that changes it must be
    looked at, not silently let through (the CSP would then block it in the browser).
    """
    lines = source.splitlines(keepends=True)
    kept = [line for line in lines if _INLINE_SCRIPT_MARK not in line]
    if len(lines) - len(kept) != 1:
        msg = "GOV.UK base template changed: review the inline-script removal in web/templating.py"
        raise TemplateError(msg)
    return "".join(kept)


def _sentence(message: str) -> str:
    """Core error messages start in lower case; GOV.UK messages are sentences."""
    return message[:1].upper() + message[1:]


def make_environment() -> Environment:
    """The Jinja environment for every page."""
    loader: BaseLoader = PrefixLoader(
        {
            "govuk_frontend_jinja": _GovukLoader("govuk_frontend_jinja", "templates"),
            "childindex": PackageLoader("childindex.web", "templates"),
        }
    )
    env = Environment(loader=loader, autoescape=True, auto_reload=False)
    env.globals["service_name"] = SERVICE_NAME
    env.filters["sex"] = sex_text
    env.filters["age"] = age_text
    env.filters["long_date"] = long_date
    env.filters["full_name"] = full_name
    env.filters["sentence"] = _sentence
    return env


ENVIRONMENT = make_environment()


def navigation(request: Request) -> dict[str, bool]:
    """Which links the header offers: only what the viewer ``require`` let through (on this
    request) may follow. A page without a viewer (sign-in, errors) offers none of them."""
    viewer = getattr(request.state, "viewer", None)
    if not isinstance(viewer, Viewer):
        return {"may_review": False, "may_manage_contact": False, "may_review_shields": False}
    return {
        "may_review": viewer.can(Permission.REVIEW_READ),
        "may_manage_contact": viewer.can(Permission.CHILD_CONTACT_MANAGE),
        "may_review_shields": viewer.can(Permission.CHILD_SHIELD_SET),
    }


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """Render ``childindex/<template>`` as a page that no cache keeps."""
    signed_in = isinstance(request.session.get(SESSION_USER), str)
    page = ENVIRONMENT.get_template(f"childindex/{template}").render(
        {
            "signed_in": signed_in,
            "csrf_field": csrf.FIELD,
            "csrf_token": csrf.token(request),
            "current_path": request.url.path,
            **navigation(request),
            **(context or {}),
        }
    )
    return HTMLResponse(page, status_code=status_code, headers=NO_STORE)
