"""Self-service: changing one's own password (policy, throttling, other sessions ended, tokens
kept) and one's own API tokens (shown once, listed without the secret, revocable)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from app_fixtures import FIXED_NOW
from app_fixtures import TestUser as PageUser
from childindex.audit.tags import AuditTag
from childindex.bootstrap import Container
from childindex.domain.permissions import Role
from childindex.main import create_app
from childindex.services import sessions
from childindex.services.self_service import WRONG_CURRENT
from childindex.web.routes.sign_in import LOCKED
from page_helpers import MovableClock, csrf_token, sign_in

MakeUser = Callable[..., PageUser]
NEW = "quiet harbour lantern 42"
SEARCH = ("/api/v1/children", {"family_name": "Okafor"})


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(FIXED_NOW)


@pytest.fixture
def timed(container: Container, clock: MovableClock) -> Container:
    return dataclasses.replace(container, clock=clock)


@pytest.fixture
def browser(timed: Container) -> Iterator[TestClient]:
    with TestClient(create_app(timed)) as client:
        yield client


def change(
    client: TestClient, current: str, new: str, confirm: str | None = None
) -> httpx.Response:
    token = csrf_token(client.get("/account/password").text)
    return client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
        follow_redirects=False,
    )


def stored_hash(container: Container, username: str) -> str | None:
    with container.uow_factory() as uow:
        return uow.users.password_hash(username)


def tags(container: Container) -> list[tuple[AuditTag, str, dict[str, object]]]:
    with container.uow_factory() as uow:
        return [(e.event.tag, e.event.actor, dict(e.event.detail)) for e in uow.audit.entries()]


def test_changing_the_password_ends_other_sessions_keeps_this_one_and_tokens(
    browser: TestClient, timed: Container, make_user: MakeUser, clock: MovableClock
) -> None:
    user = make_user()
    sign_in(browser, user, clock.now)
    with TestClient(create_app(timed)) as laptop:
        clock.advance(seconds=30)
        sign_in(laptop, user, clock.now)
        assert laptop.get("/search", follow_redirects=False).status_code == 200

        response = change(browser, user.password, NEW)
        assert response.status_code == 303
        assert response.headers["location"] == "/account"
        assert "1 other session(s) of yours were signed out" in browser.get("/account").text
        # This session goes on; the other one has ended.
        assert browser.get("/search", follow_redirects=False).status_code == 200
        assert laptop.get("/search", follow_redirects=False).status_code == 303
    # API tokens are kept (docs/security.md says why).
    assert browser.get(SEARCH[0], params=SEARCH[1], headers=user.headers).status_code == 200
    # The new password signs in; the old one does not.
    with TestClient(create_app(timed)) as fresh:
        clock.advance(seconds=30)
        sign_in(fresh, dataclasses.replace(user, password=NEW), clock.now)
    new_hash = stored_hash(timed, user.username)
    assert new_hash is not None
    assert new_hash.startswith("$argon2id$")
    assert timed.hasher.verify(new_hash, NEW)
    assert not timed.hasher.verify(new_hash, user.password)
    changed = [(a, d) for t, a, d in tags(timed) if t is AuditTag.PASSWORD_CHANGED]
    assert changed == [(user.username, {"other_sessions_ended": 1})]


def test_a_wrong_current_password_changes_nothing_and_is_audited(
    browser: TestClient, timed: Container, make_user: MakeUser, clock: MovableClock
) -> None:
    user = make_user()
    sign_in(browser, user, clock.now)
    before = stored_hash(timed, user.username)
    response = change(browser, "not-my-password-at-all", NEW)
    assert response.status_code == 422
    assert WRONG_CURRENT in response.text
    assert 'href="#current_password"' in response.text
    assert stored_hash(timed, user.username) == before
    failed = [(a, d) for t, a, d in tags(timed) if t is AuditTag.PASSWORD_CHANGE_FAILED]
    assert failed == [(user.username, {"failed": "current"})]
    assert NEW not in str(tags(timed))


@pytest.mark.parametrize(
    ("new", "confirm", "message", "field"),
    [
        ("password1234", None, "too common", "new_password"),
        ("Password1234", None, "too common", "new_password"),
        ("short one", None, "at least 12 characters", "new_password"),
        (NEW, NEW + "x", "not the same", "confirm_password"),
    ],
)
def test_the_new_password_meets_the_same_policy_as_at_creation(
    browser: TestClient,
    timed: Container,
    make_user: MakeUser,
    clock: MovableClock,
    new: str,
    confirm: str | None,
    message: str,
    field: str,
) -> None:
    user = make_user()
    sign_in(browser, user, clock.now)
    before = stored_hash(timed, user.username)
    response = change(browser, user.password, new, confirm)
    assert response.status_code == 422
    assert message in response.text
    assert f'href="#{field}"' in response.text
    assert stored_hash(timed, user.username) == before


def test_the_user_name_itself_and_the_current_password_are_refused(
    browser: TestClient, timed: Container, make_user: MakeUser, clock: MovableClock
) -> None:
    user = make_user(username="a-long-user-name-1")
    sign_in(browser, user, clock.now)
    assert "too common" in change(browser, user.password, "a-long-user-name-1").text
    assert "not your current one" in change(browser, user.password, user.password).text


def test_wrong_current_passwords_are_throttled_like_sign_in(
    browser: TestClient, timed: Container, make_user: MakeUser, clock: MovableClock
) -> None:
    user = make_user()
    sign_in(browser, user, clock.now)
    before = stored_hash(timed, user.username)
    for _ in range(sessions.ACCOUNT_LIMIT):
        assert change(browser, "guess-guess-guess", NEW).status_code == 422
    locked = change(browser, user.password, NEW)
    assert locked.status_code == 429
    assert LOCKED.split(".")[0] in locked.text
    assert stored_hash(timed, user.username) == before
    # The same count locks the sign-in page too: one budget of guesses per account.
    with TestClient(create_app(timed)) as other:
        token = csrf_token(other.get("/sign-in").text)
        refused = other.post(
            "/sign-in",
            data={
                "csrf_token": token,
                "username": user.username,
                "password": user.password,
                "code": user.totp_now(),
            },
        )
        assert refused.status_code == 429
    clock.advance(minutes=16)
    assert change(browser, user.password, NEW).status_code == 303


def test_every_person_may_change_their_password_feed_accounts_have_no_pages(
    container: Container, make_user: MakeUser
) -> None:
    for role in (Role.PRACTITIONER, Role.LA_OFFICER, Role.ADMIN, Role.AUDITOR):
        user = make_user(role)
        with TestClient(create_app(container)) as client:
            sign_in(client, user, FIXED_NOW)
            assert client.get("/account/password").status_code == 200, role
            assert client.get("/account").status_code == 200, role
    with TestClient(create_app(container)) as client:
        assert client.get("/account/password", follow_redirects=False).status_code == 303


def test_tokens_are_shown_once_listed_without_the_secret_and_revocable(
    browser: TestClient, timed: Container, make_user: MakeUser, clock: MovableClock
) -> None:
    user = make_user()
    sign_in(browser, user, clock.now)
    page = browser.get("/account/tokens")
    assert page.status_code == 200
    token = csrf_token(page.text)
    made = browser.post("/account/tokens", data={"csrf_token": token, "days": "7"})
    assert made.status_code == 201
    found = re.search(r'id="new-token"[^>]*>(ci_[^<]+)<', made.text)
    assert found
    secret = found.group(1)
    headers = {"Authorization": f"Bearer {secret}"}
    assert browser.get(SEARCH[0], params=SEARCH[1], headers=headers).status_code == 200
    listing = browser.get("/account/tokens").text
    assert secret not in listing
    with timed.uow_factory() as uow:
        mine = uow.users.tokens(user.username)
    assert len(mine) == 2  # the fixture's and this one
    newest = mine[0]
    assert newest.expires_at is not None
    assert newest.expires_at == clock.now + timedelta(days=7)
    revoked = browser.post(
        f"/account/tokens/{newest.token_id}/revoke",
        data={"csrf_token": csrf_token(listing)},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    assert browser.get(SEARCH[0], params=SEARCH[1], headers=headers).status_code == 401
    # The fixture's token still works.
    assert browser.get(SEARCH[0], params=SEARCH[1], headers=user.headers).status_code == 200
    assert f"Token {newest.token_id} is revoked" in browser.get("/account/tokens").text
    clock.advance(days=8)
    assert browser.get(SEARCH[0], params=SEARCH[1], headers=headers).status_code == 401


def test_nobody_can_revoke_someone_elses_token(
    browser: TestClient, timed: Container, make_user: MakeUser, clock: MovableClock
) -> None:
    owner = make_user()
    with timed.uow_factory() as uow:
        [theirs] = uow.users.tokens(owner.username)
    intruder = make_user()
    sign_in(browser, intruder, clock.now)
    token = csrf_token(browser.get("/account/tokens").text)
    response = browser.post(f"/account/tokens/{theirs.token_id}/revoke", data={"csrf_token": token})
    assert response.status_code == 404
    assert browser.get(SEARCH[0], params=SEARCH[1], headers=owner.headers).status_code == 200


def test_a_token_lifetime_off_the_list_is_refused(
    browser: TestClient, timed: Container, make_user: MakeUser, clock: MovableClock
) -> None:
    user = make_user()
    sign_in(browser, user, clock.now)
    token = csrf_token(browser.get("/account/tokens").text)
    response = browser.post("/account/tokens", data={"csrf_token": token, "days": "9999"})
    assert response.status_code == 422
    assert "Choose how long the token lasts" in response.text
    with timed.uow_factory() as uow:
        assert len(uow.users.tokens(user.username)) == 1


def test_auditors_have_no_token_page(container: Container, make_user: MakeUser) -> None:
    auditor = make_user(Role.AUDITOR)
    with TestClient(create_app(container)) as client:
        sign_in(client, auditor, FIXED_NOW)
        assert client.get("/account/tokens").status_code == 403
        assert "API tokens" not in client.get("/account").text
