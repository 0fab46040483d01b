"""Server-side page sessions as a pure ASGI middleware (replaces Starlette's signed cookie).

The cookie carries only an opaque random id (``HttpOnly``, ``SameSite=Strict``, ``Secure``
outside dev mode); the data lives in the database (``services/web_sessions.py``), so
sign-out, sign-out everywhere, suspension and timeouts end a session for real, on every
worker. ``request.session`` is a dict as usual; ``rotate(request)`` asks for a new id.

JSON API and FHIR routes never get a session: they take bearer tokens only, so a browser's
cookie can never be ridden into them (no CSRF on the API by construction).
"""

from __future__ import annotations

from datetime import timedelta
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection

from childindex.services import web_sessions

if TYPE_CHECKING:
    from datetime import datetime

    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from childindex.bootstrap import Container
    from childindex.config import Settings

COOKIE = "childindex_session"
# Outside dev mode (HTTPS): the __Host- prefix pins the cookie to this host, path / and Secure.
SECURE_COOKIE = "__Host-" + COOKIE
# Paths that never read or write a session: bearer-token APIs, static files, health.
SESSIONLESS_PREFIXES = ("/api/", "/fhir/", "/static/", "/assets/", "/healthz", "/openapi.json")


def session_limits(settings: Settings) -> web_sessions.SessionLimits:
    """The idle and absolute timeouts the settings ask for."""
    return web_sessions.SessionLimits(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_absolute_hours),
    )


class ServerSession(dict[str, object]):
    """The session's data; ``rotate_requested`` asks for a fresh id when the response starts;
    ``id_hash`` is the stored form of the id this request came with (None if it had none)."""

    rotate_requested: bool = False
    id_hash: str | None = None


def current_session_hash(connection: HTTPConnection) -> str | None:
    """The stored form of this request's session id, e.g. to keep it while ending the rest."""
    session = connection.session
    return session.id_hash if isinstance(session, ServerSession) else None


def rotate(connection: HTTPConnection) -> None:
    """Start a new session id for this response (sign-in): nothing from before carries over."""
    session = connection.session
    session.clear()
    if isinstance(session, ServerSession):
        session.rotate_requested = True


def uses_session(path: str) -> bool:
    """True for page paths, which may carry a session cookie."""
    return not path.startswith(SESSIONLESS_PREFIXES)


def _cookie_value(scope: Scope, cookie: str) -> str | None:
    for header, value in scope.get("headers", ()):
        if header == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed cookie header is no session
                return None
            morsel = jar.get(cookie)
            if morsel is not None and 0 < len(morsel.value) <= 100:
                return morsel.value
    return None


class ServerSessionMiddleware:
    """Load the session before the app runs; store, rotate or end it as the response starts."""

    def __init__(self, app: ASGIApp, *, container: Container) -> None:
        self.app = app
        self.container = container
        settings = container.settings
        self.limits = session_limits(settings)
        self.secure = settings.mode != "dev"
        self.cookie = SECURE_COOKIE if self.secure else COOKIE

    def _set_cookie(self, headers: MutableHeaders, value: str, *, clear: bool = False) -> None:
        parts = [f"{self.cookie}={value}", "Path=/", "HttpOnly", "SameSite=Strict"]
        if clear:
            parts.append("Max-Age=0")
        if self.secure:
            parts.append("Secure")
        headers.append("set-cookie", "; ".join(parts))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not uses_session(scope["path"]):
            await self.app(scope, receive, send)
            return
        now = self.container.clock()
        cookie = _cookie_value(scope, self.cookie)
        record = None
        if cookie is not None:
            record = await run_in_threadpool(
                lambda: web_sessions.load(
                    uow=self.container.uow_factory(), session_id=cookie, now=now, limits=self.limits
                )
            )
        session = ServerSession(record.data if record is not None else {})
        if record is not None and cookie is not None:
            session.id_hash = web_sessions.id_hash(cookie)
        scope["session"] = session
        state = _State(cookie if record is not None else None, record.created_at if record else now)
        had_cookie = cookie is not None

        async def send_with_session(message: Message) -> None:
            if message["type"] == "http.response.start":
                await self._persist(session, state, had_cookie, MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_session)

    async def _persist(
        self, session: ServerSession, state: _State, had_cookie: bool, headers: MutableHeaders
    ) -> None:
        now = self.container.clock()
        uow_factory = self.container.uow_factory
        if (session.rotate_requested or not session) and state.session_id is not None:
            old = state.session_id
            await run_in_threadpool(lambda: web_sessions.end(uow=uow_factory(), session_id=old))
            state.session_id = None
        if not session:
            if had_cookie:
                self._set_cookie(headers, "", clear=True)
            return
        new = state.session_id is None
        if state.session_id is None:
            state.session_id = web_sessions.new_session_id()
            state.created_at = now
            self._set_cookie(headers, state.session_id)
        username = session.get("username")
        session_id, created_at = state.session_id, state.created_at
        alive = await run_in_threadpool(
            lambda: web_sessions.save(
                uow=uow_factory(),
                session_id=session_id,
                username=username if isinstance(username, str) else None,
                data=dict(session),
                created_at=created_at,
                now=now,
                new=new,
            )
        )
        if not alive:
            # Ended by another request meanwhile (sign-out everywhere, suspension, a password
            # change elsewhere): the browser forgets it too.
            self._set_cookie(headers, "", clear=True)


class _State:
    """The id and start time of the session this request carries (changes on rotation)."""

    def __init__(self, session_id: str | None, created_at: datetime) -> None:
        self.session_id = session_id
        self.created_at = created_at
