"""Server-side page sessions: cookie flags, rotation, timeouts, sign-out everywhere, and the
session never opening the JSON API."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterator
from datetime import timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient

from app_fixtures import FIXED_NOW
from app_fixtures import TestUser as PageUser
from childindex.bootstrap import Container
from childindex.config import Settings
from childindex.main import create_app
from childindex.services import user_admin
from page_helpers import MovableClock, csrf_token, sign_in

MakeUser = Callable[..., PageUser]
COOKIE = "childindex_session"


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(FIXED_NOW)


@pytest.fixture
def timed(container: Container, clock: MovableClock) -> Container:
    """The test container on a clock the test moves."""
    return dataclasses.replace(container, clock=clock)


@pytest.fixture
def browser(timed: Container) -> Iterator[TestClient]:
    with TestClient(create_app(timed)) as client:
        yield client


def signed_in_ok(client: TestClient) -> bool:
    response = client.get("/search", follow_redirects=False)
    assert response.status_code in {200, 303}
    return response.status_code == 200


def test_the_session_cookie_is_http_only_strict_and_opaque(
    browser: TestClient, make_user: MakeUser, timed: Container
) -> None:
    page = browser.get("/sign-in")
    header = page.headers["set-cookie"]
    assert "HttpOnly" in header
    assert "SameSite=Strict" in header
    value = browser.cookies[COOKIE]
    assert len(value) >= 40
    # The store keeps only the hash of the id: the id itself finds nothing.
    with timed.uow_factory() as uow:
        assert uow.security.session_get(value) is None
        assert uow.security.session_get(hashlib.sha256(value.encode()).hexdigest()) is not None


def test_outside_dev_mode_the_session_cookie_is_secure(container: Container) -> None:
    settings = Settings(
        database_url=container.settings.database_url,
        mode="production",
        secret_key="a-real-secret-key-for-this-test-only",
        data_key="cHJvZHVjdGlvbi1kYXRhLWtleS1mb3ItdGhpcy10ZXN0IQ==",
    )
    with TestClient(create_app(dataclasses.replace(container, settings=settings))) as client:
        header = client.get("/sign-in").headers["set-cookie"]
    assert header.startswith("__Host-childindex_session=")
    assert "; Secure" in header
    assert "Domain" not in header
    assert "Path=/;" in header


def test_sign_in_rotates_the_session_id_and_the_old_id_is_dead(
    browser: TestClient, make_user: MakeUser, clock: MovableClock
) -> None:
    user = make_user()
    browser.get("/sign-in")
    before = browser.cookies[COOKIE]
    sign_in(browser, user, clock.now)
    after = browser.cookies[COOKIE]
    assert after != before
    assert signed_in_ok(browser)
    browser.cookies.clear()
    browser.cookies.set(COOKIE, before)
    assert not signed_in_ok(browser)


def test_a_session_idle_past_the_limit_ends(
    browser: TestClient, make_user: MakeUser, clock: MovableClock, timed: Container
) -> None:
    idle = timed.settings.session_idle_minutes
    sign_in(browser, make_user(), clock.now)
    clock.advance(minutes=idle - 1)
    assert signed_in_ok(browser)
    clock.advance(minutes=idle - 1)
    assert signed_in_ok(browser)  # each request restarts the idle time
    clock.advance(minutes=idle + 1)
    response = browser.get("/search", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"


def test_a_busy_session_still_ends_at_the_absolute_limit(
    browser: TestClient, make_user: MakeUser, clock: MovableClock, timed: Container
) -> None:
    limit = timedelta(hours=timed.settings.session_absolute_hours)
    start = clock.now
    sign_in(browser, make_user(), clock.now)
    while clock.now - start + timedelta(minutes=20) < limit:
        clock.advance(minutes=20)
        assert signed_in_ok(browser)
    clock.advance(minutes=21)  # now past the limit, though idle for only 21 minutes
    assert not signed_in_ok(browser)


def test_sign_out_everywhere_ends_the_users_other_sessions(
    browser: TestClient, timed: Container, make_user: MakeUser, clock: MovableClock
) -> None:
    user = make_user()
    other_user = make_user()
    with (
        TestClient(create_app(timed)) as laptop,
        TestClient(create_app(timed)) as colleague,
    ):
        sign_in(browser, user, clock.now)
        clock.advance(seconds=30)  # a fresh code: each code works once
        sign_in(laptop, user, clock.now)
        sign_in(colleague, other_user, clock.now)
        page = browser.get("/search")
        assert "Sign out everywhere" in page.text
        browser.post("/sign-out", data={"csrf_token": csrf_token(page.text), "everywhere": "1"})
        assert not signed_in_ok(browser)
        assert not signed_in_ok(laptop)
        assert signed_in_ok(colleague)


def test_plain_sign_out_leaves_other_sessions_alone(
    browser: TestClient, timed: Container, make_user: MakeUser, clock: MovableClock
) -> None:
    user = make_user()
    with TestClient(create_app(timed)) as laptop:
        sign_in(browser, user, clock.now)
        clock.advance(seconds=30)
        sign_in(laptop, user, clock.now)
        page = browser.get("/search")
        browser.post("/sign-out", data={"csrf_token": csrf_token(page.text)})
        assert not signed_in_ok(browser)
        assert signed_in_ok(laptop)


def test_suspending_a_user_ends_their_sessions(
    browser: TestClient, timed: Container, make_user: MakeUser, clock: MovableClock
) -> None:
    user = make_user()
    sign_in(browser, user, clock.now)
    user_admin.set_suspended(
        uow=timed.uow_factory(), username=user.username, suspended=True, actor="a", now=clock.now
    )
    assert not signed_in_ok(browser)


def test_a_signed_in_session_cookie_does_not_open_the_json_api(
    browser: TestClient, make_user: MakeUser, clock: MovableClock
) -> None:
    sign_in(browser, make_user(), clock.now)
    assert signed_in_ok(browser)
    response = browser.get("/api/v1/children", params={"family_name": "Okafor"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("path", ["/", "/sign-in", "/search", "/healthz", "/api/v1/children"])
def test_nothing_but_static_files_may_be_cached(browser: TestClient, path: str) -> None:
    assert browser.get(path, follow_redirects=False).headers["cache-control"] == "no-store"


def test_a_garbled_session_cookie_is_just_no_session(browser: TestClient) -> None:
    browser.cookies.clear()
    browser.cookies.set(COOKIE, "not-a-session")
    response = browser.get("/search", follow_redirects=False)
    assert response.status_code == 303
    assert "Max-Age=0" in response.headers.get("set-cookie", "")


def test_a_session_ends_when_vetting_expires_and_sign_in_is_refused_after(
    browser: TestClient, timed: Container, make_user: MakeUser, clock: MovableClock
) -> None:
    user = make_user(vetting_expires=FIXED_NOW.date())
    sign_in(browser, user, clock.now)
    assert signed_in_ok(browser)  # the last day of vetting still counts
    with timed.uow_factory() as uow:
        uow.users.update(user.username, vetting_expires=FIXED_NOW.date() - timedelta(days=1))
        uow.commit()
    clock.advance(seconds=30)
    assert not signed_in_ok(browser)
    browser.cookies.clear()
    token = csrf_token(browser.get("/sign-in").text)
    assert user.totp_secret
    refused = browser.post(
        "/sign-in",
        data={
            "csrf_token": token,
            "username": user.username,
            "password": user.password,
            "code": pyotp.TOTP(user.totp_secret).at(clock.now),
        },
        follow_redirects=False,
    )
    assert refused.status_code == 200
    assert "Enter a correct user name, password and code" in refused.text
