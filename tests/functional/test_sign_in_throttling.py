"""Sign-in throttling and lock-out, per account and per address, without telling who exists;
and the second factor: codes used once, recovery codes, enrolment with a QR code."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app_fixtures import FIXED_NOW
from app_fixtures import TestUser as PageUser
from childindex.audit.tags import AuditTag
from childindex.bootstrap import Container
from childindex.domain.permissions import Role
from childindex.main import create_app
from childindex.services import sessions
from childindex.web.routes.sign_in import FAILED, LOCKED
from page_helpers import MovableClock, csrf_token

MakeUser = Callable[..., PageUser]


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


def attempt(client: TestClient, username: str, password: str, code: str) -> tuple[int, str]:
    token = csrf_token(client.get("/sign-in").text)
    response = client.post(
        "/sign-in",
        data={"csrf_token": token, "username": username, "password": password, "code": code},
        follow_redirects=False,
    )
    return response.status_code, response.text


def code(user: PageUser, now: datetime) -> str:
    assert user.totp_secret
    return str(pyotp.TOTP(user.totp_secret).at(now))


def fail_times(client: TestClient, username: str, times: int) -> None:
    for _ in range(times):
        status, text = attempt(client, username, "wrong-password-123", "000000")
        assert status == 200
        assert FAILED in text


def test_an_account_locks_after_repeated_failures_even_for_the_right_password(
    browser: TestClient, make_user: MakeUser, clock: MovableClock
) -> None:
    user = make_user()
    fail_times(browser, user.username, sessions.ACCOUNT_LIMIT)
    status, text = attempt(browser, user.username, user.password, code(user, clock.now))
    assert status == 429
    assert LOCKED.split(".")[0] in text
    assert browser.get("/search", follow_redirects=False).status_code == 303


def test_the_lock_lifts_when_the_window_has_passed(
    browser: TestClient, make_user: MakeUser, clock: MovableClock
) -> None:
    user = make_user()
    fail_times(browser, user.username, sessions.ACCOUNT_LIMIT)
    clock.now += sessions.WINDOW + timedelta(seconds=1)
    status, _ = attempt(browser, user.username, user.password, code(user, clock.now))
    assert status == 303


def test_one_failure_short_of_the_limit_still_lets_the_right_password_in(
    browser: TestClient, make_user: MakeUser, clock: MovableClock
) -> None:
    user = make_user()
    fail_times(browser, user.username, sessions.ACCOUNT_LIMIT - 1)
    status, _ = attempt(browser, user.username, user.password, code(user, clock.now))
    assert status == 303


def test_a_lock_out_looks_the_same_for_a_user_who_does_not_exist(
    browser: TestClient, make_user: MakeUser
) -> None:
    user = make_user()
    fail_times(browser, user.username, sessions.ACCOUNT_LIMIT)
    fail_times(browser, "nobody-at-all", sessions.ACCOUNT_LIMIT)
    real = attempt(browser, user.username, "wrong-password-123", "000000")
    ghost = attempt(browser, "nobody-at-all", "wrong-password-123", "000000")
    assert real[0] == ghost[0] == 429
    assert real[1].replace(user.username, "X") == ghost[1].replace("nobody-at-all", "X").replace(
        csrf_token(ghost[1]), csrf_token(real[1])
    )


def test_one_address_guessing_many_accounts_is_locked_out(
    browser: TestClient, make_user: MakeUser, clock: MovableClock, timed: Container
) -> None:
    # Failures from one address across many names (a password-spraying pattern).
    with timed.uow_factory() as uow:
        for n in range(sessions.ADDRESS_LIMIT):
            uow.security.failure_add(f"address:testclient#{n}", clock.now)  # other addresses
            uow.security.failure_add("address:testclient", clock.now)
        uow.commit()
    user = make_user()
    status, text = attempt(browser, user.username, user.password, code(user, clock.now))
    assert status == 429
    assert LOCKED.split(".")[0] in text


def test_failures_from_other_addresses_do_not_lock_this_one(
    browser: TestClient, make_user: MakeUser, clock: MovableClock, timed: Container
) -> None:
    with timed.uow_factory() as uow:
        for n in range(sessions.ADDRESS_LIMIT):
            uow.security.failure_add(f"address:192.0.2.{n}", clock.now)
        uow.commit()
    user = make_user()
    status, _ = attempt(browser, user.username, user.password, code(user, clock.now))
    assert status == 303


class CountingHasher:
    """The real hasher, counting how many password checks were paid for."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.verified = 0

    def hash(self, password: str) -> str:
        return self.inner.hash(password)  # type: ignore[attr-defined,no-any-return]

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified += 1
        return self.inner.verify(password_hash, password)  # type: ignore[attr-defined,no-any-return]


@pytest.mark.parametrize("case", ["unknown user", "wrong password", "locked", "feed account"])
def test_every_failed_sign_in_costs_exactly_one_password_hash(
    container: Container, make_user: MakeUser, case: str
) -> None:
    """Unknown users, wrong passwords and locked accounts take the same work (timing)."""
    user = make_user(Role.FEED) if case == "feed account" else make_user()
    counting = CountingHasher(container.hasher)
    name = "nobody-at-all" if case == "unknown user" else user.username
    password = user.password if case == "feed account" else "wrong-password-123"
    if case == "locked":
        with container.uow_factory() as uow:
            for _ in range(sessions.ACCOUNT_LIMIT):
                uow.security.failure_add(f"account:{name}", FIXED_NOW)
            uow.commit()
    outcome = sessions.sign_in(
        uow_factory=container.uow_factory,
        hasher=counting,
        username=name,
        password=password,
        code="000000",
        client="192.0.2.1",
        now=FIXED_NOW,
    )
    assert outcome.user is None
    assert outcome.locked == (case == "locked")
    assert counting.verified == 1


