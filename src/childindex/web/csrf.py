"""Cross-site request forgery protection for every page form that changes something.

Each session holds one random token; every form carries it in a hidden field, and
``verify`` compares the two before any POST handler runs (``web/pages.py`` does it for
every unsafe method, so a new form cannot forget). The session cookie is also
``SameSite=Strict``; the token is the defence that does not depend on the browser.
"""

from __future__ import annotations

import secrets

from starlette.requests import Request

SESSION_KEY = "csrf"
FIELD = "csrf_token"
_TOKEN_BYTES = 32


class CsrfRejected(Exception):
    """A form arrived without the session's token: refuse it (403)."""


def token(request: Request) -> str:
    """This session's token, made on first use."""
    current = request.session.get(SESSION_KEY)
    if isinstance(current, str) and current:
        return current
    fresh = secrets.token_urlsafe(_TOKEN_BYTES)
    request.session[SESSION_KEY] = fresh
    return fresh


async def verify(request: Request) -> None:
    """Raise ``CsrfRejected`` unless the form's token is this session's token."""
    expected = request.session.get(SESSION_KEY)
    content_type = request.headers.get("content-type", "")
    submitted: object = None
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        submitted = form.get(FIELD)
    if not (isinstance(expected, str) and expected and isinstance(submitted, str)):
        raise CsrfRejected
    if not secrets.compare_digest(expected.encode(), submitted.encode()):
        raise CsrfRejected
