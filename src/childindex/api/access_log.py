"""Access log without personal data: method, path (never the query string), status, time.

Search criteria travel in query strings (names, dates of birth, postcodes), so the server's
default access log would write personal data; ``childindex serve`` turns that log off and this
one takes its place. Paths carry only child IDs, which are opaque.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("childindex.access")


class AccessLog:
    """Pure ASGI middleware writing one line per HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            log.info("%s %s %d %.1fms", scope["method"], scope["path"], status, elapsed)
