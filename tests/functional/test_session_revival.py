"""A session ended while one of its requests is still running stays ended: the response of
that request must not write it back (else "sign out everywhere", an administrator's "end
sessions" or a password change could be outrun by a request in flight, e.g. a stolen cookie
polling the service)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from childindex.auth.session_middleware import COOKIE, ServerSessionMiddleware
from childindex.bootstrap import Container
from childindex.services import web_sessions


def sessions_of(container: Container, username: str) -> int:
    with container.uow_factory() as uow:
        count = uow.security.sessions_delete_for(username)
        uow.rollback()
    return count


def make_app(container: Container) -> Starlette:
    async def sign_in(request: Request) -> PlainTextResponse:
        request.session["username"] = "sam"
        return PlainTextResponse("signed in")

    def busy(request: Request) -> PlainTextResponse:
        request.session["seen"] = int(str(request.session.get("seen", 0))) + 1
        if request.query_params.get("meanwhile") == "end":
            # Another worker ends every session of sam while this request is running.
            web_sessions.end_all_for(uow=container.uow_factory(), username="sam")
        return PlainTextResponse(str(request.session.get("username")))

    return Starlette(
        routes=[Route("/in", sign_in), Route("/busy", busy)],
        middleware=[Middleware(ServerSessionMiddleware, container=container)],
    )


def test_a_session_ended_mid_request_is_not_written_back(container: Container) -> None:
    with TestClient(make_app(container)) as client:
        client.get("/in")
        assert client.get("/busy").text == "sam"
        assert sessions_of(container, "sam") == 1
        response = client.get("/busy", params={"meanwhile": "end"})
        assert sessions_of(container, "sam") == 0
        assert f"{COOKIE}=;" in response.headers["set-cookie"]
        assert "Max-Age=0" in response.headers["set-cookie"]
        # The next request is anonymous: nothing of the ended session came back.
        assert client.get("/busy").text == "None"
        assert sessions_of(container, "sam") == 0


def test_an_untouched_live_session_is_still_saved(container: Container) -> None:
    with TestClient(make_app(container)) as client:
        client.get("/in")
        for _ in range(3):
            assert client.get("/busy").text == "sam"
        assert sessions_of(container, "sam") == 1
