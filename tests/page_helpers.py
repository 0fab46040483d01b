"""Helpers for tests through the pages: CSRF tokens, signing in, opening a record."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import httpx
import pyotp
from fastapi.testclient import TestClient

from app_fixtures import TestUser as PageUser


class MovableClock:
    """A clock a test can move forward."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock forward by ``timedelta(**delta)``."""
        self.now += timedelta(**delta)


def csrf_token(html: str) -> str:
    """The CSRF token in a page's forms."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(client: TestClient, user: PageUser, now: datetime) -> None:
    """Sign ``user`` in with password and the code for ``now``."""
    assert user.totp_secret
    token = csrf_token(client.get("/sign-in").text)
    response = client.post(
        "/sign-in",
        data={
            "csrf_token": token,
            "username": user.username,
            "password": user.password,
            "code": pyotp.TOTP(user.totp_secret).at(now),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/search"


def open_record(
    client: TestClient, child_id: str, reason: str = "referral", detail: str = ""
) -> httpx.Response:
    """Open a child's record: the reason form first, then the record (POST, with CSRF)."""
    form = client.get(f"/children/{child_id}")
    assert form.status_code == 200, form.text
    return client.post(
        f"/children/{child_id}",
        data={"csrf_token": csrf_token(form.text), "reason": reason, "reason_detail": detail},
    )


def child_ids(client: TestClient, **params: str) -> list[str]:
    """Child IDs linked from the search page's results."""
    token = csrf_token(client.get("/search").text)
    page = client.post("/search", data={"csrf_token": token, **params})
    return re.findall(r'href="/children/([0-9A-Z-]+)"', page.text)