def test_a_code_cannot_be_used_twice(
    browser: TestClient, make_user: MakeUser, clock: MovableClock
) -> None:
    user = make_user()
    used = code(user, clock.now)
    assert attempt(browser, user.username, user.password, used)[0] == 303
    browser.cookies.clear()
    status, text = attempt(browser, user.username, user.password, used)
    assert status == 200
    assert FAILED in text
    # An earlier step's code (still inside the drift window) is refused too.
    earlier = str(pyotp.TOTP(user.totp_secret or "").at(clock.now - timedelta(seconds=30)))
    assert attempt(browser, user.username, user.password, earlier)[0] == 200
    # The next step's code is fine.
    clock.now += timedelta(seconds=30)
    assert attempt(browser, user.username, user.password, code(user, clock.now))[0] == 303


def test_a_replayed_code_is_audited_as_such(
    browser: TestClient, make_user: MakeUser, clock: MovableClock, timed: Container
) -> None:
    user = make_user()
    used = code(user, clock.now)
    attempt(browser, user.username, user.password, used)
    attempt(browser, user.username, user.password, used)
    with timed.uow_factory() as uow:
        failures = [
            e.event.detail.get("failed")
            for e in uow.audit.entries()
            if e.event.tag is AuditTag.SIGN_IN_FAILED
        ]
    assert failures == ["code-replayed"]


def enrol(browser: TestClient, user: PageUser, clock: MovableClock) -> tuple[str, list[str]]:
    """Sign in with the password, scan the QR code (read the key), confirm; the codes shown."""
    status, _ = attempt(browser, user.username, user.password, "")
    assert status == 303
    page = browser.get("/sign-in/authenticator")
    assert page.status_code == 200
    assert "<svg" in page.text
    found = re.search(r'<code class="app-secret">([A-Z2-7]+)</code>', page.text)
    assert found
    secret = found.group(1)
    token = csrf_token(page.text)
    done = browser.post(
        "/sign-in/authenticator",
        data={"csrf_token": token, "code": pyotp.TOTP(secret).at(clock.now)},
    )
    assert done.status_code == 200
    codes = re.findall(r"<li><code>((?:[a-z2-7]{4}-){5}[a-z2-7]{4})</code></li>", done.text)
    return secret, codes


def test_a_person_without_an_authenticator_enrols_at_first_sign_in(
    browser: TestClient, make_user: MakeUser, clock: MovableClock
) -> None:
    user = make_user(totp=False)
    _, codes = enrol(browser, user, clock)
    assert len(codes) == 10
    assert browser.get("/search", follow_redirects=False).status_code == 200


def test_before_enrolment_is_confirmed_nothing_is_open(
    browser: TestClient, make_user: MakeUser
) -> None:
    user = make_user(totp=False)
    assert attempt(browser, user.username, user.password, "")[0] == 303
    assert browser.get("/search", follow_redirects=False).status_code == 303
    page = browser.get("/sign-in/authenticator")
    wrong = browser.post(
        "/sign-in/authenticator", data={"csrf_token": csrf_token(page.text), "code": "000000"}
    )
    assert wrong.status_code == 422
    assert browser.get("/search", follow_redirects=False).status_code == 303


def test_the_enrolment_page_needs_a_right_password_first(browser: TestClient) -> None:
    response = browser.get("/sign-in/authenticator", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"


def test_a_recovery_code_signs_in_once(
    browser: TestClient, make_user: MakeUser, clock: MovableClock
) -> None:
    user = make_user(totp=False)
    _, codes = enrol(browser, user, clock)
    browser.cookies.clear()
    assert attempt(browser, user.username, user.password, codes[0].upper())[0] == 303
    browser.cookies.clear()
    status, text = attempt(browser, user.username, user.password, codes[0])
    assert status == 200
    assert FAILED in text
    assert attempt(browser, user.username, user.password, codes[1])[0] == 303


def test_recovery_codes_are_stored_only_as_hashes(
    browser: TestClient, make_user: MakeUser, clock: MovableClock, timed: Container
) -> None:
    user = make_user(totp=False)
    _, codes = enrol(browser, user, clock)
    engine = timed.uow_factory.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        stored = [r[0] for r in connection.execute(text("SELECT code_hash FROM recovery_codes"))]
    assert len(stored) == 10
    plain = {c.replace("-", "") for c in codes} | set(codes)
    assert not set(stored) & plain


def test_long_passwords_work_and_are_checked_exactly_as_typed(container: Container) -> None:
    from childindex.services import accounts

    long_password = "correct horse battery staple " * 4  # 116 characters, spaces kept
    secret = pyotp.random_base32()
    accounts.create_user(
        uow=container.uow_factory(),
        hasher=container.hasher,
        username="long-pass",
        role=Role.PRACTITIONER,
        la_code=None,
        organisation=None,
        vetting_expires=None,
        password=long_password,
        totp_secret=secret,
        actor="test",
        now=FIXED_NOW,
    )

    def try_with(password: str, at: datetime) -> bool:
        outcome = sessions.sign_in(
            uow_factory=container.uow_factory,
            hasher=container.hasher,
            username="long-pass",
            password=password,
            code=pyotp.TOTP(secret).at(at),
            client="192.0.2.7",
            now=at,
        )
        return outcome.user is not None

    assert not try_with(long_password.upper(), FIXED_NOW)
    assert not try_with(long_password.strip(), FIXED_NOW)
    assert try_with(long_password, FIXED_NOW)
