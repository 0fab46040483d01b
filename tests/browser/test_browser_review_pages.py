"""An officer in Chromium pages through a review queue longer than one page: the true total,
GOV.UK pagination, the next page's items, no console errors and no axe violations."""

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
from review_paging_fixtures import OURS, seed_queue

pytestmark = pytest.mark.browser


def test_officer_pages_through_a_long_review_queue(
    page: Page,
    live_server: str,
    console_errors: list[str],  # noqa: F811 - the fixture imported above
    make_user: Callable[..., Any],
    container: Container,
) -> None:
    queue = seed_queue(container)
    officer = make_user(Role.LA_OFFICER, la_code="901")
    page.goto(live_server + "/sign-in")
    page.get_by_label("User name").fill(officer.username)
    page.get_by_label("Password", exact=True).fill(officer.password)
    page.get_by_label("Code from your authenticator app").fill(
        pyotp.TOTP(officer.totp_secret).at(container.clock())
    )
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server + "/search")

    page.get_by_role("link", name="Review queue").click()
    expect(page.locator("#review-count")).to_have_text(f"{OURS} items to review")
    expect(page.get_by_role("link", name=re.compile(r"^Item \d+$"))).to_have_count(50)
    pages = page.get_by_role("navigation", name="Review queue pages")
    expect(pages).to_be_visible()
    assert axe_violations(page) == []
    pages.get_by_role("link", name=re.compile("Next")).click()

    expect(page).to_have_url(live_server + "/review?page=2")
    expect(page.locator("#review-range")).to_have_text(f"Showing 51 to {OURS} (page 2 of 2)")
    links = page.get_by_role("link", name=re.compile(r"^Item \d+$"))
    expect(links).to_have_count(OURS - 50)
    assert [t.removeprefix("Item ") for t in links.all_inner_texts()] == queue["ours"][50:]
    expect(pages.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
    assert axe_violations(page) == []
    assert console_errors == [], json.dumps(console_errors, indent=2)
