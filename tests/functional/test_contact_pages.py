"""Mediated contact from the pages: a practitioner asks the responsible team to get in
touch and gets a reference; the team's inbox lists the request with who searched for the
child, and the team closes it saying what was done. Other teams see and close nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app_fixtures import FIXED_NOW
from app_fixtures import TestUser as PageUser
from childindex.audit.tags import AuditTag
from childindex.bootstrap import Container
from childindex.domain.permissions import Role
from childindex.domain.source_record import Source
from childindex.main import create_app
from page_helpers import child_ids, csrf_token, open_record, sign_in
from shield_fixtures import la_record, load_la

MakeUser = Callable[..., PageUser]
SignedIn = Callable[..., TestClient]
EXACT = {
    "given_name": "Marlowe",
    "family_name": "Quennell",
    "birth_date-day": "21",
    "birth_date-month": "07",
    "birth_date-year": "2016",
}
MESSAGE = "Please ask the family to contact the school nurse."


@pytest.fixture
def signed_in(container: Container, make_user: MakeUser) -> Iterator[SignedIn]:
    """A fresh browser-like client, signed in as a new user (``username`` if given)."""
    with ExitStack() as stack:

        def make(role: Role, la_code: str | None = None, username: str | None = None) -> TestClient:
            client = stack.enter_context(TestClient(create_app(container)))
            sign_in(client, make_user(role, la_code=la_code, username=username), FIXED_NOW)
            return client

        yield make


@pytest.fixture
def shielded_child(container: Container) -> str:
    """A child of authority 901 shielded by its local authority, living at a hidden address."""
    load_la(
        container,
        [
            la_record(
                record_id="L1",
                given_name="Marlowe",
                family_name="Quennell",
                birth_date="2016-07-21",
                address_line1="7 Hidden Close",
                la_code="901",
                shield={"reason": "refuge"},
            )
        ],
    )
    with container.uow_factory() as uow:
        found = uow.records.linked_child(source=Source.LA, record_id="L1")
    assert found is not None
    return str(found)


def _post(client: TestClient, url: str, **data: str) -> Any:
    token = csrf_token(client.get("/search").text)
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def _tags(container: Container) -> list[AuditTag]:
    with container.uow_factory() as uow:
        return [e.event.tag for e in uow.audit.entries()]


def _send(client: TestClient, child_id: str) -> str:
    """Send a request through the page; the reference on the confirmation."""
    response = _post(
        client,
        f"/children/{child_id}/contact-requests",
        message=MESSAGE,
        contact="nurse-1, 01632 960001",
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/contact-requests/sent"
    sent = client.get("/contact-requests/sent")
    assert sent.status_code == 200
    found = re.search(r'<strong id="reference">(MC-\d{6})</strong>', sent.text)
    assert found, sent.text
    return found.group(1)


def test_a_practitioner_asks_the_team_and_the_team_sees_who_searched_and_closes_it(
    container: Container, signed_in: SignedIn, shielded_child: str
) -> None:
    nurse = signed_in(Role.PRACTITIONER, username="nurse-1")
    assert child_ids(nurse, **EXACT) == [shielded_child]
    page = open_record(nurse, shielded_child)
    assert "7 Hidden Close" not in page.text
    assert "Ask the responsible team to get in touch" in page.text
    reference = _send(nurse, shielded_child)
    assert AuditTag.CONTACT_REQUESTED in _tags(container)

    elsewhere = signed_in(Role.LA_OFFICER, "902")
    other_inbox = elsewhere.get("/contact-requests")
    assert other_inbox.status_code == 200
    assert reference not in other_inbox.text
    assert "There are no open requests" in other_inbox.text

    team = signed_in(Role.LA_OFFICER, "901")
    inbox = team.get("/contact-requests")
    assert inbox.status_code == 200
    assert inbox.headers["cache-control"] == "no-store"
    assert f"Request {reference}" in inbox.text
    assert MESSAGE in inbox.text
    assert "Reply to: nurse-1, 01632 960001" in inbox.text
    assert f'href="/children/{shielded_child}"' in inbox.text
    # Who searched for the child, and when (the app's clock: 25 November 2026, noon UTC).
    assert "nurse-1, 25 November 2026 at 12:00pm UTC" in inbox.text
    assert "7 Hidden Close" not in inbox.text
    assert AuditTag.CONTACT_REQUESTS_LISTED in _tags(container)

    request_id = int(reference.removeprefix("MC-"))
    refused = _post(elsewhere, f"/contact-requests/{request_id}/close", outcome="passed on")
    assert refused.status_code == 404
    blank = _post(team, f"/contact-requests/{request_id}/close", outcome="  ")
    assert blank.status_code == 422
    assert blank.text.count("Say what was done") == 2
    assert f'href="#outcome-{request_id}"' in blank.text
    closed = _post(team, f"/contact-requests/{request_id}/close", outcome="passed to the family")
    assert closed.status_code == 303
    assert closed.headers["location"] == "/contact-requests"
    after = team.get("/contact-requests")
    assert f"Request {reference} is closed." in after.text
    assert f"Request {reference}</h2>" not in after.text
    assert AuditTag.CONTACT_REQUEST_CLOSED in _tags(container)
    again = _post(team, f"/contact-requests/{request_id}/close", outcome="again")
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("form", "message", "anchor"),
    [
        ({"message": " ", "contact": "01632 960001"}, "A message is required", "#message"),
        ({"message": MESSAGE, "contact": " "}, "Say how the team can contact you", "#contact"),
        ({"message": "x" * 4001, "contact": "01632 960001"}, "at most 4000", "#message"),
    ],
)
def test_a_request_with_bad_input_shows_the_form_again_with_the_error(
    container: Container,
    signed_in: SignedIn,
    shielded_child: str,
    form: dict[str, str],
    message: str,
    anchor: str,
) -> None:
    nurse = signed_in(Role.PRACTITIONER)
    response = _post(nurse, f"/children/{shielded_child}/contact-requests", **form)
    assert response.status_code == 422
    assert "govuk-error-summary" in response.text
    assert response.text.count(message) == 2
    assert f'href="{anchor}"' in response.text
    assert "7 Hidden Close" not in response.text
    assert AuditTag.CONTACT_REQUESTED not in _tags(container)


def test_a_visible_child_has_no_contact_form_and_a_request_for_one_is_refused(
    container: Container, signed_in: SignedIn
) -> None:
    load_la(container, [la_record(record_id="L9", la_code="901")])
    with container.uow_factory() as uow:
        child_id = str(uow.records.linked_child(source=Source.LA, record_id="L9"))
    nurse = signed_in(Role.PRACTITIONER)
    assert "Ask the responsible team" not in open_record(nurse, child_id).text
    response = _post(nurse, f"/children/{child_id}/contact-requests", message=MESSAGE, contact="x")
    assert response.status_code == 409
    assert "not shielded" in response.text


def test_the_inbox_is_for_teams_only_and_the_confirmation_needs_a_request(
    signed_in: SignedIn, shielded_child: str
) -> None:
    nurse = signed_in(Role.PRACTITIONER)
    assert nurse.get("/contact-requests").status_code == 403
    assert _post(nurse, "/contact-requests/1/close", outcome="done").status_code == 403
    assert nurse.get("/contact-requests/sent").status_code == 404
    auditor = signed_in(Role.AUDITOR)
    refused = _post(
        auditor, f"/children/{shielded_child}/contact-requests", message="m", contact="c"
    )
    assert refused.status_code == 403
    admin = signed_in(Role.ADMIN)
    assert admin.get("/contact-requests").status_code == 200
    assert _post(admin, "/contact-requests/999/close", outcome="done").status_code == 404


def test_the_inbox_shows_a_message_as_text_never_as_markup(
    signed_in: SignedIn, shielded_child: str
) -> None:
    nurse = signed_in(Role.PRACTITIONER)
    response = _post(
        nurse,
        f"/children/{shielded_child}/contact-requests",
        message='<script>alert("x")</script>\nsecond line',
        contact="<b>me</b>",
    )
    assert response.status_code == 303
    inbox = signed_in(Role.LA_OFFICER, "901").get("/contact-requests").text
    assert "<script>alert" not in inbox
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;<br>second line" in inbox
    assert "&lt;b&gt;me&lt;/b&gt;" in inbox
