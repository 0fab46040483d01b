"""Every guarded route, for every role: 401 (API) or a sign-in redirect (pages) without
credentials, 403 without the permission, and through to the handler with it.

Routes are discovered from the app, so a new route is covered the moment it is registered.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app_fixtures import FIXED_NOW
from app_fixtures import TestUser as PageUser
from childindex.bootstrap import Container
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Permission, Role
from childindex.main import PUBLIC_PATHS, create_app, iter_routes, requirements
from page_helpers import csrf_token, sign_in

MakeUser = Callable[..., PageUser]
PEOPLE = [role for role in Role if role is not Role.FEED]


def _guarded(container: Container, *, api: bool) -> list[tuple[str, str, set[Permission]]]:
    app = create_app(container)
    found = []
    for route in iter_routes(app.routes):
        if not isinstance(route, APIRoute) or route.path in PUBLIC_PATHS:
            continue
        if route.path.startswith(("/api/", "/fhir/")) != api:
            continue
        needed = {r.permission for r in requirements(route.dependant)}
        url = re.sub(r"\{child_id\}", str(ChildId.new()), route.path)
        url = url.replace("{item_id}", "1")  # a review item's number
        url = url.replace("{request_id}", "1")  # a contact request's number
        found.extend((method, url, needed) for method in sorted(route.methods or ()))
    return found


def _page_request(client: TestClient, method: str, url: str) -> int:
    """Call a page route as a browser would: forms carry this session's CSRF token."""
    if method in {"GET", "HEAD"}:
        return client.request(method, url, follow_redirects=False).status_code
    token = csrf_token(client.get("/sign-in").text)
    return client.request(
        method, url, data={"csrf_token": token}, follow_redirects=False
    ).status_code


def test_every_guarded_page_sends_the_signed_out_to_sign_in(
    container: Container, client: TestClient
) -> None:
    routes = _guarded(container, api=False)
    assert routes
    for method, url, _ in routes:
        token = csrf_token(client.get("/sign-in").text)
        response = client.request(method, url, data={"csrf_token": token}, follow_redirects=False)
        assert response.status_code == 303, (method, url)
        assert response.headers["location"] == "/sign-in", (method, url)


def test_every_page_form_refuses_a_post_without_the_csrf_token(
    container: Container, client: TestClient, make_user: MakeUser
) -> None:
    sign_in(client, make_user(Role.ADMIN), FIXED_NOW)
    for method, url, _ in _guarded(container, api=False):
        if method in {"GET", "HEAD"}:
            continue
        assert client.request(method, url, follow_redirects=False).status_code == 403, url


@pytest.mark.parametrize("role", PEOPLE)
def test_page_matrix_403_exactly_when_the_role_lacks_the_permission(
    container: Container, make_user: MakeUser, role: Role
) -> None:
    user = make_user(role)
    with TestClient(create_app(container)) as client:
        sign_in(client, user, FIXED_NOW)
        for method, url, needed in _guarded(container, api=False):
            status = _page_request(client, method, url)
            if needed <= _permissions(container, user):
                assert status not in {303, 401, 403}, (role, method, url, status)
            else:
                assert status == 403, (role, method, url, status)


@pytest.mark.parametrize("role", list(Role))
def test_api_matrix_403_exactly_when_the_role_lacks_the_permission(
    container: Container, client: TestClient, make_user: MakeUser, role: Role
) -> None:
    user = make_user(role)
    checked = 0
    for method, url, needed in _guarded(container, api=True):
        status = client.request(method, url, headers=user.headers).status_code
        if needed <= _permissions(container, user):
            assert status not in {401, 403}, (role, method, url, status)
        else:
            assert status == 403, (role, method, url, status)
        checked += 1
    assert checked


def test_an_api_route_refuses_a_session_cookie_even_with_the_permission(
    container: Container, client: TestClient, make_user: MakeUser
) -> None:
    sign_in(client, make_user(Role.ADMIN), FIXED_NOW)
    for method, url, _ in _guarded(container, api=True):
        assert client.request(method, url).status_code == 401, (method, url)


def _permissions(container: Container, user: PageUser) -> frozenset[Permission]:
    with container.uow_factory() as uow:
        found = uow.users.by_username(user.username)
    assert found is not None
    return found.permissions()


def test_a_refused_request_is_audited_with_the_permission_and_route_template(
    container: Container, client: TestClient, make_user: MakeUser
) -> None:
    from childindex.audit.tags import AuditTag

    auditor = make_user(Role.AUDITOR)
    child_id = str(ChildId.new())
    assert client.get(f"/api/v1/children/{child_id}", headers=auditor.headers).status_code == 403
    with container.uow_factory() as uow:
        denied = [e.event for e in uow.audit.entries() if e.event.tag is AuditTag.ACCESS_DENIED]
    [event] = denied
    assert event.actor == auditor.username
    assert event.detail == {
        "permission": "child:record:read",
        "route": "/api/v1/children/{child_id}",
    }
    assert child_id not in repr(event)
