"""Security headers on every response: a pure ASGI middleware (no ``BaseHTTPMiddleware``).

The Content-Security-Policy allows scripts, styles, fonts and images from this origin only,
no inline script or style, no framing and no form posting elsewhere. The pages are built
for it: GOV.UK Frontend is served from ``/static`` and started by ``/static/init.js``.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
)

# Only static files (no child data, no personal data) may be cached.
CACHEABLE_PREFIXES = ("/static/", "/assets/")


class SecurityHeadersMiddleware:
    """Set ``SECURITY_HEADERS`` on every HTTP response, replacing any the app set."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        cacheable = scope["path"].startswith(CACHEABLE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    headers[name] = value
                if not cacheable:
                    # Pages and API answers may hold child data: never keep them in a cache.
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI) -> None:
    """Add the security headers to every response of ``app``."""
    app.add_middleware(SecurityHeadersMiddleware)
