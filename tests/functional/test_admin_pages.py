"""The admin pages: a national administrator manages users through the same audited services
as the CLI; nobody else can; an administrator cannot suspend or remove themselves."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app_fixtures import FIXED_NOW
from app_fixtures import TestUser as PageUser
from childindex.audit.tags import AuditTag
from childindex.bootstrap import Container
from childindex.domain.permissions import Permission, Role
from childindex.main import create_app
from page_helpers import csrf_token, sign_in

MakeUser = Callable[..., PageUser]
SEARCH = ("/api/v1/children", {"family_name": "Okafor"})


@pytest.fixture
def admin(client: TestClient, make_user: MakeUser) -> PageUser:
    user = make_user(Role.ADMIN, username="admin-one")
    sign_in(client, user, FIXED_NOW)
    return user


def post(client: TestClient, url: str, **data: str) -> httpx.Response:
    token = csrf_token(client.get("/account").text)
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def events(container: Container) -> list[tuple[AuditTag, str, dict[str, object]]]:
    with container.uow_factory() as uow:
        return [(e.event.tag, e.event.actor, dict(e.event.detail)) for e in uow.audit.entries()]


def stored(container: Container, username: str) -> Any:
    with container.uow_factory() as uow:
        return uow.users.by_username(username)


def test_the_list_filters_by_role_authority_and_status(
    client: TestClient, admin: PageUser, make_user: MakeUser, container: Container
) -> None:
    make_user(Role.LA_OFFICER, la_code="901", username="officer-901")
    make_user(Role.LA_OFFICER, la_code="902", username="officer-902")
    make_user(Role.PRACTITIONER, username="prac-a")
    expired = make_user(Role.PRACTITIONER, username="prac-expired")
    with container.uow_factory() as uow:
        uow.users.update(expired.username, suspended=True)
        uow.commit()

    page = client.get("/admin/users", params={"role": "la-officer", "la_code": "901"})
    assert page.status_code == 200
    assert "officer-901" in page.text
    assert "officer-902" not in page.text
    assert "prac-a" not in page.text

    suspended = client.get("/admin/users", params={"status": "suspended"})
    assert "prac-expired" in suspended.text
    assert "prac-a" not in suspended.text
    active = client.get("/admin/users", params={"status": "active"})
    assert "prac-a" in active.text
    assert "prac-expired" not in active.text

    bad = client.get("/admin/users", params={"role": "wizard"})
    assert bad.status_code == 422
    assert "Choose a role from the list" in bad.text
    listed = [d for t, a, d in events(container) if t is AuditTag.USERS_LISTED]
    assert listed[0] == {"role": "la-officer", "la_code": "901", "status": None, "shown": 1}


def test_vetting_expired_is_a_status_of_its_own(
    client: TestClient, admin: PageUser, make_user: MakeUser, container: Container
) -> None:
    make_user(Role.PRACTITIONER, username="prac-lapsed")
    with container.uow_factory() as uow:
        uow.users.update("prac-lapsed", vetting_expires=FIXED_NOW.date().replace(year=2025))
        uow.commit()
    page = client.get("/admin/users", params={"status": "vetting-expired"})
    assert "prac-lapsed" in page.text
    assert "admin-one" not in page.text


def test_creating_a_user_shows_the_password_once_and_they_enrol_at_first_sign_in(
    client: TestClient, admin: PageUser, container: Container
) -> None:
    created = post(
        client,
        "/admin/users",
        username="new.practitioner",
        role="practitioner",
        organisation="Example NHS Trust",
        la_code="",
        **{
            "vetting_expires-day": "1",
            "vetting_expires-month": "6",
            "vetting_expires-year": "2029",
        },
    )
    assert created.status_code == 201
    text = created.text
    found = re.search(r'id="initial-password"[^>]*>([^<]+)<', text)
    assert found
    password = found.group(1)
    assert "authenticator app" in text
    user = stored(container, "new.practitioner")
    assert user is not None
    assert user.vetting_expires.isoformat() == "2029-06-01"
    # Shown once: the user's page never shows it again.
    assert password not in client.get("/admin/users/new.practitioner").text
    created_events = [(a, d) for t, a, d in events(container) if t is AuditTag.USER_CREATED]
    assert ("admin-one", {"user": "new.practitioner", "role": "practitioner", "la_code": None}) in (
        created_events
    )

    with TestClient(create_app(container)) as newcomer:
        token = csrf_token(newcomer.get("/sign-in").text)
        first = newcomer.post(
            "/sign-in",
            data={
                "csrf_token": token,
                "username": "new.practitioner",
                "password": password,
                "code": "",
            },
            follow_redirects=False,
        )
        assert first.status_code == 303
        assert first.headers["location"] == "/sign-in/authenticator"


def test_creating_a_user_with_bad_input_names_the_field_and_stores_nothing(
    client: TestClient, admin: PageUser, container: Container
) -> None:
    cases = [
        ({"username": "bad name!", "role": "practitioner"}, "User name must be letters"),
        ({"username": "x1", "role": ""}, "Choose a role"),
        ({"username": "x2", "role": "la-officer"}, "needs a local-authority code"),
        ({"username": "x3", "role": "practitioner", "vetting_expires-day": ""}, "must include"),
    ]
    for fields, message in cases:
        data = {
            "vetting_expires-day": "1",
            "vetting_expires-month": "1",
            "vetting_expires-year": "2030",
            **fields,
        }
        response = post(client, "/admin/users", **data)
        assert response.status_code == 422, fields
        assert message in response.text, fields
        assert "govuk-error-summary" in response.text
    past = post(
        client,
        "/admin/users",
        username="x4",
        role="practitioner",
        **{
            "vetting_expires-day": "1",
            "vetting_expires-month": "1",
            "vetting_expires-year": "2020",
        },
    )
    assert "must be in the future" in past.text
    for name in ("x1", "x2", "x3", "x4"):
        assert stored(container, name) is None
    taken = post(
        client,
        "/admin/users",
        username="admin-one",
        role="practitioner",
        **{
            "vetting_expires-day": "1",
            "vetting_expires-month": "1",
            "vetting_expires-year": "2030",
        },
    )
    assert taken.status_code == 409
    assert "is taken" in taken.text
    assert "govuk-error-summary" in taken.text


def test_suspend_reinstate_revet_and_remove_through_the_pages(
    client: TestClient, admin: PageUser, make_user: MakeUser, container: Container
) -> None:
    target = make_user(Role.PRACTITIONER, username="target-1")
    assert client.get(SEARCH[0], params=SEARCH[1], headers=target.headers).status_code == 200

    done = post(client, "/admin/users/target-1/suspend")
    assert done.status_code == 303
    assert done.headers["location"] == "/admin/users/target-1"
    assert "target-1 is suspended" in client.get("/admin/users/target-1").text
    assert client.get(SEARCH[0], params=SEARCH[1], headers=target.headers).status_code == 401

    post(client, "/admin/users/target-1/reinstate")
    assert client.get(SEARCH[0], params=SEARCH[1], headers=target.headers).status_code == 200

    revetted = post(
        client,
        "/admin/users/target-1/revet",
        **{
            "vetting_expires-day": "31",
            "vetting_expires-month": "12",
            "vetting_expires-year": "2029",
        },
    )
    assert revetted.status_code == 303
    assert stored(container, "target-1").vetting_expires.isoformat() == "2029-12-31"
    bad = post(
        client,
        "/admin/users/target-1/revet",
        **{
            "vetting_expires-day": "31",
            "vetting_expires-month": "2",
            "vetting_expires-year": "2029",
        },
    )
    assert bad.status_code == 422
    assert "must be a real date" in bad.text

    unconfirmed = post(client, "/admin/users/target-1/remove", confirm="target")
    assert unconfirmed.status_code == 422
    assert stored(container, "target-1") is not None
    removed = post(client, "/admin/users/target-1/remove", confirm="target-1")
    assert removed.headers["location"] == "/admin/users"
    assert stored(container, "target-1") is None

    mine = [(t, d.get("user")) for t, a, d in events(container) if a == "admin-one"]
    for tag in (
        AuditTag.USER_SUSPENDED,
        AuditTag.USER_REACTIVATED,
        AuditTag.USER_REVETTED,
        AuditTag.USER_REMOVED,
    ):
        assert (tag, "target-1") in mine, tag


def test_an_administrator_cannot_suspend_or_remove_themselves(
    client: TestClient, admin: PageUser, container: Container
) -> None:
    page = client.get("/admin/users/admin-one")
    assert "another administrator must suspend or remove it" in page.text
    suspended = post(client, "/admin/users/admin-one/suspend")
    assert suspended.status_code == 422
    assert "You cannot suspend your own account" in suspended.text
    removed = post(client, "/admin/users/admin-one/remove", confirm="admin-one")
    assert removed.status_code == 422
    assert "You cannot remove your own account" in removed.text
    user = stored(container, "admin-one")
    assert user is not None
    assert not user.suspended
    assert client.get("/admin/users", follow_redirects=False).status_code == 200


def test_break_glass_grant_reset_authenticator_sessions_and_tokens(
    client: TestClient, admin: PageUser, make_user: MakeUser, container: Container
) -> None:
    target = make_user(Role.PRACTITIONER, username="target-2")
    post(client, "/admin/users/target-2/break-glass", grant="yes")
    assert Permission.CHILD_BREAK_GLASS in stored(container, "target-2").grants
    post(client, "/admin/users/target-2/break-glass", grant="no")
    assert Permission.CHILD_BREAK_GLASS not in stored(container, "target-2").grants

    with TestClient(create_app(container)) as other:
        sign_in(other, target, FIXED_NOW)
        assert other.get("/search", follow_redirects=False).status_code == 200
        ended = post(client, "/admin/users/target-2/end-sessions")
        assert ended.status_code == 303
        assert "Ended 1 session(s)" in client.get("/admin/users/target-2").text
        assert other.get("/search", follow_redirects=False).status_code == 303

        sign_in(other, target, FIXED_NOW.replace(second=31))
        post(client, "/admin/users/target-2/reset-second-factor")
        assert other.get("/search", follow_redirects=False).status_code == 303
    with container.uow_factory() as uow:
        assert uow.users.totp_secret("target-2") is None
    assert "Not set up" in client.get("/admin/users/target-2").text

    assert client.get(SEARCH[0], params=SEARCH[1], headers=target.headers).status_code == 200
    post(client, "/admin/users/target-2/revoke-tokens")
    assert client.get(SEARCH[0], params=SEARCH[1], headers=target.headers).status_code == 401
    mine = {t for t, a, d in events(container) if a == "admin-one" and d.get("user") == "target-2"}
    assert {
        AuditTag.USER_GRANTED,
        AuditTag.USER_GRANT_WITHDRAWN,
        AuditTag.SESSIONS_ENDED,
        AuditTag.TOTP_RESET,
        AuditTag.TOKENS_REVOKED,
        AuditTag.USER_VIEWED,
    } <= mine


def test_an_unknown_user_is_a_404_page_and_nothing_is_audited_as_changed(
    client: TestClient, admin: PageUser, container: Container
) -> None:
    assert client.get("/admin/users/nobody-here").status_code == 404
    assert post(client, "/admin/users/nobody-here/suspend").status_code == 404
    assert AuditTag.USER_SUSPENDED not in {t for t, _, _ in events(container)}


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.LA_OFFICER, Role.AUDITOR])
def test_only_administrators_reach_the_admin_pages(
    container: Container, make_user: MakeUser, role: Role
) -> None:
    victim = make_user(Role.PRACTITIONER, username=f"victim-{role.value}")
    user = make_user(role)
    with TestClient(create_app(container)) as browser:
        sign_in(browser, user, FIXED_NOW)
        assert browser.get("/admin/users").status_code == 403
        assert post(browser, f"/admin/users/{victim.username}/suspend").status_code == 403
    assert not stored(container, victim.username).suspended


def test_a_signed_in_admin_without_the_csrf_token_changes_nothing(
    client: TestClient, admin: PageUser, make_user: MakeUser, container: Container
) -> None:
    make_user(Role.PRACTITIONER, username="target-3")
    refused = client.post("/admin/users/target-3/suspend", follow_redirects=False)
    assert refused.status_code == 403
    assert not stored(container, "target-3").suspended


def test_the_totp_of_a_new_user_from_the_pages_is_set_up_by_them_not_the_admin(
    client: TestClient, admin: PageUser, container: Container
) -> None:
    created = post(
        client,
        "/admin/users",
        username="fresh-1",
        role="auditor",
        **{
            "vetting_expires-day": "1",
            "vetting_expires-month": "1",
            "vetting_expires-year": "2030",
        },
    )
    assert created.status_code == 201
    with container.uow_factory() as uow:
        assert uow.users.totp_secret("fresh-1") is None
    # No secret of any kind is on the admin's page but the one-time password.
    assert not re.search(r"[A-Z2-7]{32}", created.text)
