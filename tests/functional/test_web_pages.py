"""The GOV.UK pages through HTTP: sign-in, search, a child's record, and what they never show."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import httpx
import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jinja2 import TemplateError

from app_fixtures import make_health_record
from childindex.audit.tags import AuditTag
from childindex.bootstrap import Container
from childindex.domain.identifiers import nhs_check_digit
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Role
from childindex.web import router as web_router
from childindex.web.headers import CONTENT_SECURITY_POLICY
from childindex.web.templating import without_inline_script
from page_helpers import csrf_token

FAILED = "Enter a correct user name, password and code"


class PageUser(Protocol):
    """What the ``make_user`` fixture hands back (``tests/app_fixtures.py``)."""

    username: str
    password: str
    totp_secret: str | None


# An ordinary child, as the health feed sends it (Amara Okafor, born 2015-03-14, ZZ1 1AA).
health_record = make_health_record
AMARA: dict[str, Any] = make_health_record()


# A shielded child whose hidden fields hold strings that appear nowhere else.
SHIELDED = {
    "record_id": "H-SHIELD",
    "given_name": "Zephyrine",
    "family_name": "Quillfeather",
    "sex": "F",
    "birth_date": "2012-06-01",
    "address_line1": "SENTINEL-ADDRESS-7QX",
    "address_line2": "SENTINEL-LINE2-7QX",
    "town": "SENTINEL-TOWN-7QX",
    "postcode": "ZZ9 9ZQ",
    "nhs_number": "9990000026",
    "gp_practice_code": "SENTINEL-GPCODE-7QX",
    "gp_practice_name": "SENTINEL-SURGERY-7QX",
    "carers": [
        {
            "given_name": "SENTINEL-CARER-7QX",
            "family_name": "Quillfeather",
            "relationship": "mother",
            "parental_responsibility": True,
            "phone": "07700 900777",
            "email": "sentinel-carer-7qx@example.com",
        }
    ],
    "sensitive": True,
}
SENTINELS = (
    "SENTINEL",
    "sentinel",
    "ZZ9 9ZQ",
    "9990000026",
    "999 000 0026",
    "07700 900777",
    "1 June 2012",
    "2012-06-01",
)

LoadHealth = Callable[[list[dict[str, Any]]], Any]
MakeUser = Callable[..., PageUser]


def code_for(user: PageUser, container: Container) -> str:
    """The user's authenticator code at the app's (fixed) clock."""
    assert user.totp_secret
    return str(pyotp.TOTP(user.totp_secret).at(container.clock()))


def post_sign_in(client: TestClient, **fields: str) -> httpx.Response:
    """Fetch the form (for its CSRF token) and post it."""
    token = csrf_token(client.get("/sign-in").text)
    return client.post("/sign-in", data={"csrf_token": token, **fields}, follow_redirects=False)


def sign_in(client: TestClient, user: PageUser, container: Container) -> None:
    """Sign ``user`` in with password and code; the client keeps the session cookie."""
    response = post_sign_in(
        client, username=user.username, password=user.password, code=code_for(user, container)
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/search"


def open_record(
    client: TestClient, child_id: str, reason: str = "referral", detail: str = ""
) -> httpx.Response:
    """Open a child's record: the reason form first, then the record (POST, with CSRF)."""
    form = client.get(f"/children/{child_id}")
    assert form.status_code == 200, form.text
    assert "Why do you need to see this record?" in form.text
    return client.post(
        f"/children/{child_id}",
        data={"csrf_token": csrf_token(form.text), "reason": reason, "reason_detail": detail},
    )


def valid_nhs_numbers(count: int, *, start: int) -> list[str]:
    """``count`` synthetic NHS numbers (999 test range) with correct check digits."""
    numbers: list[str] = []
    first_nine = start
    while len(numbers) < count:
        check = nhs_check_digit(str(first_nine))
        if check is not None:
            numbers.append(f"{first_nine}{check}")
        first_nine += 1
    return numbers


