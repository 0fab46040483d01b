"""An officer in Chromium: open the review queue, look at a pair side by side, merge it,
then undo the merge from the child's page. No console errors (the CSP allows no inline
script), no axe violations."""

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
from childindex.domain.source_record import Source
from shield_fixtures import la_record, load_la

pytestmark = pytest.mark.browser


def test_officer_decides_a_review_item_and_undoes_the_merge(
    page: Page,
    live_server: str,
    console_errors: list[str],  # noqa: F811 - the fixture imported above
    make_user: Callable[..., Any],
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
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
                la_code="901",
                shield={"reason": "refuge"},
            )
        ],
    )
    load_health(
        [
            health_record(
                record_id="H9",
                given_name="Marlow",
                family_name="Quenel",
                birth_date="2016-07-21",
                nhs_number="9990000050",
            )
        ]
    )
    with container.uow_factory() as uow:
        shielded = str(uow.records.linked_child(source=Source.LA, record_id="L1"))
        cautioned = str(uow.records.linked_child(source=Source.HEALTH, record_id="H9"))
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
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    expect(page.locator("#review-count")).to_have_text("1 item to review")
    assert axe_violations(page) == []
    page.get_by_role("link", name=re.compile(r"Item c\d+")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Review item c\d+"))
    main = page.locator("main")
    expect(main).to_contain_text(cautioned)
    expect(main).to_contain_text(shielded)
    expect(main.get_by_role("heading", name="Might be")).to_be_visible()
    expect(page.locator("#weights meter")).to_have_count(6)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Merge").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Decision recorded")
    assert axe_violations(page) == []
    page.locator("#result-child").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Why do you need to see this record?")
    page.get_by_label("To make or follow up a referral").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Merged into this record")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name=f"Undo merge of {cautioned}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Merge undone")
    with container.uow_factory() as uow:
        back = uow.records.linked_child(source=Source.HEALTH, record_id="H9")
    assert str(back) == cautioned
    page.goto(live_server + "/review")
    expect(page.locator("#review-count")).to_have_text(re.compile(r"\d+ items? to review"))
    assert console_errors == [], json.dumps(console_errors, indent=2)
