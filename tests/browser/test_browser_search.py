"""A practitioner in Chromium: sign in, search, open a child; no console errors, no axe
violations (a CSP violation or a missing asset shows up as a console error)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from childindex.bootstrap import Container

pytestmark = pytest.mark.browser

AXE = Path(__file__).parents[2] / "node_modules" / "axe-core" / "axe.min.js"

CHILD: dict[str, Any] = {
    "record_id": "H-B1",
    "given_name": "Ifeoma",
    "family_name": "Brightwater",
    "sex": "F",
    "birth_date": "2016-09-21",
    "address_line1": "3 Synthetic Close",
    "town": "Exampleton",
    "postcode": "ZZ2 2BB",
    "nhs_number": "9990000034",
    "gp_practice_code": "Y00002",
    "gp_practice_name": "Sample Street Surgery",
    "carers": [
        {
            "given_name": "Obi",
            "family_name": "Brightwater",
            "relationship": "father",
            "parental_responsibility": True,
            "phone": "07700 900456",
            "email": "obi@example.com",
        }
    ],
    "sensitive": False,
}


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    """Every console error and uncaught exception on the page, collected."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def axe_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.2 A/AA violations on the current page (id: first target)."""
    # Evaluated through the DevTools protocol: the page's CSP rightly refuses injected scripts.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']}
            });
            return r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target).join(' | '));
        }"""
    )
    return list(result)


def test_practitioner_signs_in_searches_and_opens_a_child(
    page: Page,
    live_server: str,
    console_errors: list[str],
    make_user: Callable[..., Any],
    load_health: Callable[[list[dict[str, Any]]], Any],
    container: Container,
) -> None:
    user = make_user()
    load_health([CHILD])

    page.goto(live_server + "/")
    expect(page).to_have_title(re.compile("Child index"))
    # GOV.UK Frontend's JavaScript ran (from a file: the CSP allows no inline script).
    expect(page.locator("body")).to_have_class(re.compile("govuk-frontend-supported"))
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("User name").fill(user.username)
    page.get_by_label("Password", exact=True).fill(user.password)
    # The password input's "Show" button exists only once GOV.UK Frontend has started.
    expect(page.get_by_role("button", name="Show password")).to_be_visible()
    code = pyotp.TOTP(user.totp_secret).at(container.clock())
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(live_server + "/search")
    page.get_by_label("Family name").fill("Brightwater")
    page.get_by_label("Day").fill("21")
    page.get_by_label("Month").fill("9")
    page.get_by_label("Year").fill("2016")
    page.get_by_role("button", name="Search").click()

    expect(page.locator("#results-count")).to_have_text("1 child found")
    row = page.get_by_role("row", name=re.compile("Ifeoma Brightwater"))
    expect(row).to_contain_text("21 September 2016")
    expect(row).to_contain_text("ZZ2 2BB")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Ifeoma Brightwater").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Why do you need to see this record?")
    assert axe_violations(page) == []
    page.get_by_label("To make or follow up a referral").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ifeoma Brightwater")
    expect(page.locator("main")).to_contain_text("3 Synthetic Close")
    expect(page.locator("main")).to_contain_text("Sample Street Surgery")
    expect(page.locator("main")).to_contain_text("Obi Brightwater")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page).to_have_url(live_server + "/")
    assert console_errors == [], json.dumps(console_errors, indent=2)


def test_search_errors_are_announced_in_an_error_summary(
    page: Page,
    live_server: str,
    console_errors: list[str],
    make_user: Callable[..., Any],
    container: Container,
) -> None:
    user = make_user()
    page.goto(live_server + "/sign-in")
    page.get_by_label("User name").fill(user.username)
    page.get_by_label("Password", exact=True).fill(user.password)
    page.get_by_label("Code from your authenticator app").fill(
        pyotp.TOTP(user.totp_secret).at(container.clock())
    )
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server + "/search")

    page.get_by_label("Postcode").fill("ZZ2 2BB")
    page.get_by_role("button", name="Search").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    # GOV.UK Frontend moves focus to the summary so screen readers announce it.
    expect(summary).to_be_focused()
    summary.get_by_role("link").click()
    expect(page.get_by_label("Family name")).to_be_focused()
    assert axe_violations(page) == []
    assert console_errors == [], json.dumps(console_errors, indent=2)