def result_links(html: str) -> list[str]:
    """Child IDs linked from a results table."""
    return re.findall(r'href="/children/([0-9A-Z-]+)"', html)


def search(client: TestClient, **fields: str) -> httpx.Response:
    """Run a search through the form (a POST carrying the CSRF token)."""
    token = csrf_token(client.get("/search").text)
    return client.post("/search", data={"csrf_token": token, **fields})


@pytest.fixture
def signed_in(client: TestClient, make_user: MakeUser, container: Container) -> PageUser:
    """An ordinary practitioner (not a health body: NHS numbers are not theirs), signed in."""
    user = make_user(Role.PRACTITIONER)
    sign_in(client, user, container)
    return user


# --- the start page and the look ----------------------------------------------------------


def test_start_page_is_public_and_looks_like_a_govuk_service(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert 'class="govuk-template' in html
    assert "/static/govuk-frontend/govuk-frontend.min.css" in html
    assert 'class="govuk-header' in html
    assert 'class="govuk-footer' in html
    assert "govuk-button--start" in html
    assert 'href="/sign-in"' in html
    assert (
        "<title>Find a child and who is working with them \u2013 Child index \u2013 GOV.UK</title>"
        in html
    )


def test_pages_carry_no_inline_script(client: TestClient) -> None:
    for path in ("/", "/sign-in"):
        html = client.get(path).text
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert scripts == ['<script type="module" src="/static/init.js">']


def test_static_assets_are_served(client: TestClient) -> None:
    for path, kind in (
        ("/static/init.js", "javascript"),
        ("/static/govuk-frontend/govuk-frontend.min.js", "javascript"),
        ("/static/govuk-frontend/govuk-frontend.min.css", "text/css"),
        ("/static/app.css", "text/css"),
        ("/assets/images/favicon.svg", "image/svg"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert kind in response.headers["content-type"], path


# --- signing in and out -------------------------------------------------------------------


def test_sign_in_with_password_and_code_opens_the_search_page(
    client: TestClient, make_user: MakeUser, container: Container
) -> None:
    user = make_user()
    sign_in(client, user, container)
    page = client.get("/search")
    assert page.status_code == 200
    assert '<h1 class="govuk-heading-l">Search for a child</h1>' in page.text
    assert "Sign out" in page.text


@pytest.mark.parametrize("wrong", ["password", "code", "unknown user", "blank code"])
def test_failed_sign_in_says_the_same_whatever_was_wrong(
    client: TestClient, make_user: MakeUser, container: Container, wrong: str
) -> None:
    user = make_user()
    fields = {
        "username": user.username,
        "password": user.password,
        "code": code_for(user, container),
    }
    if wrong == "password":
        fields["password"] = user.password + "x"
    elif wrong == "code":
        fields["code"] = f"{(int(fields['code']) + 1) % 1_000_000:06d}"
    elif wrong == "unknown user":
        fields["username"] = "nobody-by-this-name"
    else:
        fields["code"] = ""
    response = post_sign_in(client, **fields)
    assert response.status_code == 200
    assert FAILED in response.text
    assert 'class="govuk-error-summary' in response.text
    assert 'href="#username"' in response.text
    assert user.password not in response.text
    # No session was started.
    assert client.get("/search", follow_redirects=False).status_code == 303


def test_a_code_from_another_time_is_refused(
    client: TestClient, make_user: MakeUser, container: Container
) -> None:
    user = make_user()
    assert user.totp_secret
    stale = pyotp.TOTP(user.totp_secret).at(container.clock().timestamp() - 300)
    response = post_sign_in(client, username=user.username, password=user.password, code=stale)
    assert FAILED in response.text


def test_feed_accounts_cannot_sign_in_to_the_pages(
    client: TestClient, make_user: MakeUser, container: Container
) -> None:
    feed = make_user(Role.FEED)
    assert feed.totp_secret is None
    response = post_sign_in(client, username=feed.username, password=feed.password, code="000000")
    assert response.status_code == 200
    assert FAILED in response.text


def test_sign_in_attempts_are_audited_without_secrets(
    client: TestClient, make_user: MakeUser, container: Container
) -> None:
    user = make_user()
    post_sign_in(client, username=user.username, password="wrong-password-1", code="123456")
    sign_in(client, user, container)
    with container.uow_factory() as uow:
        events = [e.event for e in uow.audit.entries()]
    tags = [(e.tag, e.actor) for e in events if e.tag.value.startswith("auth:sign-in")]
    assert tags == [
        (AuditTag.SIGN_IN_FAILED, user.username),
        (AuditTag.SIGNED_IN, user.username),
    ]
    text = repr(events)
    assert user.password not in text
    assert "wrong-password-1" not in text


def test_sign_in_without_the_csrf_token_is_refused(
    client: TestClient, make_user: MakeUser, container: Container
) -> None:
    user = make_user()
    client.get("/sign-in")
    fields = {
        "username": user.username,
        "password": user.password,
        "code": code_for(user, container),
    }
    missing = client.post("/sign-in", data=fields, follow_redirects=False)
    assert missing.status_code == 403
    assert "govuk-template" in missing.text
    forged = client.post(
        "/sign-in", data={**fields, "csrf_token": "forged"}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert client.get("/search", follow_redirects=False).status_code == 303


def test_sign_out_needs_the_csrf_token_and_ends_the_session(
    client: TestClient, signed_in: PageUser
) -> None:
    page = client.get("/search")
    assert client.post("/sign-out", follow_redirects=False).status_code == 403
    assert client.get("/search", follow_redirects=False).status_code == 200
    response = client.post(
        "/sign-out", data={"csrf_token": csrf_token(page.text)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    after = client.get("/search", follow_redirects=False)
    assert after.status_code == 303
    assert after.headers["location"] == "/sign-in"


# --- guards -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/search", "/search?family_name=Okafor", "/children/X"])
def test_guarded_pages_send_the_signed_out_to_sign_in(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"


def test_the_api_still_answers_401_in_json(client: TestClient) -> None:
    response = client.get("/api/v1/children", params={"family_name": "Okafor"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_user_without_the_permission_gets_a_403_page(
    client: TestClient, make_user: MakeUser, container: Container
) -> None:
    auditor = make_user(Role.AUDITOR)
    sign_in(client, auditor, container)
    for path, permission in (
        ("/search", "child:record:search"),
        (f"/children/{ChildId.new()}", "child:record:read"),
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "govuk-template" in response.text
        assert permission in response.text


# --- search -------------------------------------------------------------------------------


def test_search_shows_a_loaded_child(
    client: TestClient, signed_in: PageUser, load_health: LoadHealth
) -> None:
    load_health([health_record()])
    response = search(client, given_name="Amara", family_name="Okafor")
    assert response.status_code == 200
    html = response.text
    assert "1 child found" in html
    assert "Amara Okafor" in html
    assert "14 March 2015" in html
    assert "ZZ1 1AA" in html
    assert "Female" in html
    assert len(result_links(html)) == 1
    assert response.headers["cache-control"] == "no-store"


def test_search_by_date_of_birth_boxes(
    client: TestClient, signed_in: PageUser, load_health: LoadHealth
) -> None:
    load_health([health_record()])
    params = {"family_name": "okafor", "birth_date-day": "14", "birth_date-month": "3"}
    response = search(client, **params, **{"birth_date-year": "2015"})
    assert "Amara Okafor" in response.text
    other = search(client, **params, **{"birth_date-year": "2014"})
    assert "No children found" in other.text


def test_search_says_how_many_of_how_many(
    client: TestClient, signed_in: PageUser, load_health: LoadHealth, container: Container
) -> None:
    limit = container.settings.search_limit
    records = [
        health_record(
            record_id=f"H{i}",
            given_name=f"Child{chr(65 + i % 26)}{chr(65 + i // 26)}",
            nhs_number=number,
            birth_date=f"2015-{1 + i % 12:02d}-{1 + i % 28:02d}",
        )
        for i, number in enumerate(valid_nhs_numbers(limit + 3, start=999_001_000))
    ]
    load_health(records)
    html = search(client, family_name="Okafor").text
    assert f"Showing {limit} of {limit + 3} children" in html
    assert len(result_links(html)) == limit


@pytest.mark.parametrize(
    ("params", "anchor", "message"),
    [
        ({"postcode": "ZZ1 1AA"}, "#family_name", "Give at least a name"),
        ({"nhs_number": "9990000019"}, "#nhs_number", "NHS number check digit"),
        ({"family_name": "Okafor", "birth_date-day": "14"}, "#birth_date-day", "must include"),
        (
            {
                "family_name": "Okafor",
                "birth_date-day": "31",
                "birth_date-month": "2",
                "birth_date-year": "2015",
            },
            "#birth_date-day",
            "must be a real date",
        ),
    ],
)
def test_search_input_errors_show_an_error_summary(
    client: TestClient, signed_in: PageUser, params: dict[str, str], anchor: str, message: str
) -> None:
    response = search(client, **params)
    assert response.status_code == 200
    html = response.text
    assert 'class="govuk-error-summary' in html
    assert f'href="{anchor}"' in html
    assert message in html
    assert "<title>Error: Search for a child" in html
    # What was typed is shown again.
    for value in params.values():
        assert f'value="{value}"' in html


def test_an_overlong_search_box_gets_an_error_page_not_json(
    client: TestClient, signed_in: PageUser
) -> None:
    response = search(client, family_name="x" * 101)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "govuk-template" in response.text


def test_a_search_page_escapes_what_was_typed(client: TestClient, signed_in: PageUser) -> None:
    html = search(client, family_name='<script>alert("x")</script>').text
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


# --- the shielded child -------------------------------------------------------------------


def test_exact_name_and_date_of_birth_find_only_the_shielded_summary(
    client: TestClient, signed_in: PageUser, load_health: LoadHealth
) -> None:
    load_health([health_record(), SHIELDED])
    response = search(
        client,
        given_name="Zephyrine",
        family_name="Quillfeather",
        **{"birth_date-day": "1", "birth_date-month": "6", "birth_date-year": "2012"},
    )
    html = response.text
    assert "Zephyrine Quillfeather" in html
    assert "Shielded \u2013 request mediated contact" in html
    assert len(result_links(html)) == 1
    # The date of birth was typed into the form (and is shown back there) but the
    # results table never shows it, nor anything else hidden.
    table = html[html.index('<table class="govuk-table">') :]
    for sentinel in SENTINELS:
        assert sentinel not in table, sentinel


def test_postcode_search_never_shows_the_shielded_child(
    client: TestClient, signed_in: PageUser, load_health: LoadHealth
) -> None:
    load_health([SHIELDED])
    html = search(client, family_name="Quillfeather", postcode="ZZ9 9ZQ").text
    assert "No children found" in html
    assert "Zephyrine" not in html
    assert result_links(html) == []
    by_name = search(client, family_name="Quillfeather").text
    assert "No children found" in by_name


def test_shielded_child_page_shows_name_sex_age_and_the_notice_only(
    client: TestClient, signed_in: PageUser, load_health: LoadHealth
) -> None:
    load_health([SHIELDED])
    found = search(
        client,
        given_name="Zephyrine",
        family_name="Quillfeather",
        **{"birth_date-day": "01", "birth_date-month": "06", "birth_date-year": "2012"},
    )
    [child_id] = result_links(found.text)
    response = open_record(client, child_id)
    assert response.status_code == 200
    html = response.text
    assert "Zephyrine Quillfeather" in html
    assert "Female" in html
    assert "This child\u2019s record is shielded" in html
    assert "mediated contact" in html
    for sentinel in SENTINELS:
        assert sentinel not in html, sentinel
    for label in ("Address", "NHS number", "GP practice", "Date of birth", "Parents and carers"):
        assert label not in html, label
    for name, value in response.headers.items():
        for sentinel in SENTINELS:
            assert sentinel not in value, (name, sentinel)


# --- a child's page -----------------------------------------------------------------------


def _open_child(client: TestClient, **params: str) -> httpx.Response:
    [child_id] = result_links(search(client, **params).text)
    return open_record(client, child_id)


def test_child_page_shows_the_record_and_where_each_field_came_from(
    client: TestClient, signed_in: PageUser, load_health: LoadHealth
) -> None:
    carer = {
        "given_name": "Chidi",
        "family_name": "Okafor",
        "relationship": "father",
        "parental_responsibility": True,
        "phone": "07700 900123",
        "email": "chidi@example.com",
    }
    load_health([health_record(carers=[carer])])
    response = _open_child(client, family_name="Okafor")
    assert response.status_code == 200
    html = response.text
    for text in (
        "Amara Okafor",
        "14 March 2015",
        "12 Testing Row",
        "ZZ1 1AA",
        "Example Surgery",
        "Y00001",
        "Chidi Okafor",
        "07700 900123",
        "From Health (record H1)",
        'class="govuk-summary-list',
    ):
        assert text in html, text
    # An ordinary practitioner is not a health body: the NHS number is not in the view.
    assert "9990000018" not in html
    assert "NHS number" not in html


def test_health_practitioners_see_the_nhs_number(
    client: TestClient, make_user: MakeUser, container: Container, load_health: LoadHealth
) -> None:
    user = make_user(organisation="Example NHS Trust")
    sign_in(client, user, container)
    load_health([health_record()])
    html = _open_child(client, family_name="Okafor").text
    assert "NHS number" in html
    assert "9990000018" in html


def test_child_pages_are_never_cached(
    client: TestClient, signed_in: PageUser, load_health: LoadHealth
) -> None:
    load_health([health_record()])
    response = _open_child(client, family_name="Okafor")
    assert response.headers["cache-control"] == "no-store"


def test_a_mistyped_child_id_gets_an_error_page(client: TestClient, signed_in: PageUser) -> None:
    good = str(ChildId.new())
    last = good[-1]
    mistyped = good[:-1] + ("0" if last != "0" else "1")
    for bad in ("not-an-id", mistyped):
        response = client.get(f"/children/{bad}")
        assert response.status_code in {400, 422}
        assert "govuk-template" in response.text
        assert "Child ID" in response.text


def test_an_unknown_child_gets_a_404_page(client: TestClient, signed_in: PageUser) -> None:
    response = open_record(client, str(ChildId.new()))
    assert response.status_code == 404
    assert "Page not found" in response.text


# --- headers ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/sign-in", "/static/init.js", "/healthz"])
def test_security_headers_on_every_response(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "max-age=" in headers["strict-transport-security"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


# --- set-up failures that must be loud ----------------------------------------------------


def test_missing_govuk_frontend_tells_you_to_run_make_setup(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(web_router, "_REPO_ROOT", tmp_path)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(web_router.FrontendAssetsMissing, match="make setup"):
        web_router.mount_static(FastAPI())


def test_a_changed_govuk_base_template_is_not_let_through_silently() -> None:
    with pytest.raises(TemplateError, match="inline-script"):
        without_inline_script("<html><body>no script here</body></html>")
    kept = without_inline_script(
        "<body>\n<script>document.body.className += ' x';</script>\n</body>"
    )
    assert "<script>" not in kept


def test_searches_are_posted_so_names_never_enter_a_url(
    client: TestClient, signed_in: PageUser, load_health: LoadHealth
) -> None:
    load_health([health_record()])
    page = client.get("/search", params={"family_name": "Okafor"})
    assert 'method="post" action="/search"' in page.text
    assert "Amara" not in page.text  # a GET never searches
    assert client.post("/search", data={"family_name": "Okafor"}).status_code == 403  # no CSRF
    assert "Amara Okafor" in search(client, family_name="Okafor").text
