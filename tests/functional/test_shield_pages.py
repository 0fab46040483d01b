"""Shielding from the pages: an officer shields and lifts a child on the child's page; the
form refuses bad input with the GOV.UK error summary; other authorities, practitioners and
the halt switch are refused as through the API; ``/shields/due`` is scoped to the viewer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app_fixtures import FIXED_NOW
from app_fixtures import TestUser as PageUser
from childindex.audit.tags import AuditTag
from childindex.bootstrap import Container
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Role
from childindex.domain.source_record import Source
from childindex.main import create_app
from childindex.services import operations
from feed_state import load_look_alike_of_two_shielded
from page_helpers import csrf_token, open_record, sign_in
from shield_fixtures import la_record, load_la

MakeUser = Callable[..., PageUser]
SignedIn = Callable[..., TestClient]
SECRET_REASON = "SECRET-REASON refuge placement"


@pytest.fixture
def signed_in(container: Container, make_user: MakeUser) -> Iterator[SignedIn]:
    """A fresh browser-like client, signed in as a new user of ``role``."""
    with ExitStack() as stack:

        def make(role: Role, la_code: str | None = None) -> TestClient:
            client = stack.enter_context(TestClient(create_app(container)))
            sign_in(client, make_user(role, la_code=la_code), FIXED_NOW)
            return client

        yield make


def _child(container: Container, record_id: str) -> str:
    with container.uow_factory() as uow:
        found = uow.records.linked_child(source=Source.LA, record_id=record_id)
    assert found is not None
    return str(found)


@pytest.fixture
def visible_child(container: Container) -> str:
    """A visible child of authority 901 with an address only the cleared may see once shielded."""
    load_la(container, [la_record(record_id="L1", la_code="901", address_line1="5 Open Lane")])
    return _child(container, "L1")


def _shielded(container: Container, child_id: str) -> bool:
    with container.uow_factory() as uow:
        child = uow.children.get(ChildId.parse(child_id))
    assert child is not None
    return child.shielded


def _tags(container: Container) -> list[AuditTag]:
    with container.uow_factory() as uow:
        return [e.event.tag for e in uow.audit.entries()]


def _post(client: TestClient, url: str, **data: str) -> Any:
    token = csrf_token(client.get("/search").text)
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def test_an_officer_shields_a_child_from_its_page_and_a_practitioner_then_sees_only_the_summary(
    container: Container, signed_in: SignedIn, visible_child: str
) -> None:
    officer = signed_in(Role.LA_OFFICER, "901")
    page = open_record(officer, visible_child)
    assert "Shield this child" in page.text
    # The review date suggested is one year from today (the app's clock: 25 November 2026).
    assert 'name="review_date-day" type="text" value="25"' in page.text
    assert 'name="review_date-year" type="text" value="2027"' in page.text
    response = _post(
        officer,
        f"/children/{visible_child}/shield",
        reason=SECRET_REASON,
        **{"review_date-day": "25", "review_date-month": "11", "review_date-year": "2027"},
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/children/{visible_child}"
    assert response.headers["cache-control"] == "no-store"
    after = officer.get(response.headers["location"])
    assert "govuk-notification-banner--success" in after.text
    assert f"Child {visible_child} is now shielded. Review it by 25 November 2027." in after.text
    # Shown once: a reload does not repeat it.
    assert "is now shielded" not in officer.get(f"/children/{visible_child}").text
    assert _shielded(container, visible_child)
    assert AuditTag.SHIELD_SET in _tags(container)

    practitioner = signed_in(Role.PRACTITIONER)
    seen = open_record(practitioner, visible_child)
    assert "5 Open Lane" not in seen.text
    assert "Ask the responsible team to get in touch" in seen.text
    assert "Shield this child" not in seen.text
    assert "Lift the shield" not in seen.text
    # The officer, cleared for their authority, still sees it all, and may lift or renew.
    cleared = open_record(officer, visible_child)
    assert "5 Open Lane" in cleared.text
    assert "Lift the shield" in cleared.text
    assert "Keep the shield" in cleared.text
    with container.uow_factory() as uow:
        assert not any(SECRET_REASON in repr(e.event) for e in uow.audit.entries())


def test_a_shield_sent_without_a_review_date_is_reviewed_in_a_year(
    container: Container, signed_in: SignedIn, visible_child: str
) -> None:
    admin = signed_in(Role.ADMIN)
    response = _post(admin, f"/children/{visible_child}/shield", reason="refuge")
    assert response.status_code == 303
    after = admin.get(response.headers["location"])
    assert "Review it by 25 November 2027." in after.text


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"reason": "  "}, "reason", "A reason is required"),
        (
            {"review_date-day": "1", "review_date-month": "1", "review_date-year": "2020"},
            "review_date",
            "The review date must be in the future",
        ),
        (
            {"review_date-day": "25", "review_date-month": "11", "review_date-year": "2026"},
            "review_date",
            "The review date must be in the future",
        ),
        (
            {"review_date-day": "1", "review_date-year": "2027"},
            "review_date",
            "The review date must include a day, month and year",
        ),
        (
            {"review_date-day": "31", "review_date-month": "2", "review_date-year": "2027"},
            "review_date",
            "The review date must be a real date",
        ),
        (
            {"review_date-day": "x", "review_date-month": "2", "review_date-year": "2027"},
            "review_date",
            "The review date must be a real date",
        ),
    ],
)
def test_bad_input_shows_the_form_again_with_the_error_summary_and_shields_nothing(
    container: Container,
    signed_in: SignedIn,
    visible_child: str,
    form: dict[str, str],
    field: str,
    message: str,
) -> None:
    officer = signed_in(Role.LA_OFFICER, "901")
    data = {"reason": "refuge", **form}
    response = _post(officer, f"/children/{visible_child}/shield", **data)
    assert response.status_code == 422
    assert "govuk-error-summary" in response.text
    assert response.text.count(message) == 2  # in the summary and beside the field
    anchor = "#review_date-day" if field == "review_date" else "#reason"
    assert f'href="{anchor}"' in response.text
    assert "<title>Error: " in response.text
    # What was typed is kept; nothing of the child is shown.
    assert "5 Open Lane" not in response.text
    assert not _shielded(container, visible_child)


def test_an_officer_of_another_authority_and_a_practitioner_are_refused(
    container: Container, signed_in: SignedIn, visible_child: str
) -> None:
    elsewhere = signed_in(Role.LA_OFFICER, "902")
    # The page offers the control by permission; the service refuses this child.
    assert "Shield this child" in open_record(elsewhere, visible_child).text
    refused = _post(elsewhere, f"/children/{visible_child}/shield", reason="refuge")
    assert refused.status_code == 403
    assert "only an officer of the responsible local authority" in refused.text.lower()
    practitioner = signed_in(Role.PRACTITIONER)
    assert "Shield this child" not in open_record(practitioner, visible_child).text
    assert _post(practitioner, f"/children/{visible_child}/shield", reason="x").status_code == 403
    assert not _shielded(container, visible_child)
    unknown = _post(signed_in(Role.ADMIN), f"/children/{ChildId.new()}/shield", reason="refuge")
    assert unknown.status_code == 404


def test_while_halted_a_shield_is_refused_with_the_halt_message(
    container: Container, signed_in: SignedIn, visible_child: str
) -> None:
    officer = signed_in(Role.LA_OFFICER, "901")
    operations.halt_on(
        uow=container.uow_factory(), actor="admin", reason="health feed duplicates", now=FIXED_NOW
    )
    response = _post(officer, f"/children/{visible_child}/shield", reason="refuge")
    assert response.status_code == 409
    assert "Updates are halted" in response.text
    assert "health feed duplicates" in response.text
    assert not _shielded(container, visible_child)
    lift = _post(officer, f"/children/{visible_child}/shield/lift", reason="placement ended")
    assert lift.status_code == 409
    assert "Updates are halted" in lift.text


def test_an_officer_lifts_the_shield_with_a_reason(
    container: Container, signed_in: SignedIn, visible_child: str
) -> None:
    officer = signed_in(Role.LA_OFFICER, "901")
    assert _post(officer, f"/children/{visible_child}/shield", reason="refuge").status_code == 303
    blank = _post(officer, f"/children/{visible_child}/shield/lift", reason=" ")
    assert blank.status_code == 422
    assert blank.text.count("A reason is required") == 2
    assert 'href="#lift_reason"' in blank.text
    assert _shielded(container, visible_child)
    elsewhere = signed_in(Role.LA_OFFICER, "902")
    assert _post(elsewhere, f"/children/{visible_child}/shield/lift", reason="x").status_code == 403
    lifted = _post(officer, f"/children/{visible_child}/shield/lift", reason="placement ended")
    assert lifted.status_code == 303
    assert "The shield on child" in officer.get(lifted.headers["location"]).text
    assert not _shielded(container, visible_child)
    assert AuditTag.SHIELD_LIFTED in _tags(container)
    again = _post(officer, f"/children/{visible_child}/shield/lift", reason="again")
    assert again.status_code == 409


def test_shields_due_lists_only_the_officers_own_authority_and_an_admin_sees_all(
    container: Container, signed_in: SignedIn
) -> None:
    # Shields set by a source carry no review date: they wait for an officer's review.
    load_la(
        container,
        [
            la_record(record_id="L1", la_code="901", shield={"reason": "refuge"}),
            la_record(
                record_id="L2",
                given_name="Tobias",
                family_name="Wren",
                birth_date="2013-01-02",
                postcode="ZZ3 3ZZ",
                address_line1="9 Far Road",
                la_code="902",
                shield={"reason": "refuge"},
            ),
        ],
    )
    ours, theirs = _child(container, "L1"), _child(container, "L2")
    officer = signed_in(Role.LA_OFFICER, "901")
    page = officer.get("/shields/due")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert ours in page.text
    assert theirs not in page.text
    assert "Not set" in page.text
    assert "refuge" not in page.text  # reasons are never listed
    admin = signed_in(Role.ADMIN).get("/shields/due")
    assert ours in admin.text
    assert theirs in admin.text
    assert signed_in(Role.PRACTITIONER).get("/shields/due").status_code == 403
    assert signed_in(Role.LA_OFFICER, "903").get("/shields/due").text.count("/children/") == 0
    with container.uow_factory() as uow:
        listed = [
            e.event for e in uow.audit.entries() if e.event.tag is AuditTag.SHIELD_REMINDERS_LISTED
        ]
    assert listed[0].child_ids == (ours,)


def test_the_navigation_offers_the_inbox_and_reminders_only_to_those_who_may_use_them(
    signed_in: SignedIn,
) -> None:
    officer = signed_in(Role.LA_OFFICER, "901").get("/search").text
    assert 'href="/contact-requests"' in officer
    assert 'href="/shields/due"' in officer
    practitioner = signed_in(Role.PRACTITIONER).get("/search").text
    assert 'href="/contact-requests"' not in practitioner
    assert 'href="/shields/due"' not in practitioner


def test_a_lift_the_screen_undoes_says_so_and_why(
    container: Container, signed_in: SignedIn
) -> None:
    """Lifted (judged apart from one shielded child, like another), the screen shields the
    child again, and the page says why (``test_lift_leaves_no_child_at_caution.py``)."""
    look_alike = str(load_look_alike_of_two_shielded(container)["L"])
    admin = signed_in(Role.ADMIN)
    lifted = _post(admin, f"/children/{look_alike}/shield/lift", reason="not child A")
    assert lifted.status_code == 303
    page = admin.get(lifted.headers["location"]).text
    assert "the shield screen has shielded it again" in page
    assert _shielded(container, look_alike)
