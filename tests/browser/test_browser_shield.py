"""Shielding and mediated contact in Chromium: an officer shields a child from its page; a
practitioner then finds only its name, sex and age and asks the team to get in touch; the
officer sees the request in the team's inbox and closes it. No console errors (the CSP
allows no inline script), no axe violations."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect
from test_browser_search import axe_violations, console_errors  # noqa: F401 - fixture

from childindex.bootstrap import Container
from childindex.domain.permissions import Role
from shield_fixtures import la_record, load_la

pytestmark = pytest.mark.browser


def _sign_in(page: Page, live_server: str, user: Any, container: Container) -> None:
    page.goto(live_server + "/sign-in")
    page.get_by_label("User name").fill(user.username)
    page.get_by_label("Password", exact=True).fill(user.password)
    page.get_by_label("Code from your authenticator app").fill(
        pyotp.TOTP(user.totp_secret).at(container.clock())
    )
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server + "/search")


def _open_child(page: Page) -> None:
    """Search by exact name and date of birth, and open the one child found."""
    page.get_by_label("Given name").fill("Marlowe")
    page.get_by_label("Family name").fill("Quennell")
    page.get_by_label("Day").fill("21")
    page.get_by_label("Month").fill("7")
    page.get_by_label("Year").fill("2016")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-count")).to_have_text("1 child found")
    page.get_by_role("link", name="Marlowe Quennell").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Why do you need to see this record?")
    page.get_by_label("To make or follow up a referral").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Marlowe Quennell")


def test_officer_shields_practitioner_asks_for_contact_officer_closes_the_request(
    page: Page,
    browser: Browser,
    live_server: str,
    console_errors: list[str],  # noqa: F811 - the fixture imported above
    make_user: Callable[..., Any],
    container: Container,
) -> None:
    load_la(
        container,
        [
            la_record(
                record_id="L1",
                given_name="Marlowe",
                family_name="Quennell",
                birth_date="2016-07-21",
                address_line1="5 Open Lane",
                la_code="901",
            )
        ],
    )
    officer = make_user(Role.LA_OFFICER, la_code="901")
    nurse = make_user(Role.PRACTITIONER, username="nurse-1")

    _sign_in(page, live_server, officer, container)
    _open_child(page)
    expect(page.locator("main")).to_contain_text("5 Open Lane")
    page.get_by_label("Why must this child be shielded?").fill("Refuge placement")
    # The review date is already filled in: one year from today.
    page.get_by_role("button", name="Shield this child").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "is now shielded. Review it by 25 November 2027."
    )
    assert axe_violations(page) == []

    context = browser.new_context()
    try:
        other = context.new_page()
        other_errors: list[str] = []
        other.on("console", lambda m: other_errors.append(m.text) if m.type == "error" else None)
        _sign_in(other, live_server, nurse, container)
        _open_child(other)
        main = other.locator("main")
        expect(main).not_to_contain_text("5 Open Lane")
        expect(main.locator(".govuk-summary-list__key")).to_have_text(["Name", "Sex", "Age"])
        expect(main.get_by_role("button", name="Shield this child")).to_have_count(0)
        assert axe_violations(other) == []
        other.get_by_label("Your message").fill("Please ask the family to call the school nurse.")
        other.get_by_label("How can the team contact you?").fill("01632 960001")
        other.get_by_role("button", name="Send request").click()
        expect(other.get_by_role("heading", level=1)).to_have_text("Request sent")
        reference = other.locator("#reference").inner_text()
        assert re.fullmatch(r"MC-\d{6}", reference)
        assert axe_violations(other) == []
        assert other_errors == [], json.dumps(other_errors, indent=2)
    finally:
        context.close()

    page.get_by_role("link", name="Contact requests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contact requests")
    card = page.locator(".app-contact-request")
    expect(card).to_contain_text(f"Request {reference}")
    expect(card).to_contain_text("Please ask the family to call the school nurse.")
    expect(card).to_contain_text("Reply to: 01632 960001")
    expect(card).to_contain_text("nurse-1, 25 November 2026")
    assert axe_violations(page) == []
    page.get_by_label("What did you do?").fill("Passed the message to the family")
    page.get_by_role("button", name=f"Close request {reference}").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Request {reference} is closed."
    )
    expect(page.locator("#no-requests")).to_be_visible()
    assert axe_violations(page) == []
    assert console_errors == [], json.dumps(console_errors, indent=2)
