"""A national administrator in Chromium: create a user, suspend them, re-vet them; every page
passes axe (WCAG 2.2 AA) and the console stays clean (so the CSP blocked nothing)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Page, expect
from test_browser_search import axe_violations, console_errors  # noqa: F401 - fixture

from childindex.bootstrap import Container
from childindex.domain.permissions import Role

pytestmark = pytest.mark.browser
# Chromium logs a page answered with a 4xx status; the deliberate mistake below is answered 422.
REFUSED_FORM = "the server responded with a status of 422"


def sign_in_as(page: Page, live_server: str, user: Any, container: Container) -> None:
    page.goto(live_server + "/sign-in")
    page.get_by_label("User name").fill(user.username)
    page.get_by_label("Password", exact=True).fill(user.password)
    page.get_by_label("Code from your authenticator app").fill(
        pyotp.TOTP(user.totp_secret).at(container.clock())
    )
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server + "/search")


def test_admin_creates_suspends_and_revets_a_user(
    page: Page,
    live_server: str,
    console_errors: list[str],  # noqa: F811 - the fixture imported above
    make_user: Callable[..., Any],
    container: Container,
) -> None:
    sign_in_as(page, live_server, make_user(Role.ADMIN), container)

    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Manage users").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Create a user").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a user")
    assert axe_violations(page) == []
    # A mistake first: a local-authority officer without an authority code.
    page.get_by_label("User name").fill("sam.officer")
    page.get_by_label("Local-authority officer").check()
    page.get_by_role("button", name="Create user").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("needs a local-authority code")
    assert axe_violations(page) == []
    page.get_by_label("Organisation").fill("Example Borough Council")
    page.get_by_label("Local-authority code").fill("901")
    page.get_by_role("button", name="Create user").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("User created")
    password = page.locator("#initial-password").inner_text()
    assert len(password) >= 12
    assert axe_violations(page) == []
    page.get_by_role("button", name="Go to this user").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("sam.officer")
    expect(page.locator("main")).not_to_contain_text(password)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Suspend").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("sam.officer is suspended")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Suspended")

    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2030")
    page.get_by_role("button", name="Record new vetting").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "sam.officer is vetted until 31 March 2030"
    )
    expect(page.locator(".govuk-summary-list")).to_contain_text("31 March 2030")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Back to users").click()
    page.get_by_label("Status").select_option("suspended")
    page.get_by_role("button", name="Filter users").click()
    expect(page.get_by_role("row", name=re.compile("sam.officer"))).to_contain_text(
        "Local-authority officer"
    )
    unexpected = [e for e in console_errors if REFUSED_FORM not in e]
    assert unexpected == [], json.dumps(console_errors, indent=2)
    assert len(console_errors) == 1  # the one refused form, and nothing else
