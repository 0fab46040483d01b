"""Opening a record asks why (audited); break-glass opens a shielded child for one session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app_fixtures import FIXED_NOW
from app_fixtures import TestUser as PageUser
from childindex.audit.tags import AuditTag
from childindex.bootstrap import Container
from childindex.domain.errors import InvalidInput
from childindex.domain.permissions import Permission, Role
from childindex.main import create_app
from childindex.services import break_glass, user_admin
from page_helpers import child_ids, csrf_token, open_record, sign_in

MakeUser = Callable[..., PageUser]
LoadHealth = Callable[[list[dict[str, Any]]], Any]
SHIELDED = {
    "record_id": "H-SHIELD",
    "given_name": "Zephyrine",
    "family_name": "Quillfeather",
    "birth_date": "2012-06-01",
    "address_line1": "SENTINEL-ADDRESS-7QX",
    "postcode": "ZZ9 9ZQ",
    "nhs_number": "9990000026",
    "sensitive": True,
}
EXACT = {
    "given_name": "Zephyrine",
    "family_name": "Quillfeather",
    "birth_date-day": "01",
    "birth_date-month": "06",
    "birth_date-year": "2012",
}


def audit_of(container: Container, tag: AuditTag) -> list[Any]:
    with container.uow_factory() as uow:
        return [e.event for e in uow.audit.entries() if e.event.tag is tag]


@pytest.fixture
def practitioner(client: TestClient, make_user: MakeUser) -> PageUser:
    user = make_user()
    sign_in(client, user, FIXED_NOW)
    return user


def test_the_reason_form_shows_nothing_of_the_child(
    client: TestClient, practitioner: PageUser, load_health: LoadHealth, health_record: Any
) -> None:
    load_health([health_record()])
    [child_id] = child_ids(client, family_name="Okafor")
    form = client.get(f"/children/{child_id}")
    assert "Why do you need to see this record?" in form.text
    for value in ("Amara", "Okafor", "ZZ1 1AA", "Testing Row"):
        assert value not in form.text


def test_the_reason_given_is_recorded_in_the_view_audit_entry(
    client: TestClient,
    practitioner: PageUser,
    load_health: LoadHealth,
    health_record: Any,
    container: Container,
) -> None:
    load_health([health_record()])
    [child_id] = child_ids(client, family_name="Okafor")
    page = open_record(client, child_id, "other", "  Team  around the child meeting ")
    assert page.status_code == 200
    assert "12 Testing Row" in page.text
    [viewed] = audit_of(container, AuditTag.CHILD_VIEWED)
    assert viewed.detail["reason"] == "other: Team around the child meeting"
    assert viewed.child_ids == (child_id,)


@pytest.mark.parametrize(
    ("reason", "detail", "field"),
    [("", "", "reason"), ("because", "", "reason"), ("other", "", "reason_detail")],
)
def test_no_record_without_a_valid_reason(
    client: TestClient,
    practitioner: PageUser,
    load_health: LoadHealth,
    health_record: Any,
    container: Container,
    reason: str,
    detail: str,
    field: str,
) -> None:
    load_health([health_record()])
    [child_id] = child_ids(client, family_name="Okafor")
    page = open_record(client, child_id, reason, detail)
    assert page.status_code == 422
    assert f'href="#{field}"' in page.text
    assert "12 Testing Row" not in page.text
    assert audit_of(container, AuditTag.CHILD_VIEWED) == []


def test_the_record_cannot_be_opened_without_the_csrf_token(
    client: TestClient, practitioner: PageUser, load_health: LoadHealth, health_record: Any
) -> None:
    load_health([health_record()])
    [child_id] = child_ids(client, family_name="Okafor")
    page = client.post(f"/children/{child_id}", data={"reason": "referral"})
    assert page.status_code == 403
    assert "12 Testing Row" not in page.text


def grant(container: Container, user: PageUser) -> None:
    user_admin.set_grant(
        uow=container.uow_factory(),
        username=user.username,
        permission=Permission.CHILD_BREAK_GLASS,
        granted=True,
        actor="test-admin",
        now=FIXED_NOW,
    )


def test_break_glass_opens_a_shielded_child_for_this_session_only(
    client: TestClient,
    make_user: MakeUser,
    load_health: LoadHealth,
    health_record: Any,
    container: Container,
) -> None:
    user = make_user()
    grant(container, user)
    sign_in(client, user, FIXED_NOW)
    load_health([health_record(**SHIELDED)])
    [child_id] = child_ids(client, **EXACT)
    restricted = open_record(client, child_id)
    assert "SENTINEL" not in restricted.text
    assert "Open shielded record" in restricted.text
    token = csrf_token(restricted.text)
    opened = client.post(
        f"/children/{child_id}/break-glass",
        data={"csrf_token": token, "reason_detail": "Emergency strategy meeting at 3pm"},
    )
    assert opened.status_code == 200
    assert "SENTINEL-ADDRESS-7QX" in opened.text
    # Still open for the rest of this session ...
    assert "SENTINEL-ADDRESS-7QX" in open_record(client, child_id).text
    [event] = audit_of(container, AuditTag.BREAK_GLASS)
    assert event.actor == user.username
    assert event.child_ids == (child_id,)
    assert event.detail["reason"] == "Emergency strategy meeting at 3pm"
    [alert] = break_glass.alerts(uow=container.uow_factory(), la_code=None)
    assert (alert.child_id, alert.username) == (child_id, user.username)
    # ... and closed in the next one.
    with TestClient(create_app(container)) as later:
        sign_in(later, user, FIXED_NOW.replace(second=31))
        assert "SENTINEL" not in open_record(later, child_id).text


def test_break_glass_needs_a_stated_reason(
    client: TestClient,
    make_user: MakeUser,
    load_health: LoadHealth,
    health_record: Any,
    container: Container,
) -> None:
    user = make_user()
    grant(container, user)
    sign_in(client, user, FIXED_NOW)
    load_health([health_record(**SHIELDED)])
    [child_id] = child_ids(client, **EXACT)
    token = csrf_token(open_record(client, child_id).text)
    short = client.post(
        f"/children/{child_id}/break-glass", data={"csrf_token": token, "reason_detail": "need"}
    )
    assert short.status_code == 422
    assert "SENTINEL" not in short.text
    assert audit_of(container, AuditTag.BREAK_GLASS) == []


def test_without_the_grant_there_is_no_break_glass(
    client: TestClient,
    practitioner: PageUser,
    load_health: LoadHealth,
    health_record: Any,
) -> None:
    load_health([health_record(**SHIELDED)])
    [child_id] = child_ids(client, **EXACT)
    page = open_record(client, child_id)
    assert "Open shielded record" not in page.text
    refused = client.post(
        f"/children/{child_id}/break-glass",
        data={"csrf_token": csrf_token(page.text), "reason_detail": "Emergency strategy meeting"},
    )
    assert refused.status_code == 403
    assert "SENTINEL" not in refused.text


def test_withdrawing_the_grant_closes_what_was_opened(
    client: TestClient,
    make_user: MakeUser,
    load_health: LoadHealth,
    health_record: Any,
    container: Container,
) -> None:
    user = make_user()
    grant(container, user)
    sign_in(client, user, FIXED_NOW)
    load_health([health_record(**SHIELDED)])
    [child_id] = child_ids(client, **EXACT)
    token = csrf_token(open_record(client, child_id).text)
    client.post(
        f"/children/{child_id}/break-glass",
        data={"csrf_token": token, "reason_detail": "Emergency strategy meeting at 3pm"},
    )
    user_admin.set_grant(
        uow=container.uow_factory(),
        username=user.username,
        permission=Permission.CHILD_BREAK_GLASS,
        granted=False,
        actor="test-admin",
        now=FIXED_NOW,
    )
    assert "SENTINEL" not in open_record(client, child_id).text


def test_break_glass_on_an_unshielded_child_is_refused(
    client: TestClient,
    make_user: MakeUser,
    load_health: LoadHealth,
    health_record: Any,
    container: Container,
) -> None:
    user = make_user()
    grant(container, user)
    sign_in(client, user, FIXED_NOW)
    load_health([health_record()])
    [child_id] = child_ids(client, family_name="Okafor")
    token = csrf_token(open_record(client, child_id).text)
    response = client.post(
        f"/children/{child_id}/break-glass",
        data={"csrf_token": token, "reason_detail": "Emergency strategy meeting at 3pm"},
    )
    assert response.status_code == 422
    assert break_glass.alerts(uow=container.uow_factory(), la_code=None) == []


@pytest.mark.parametrize("role", [Role.FEED])
def test_feed_accounts_cannot_be_granted_break_glass(
    make_user: MakeUser, container: Container, role: Role
) -> None:
    feed = make_user(role)
    with pytest.raises(InvalidInput, match="feed accounts"):
        grant(container, feed)


def test_only_grantable_permissions_can_be_granted(
    make_user: MakeUser, container: Container
) -> None:
    user = make_user()
    with pytest.raises(InvalidInput, match="cannot be granted"):
        user_admin.set_grant(
            uow=container.uow_factory(),
            username=user.username,
            permission=Permission.USERS_MANAGE,
            granted=True,
            actor="test-admin",
            now=FIXED_NOW,
        )
