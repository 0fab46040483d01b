"""Meta-tests: every route demands a permission unless allow-listed, and enforces it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount

from childindex.bootstrap import Container
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Permission, Role, permissions_for
from childindex.main import (
    PUBLIC_PATHS,
    STATIC_MOUNTS,
    UnguardedRoute,
    create_app,
    include,
    iter_routes,
    requirements,
)

# Changing this set is a security decision: it must be made here, on purpose.
EXPECTED_PUBLIC = {
    "/healthz",
    "/",
    "/sign-in",
    "/sign-in/authenticator",
    "/sign-out",
    "/openapi.json",
}


def _routes(app: FastAPI) -> list[APIRoute]:
    return [r for r in iter_routes(app.routes) if isinstance(r, APIRoute)]


def _required(route: APIRoute) -> set[Permission]:
    return {r.permission for r in requirements(route.dependant)}


def _url(route: APIRoute) -> str:
    # Review items are named by number (match) or "c" and number (caution).
    url = re.sub(r"\{child_id\}", str(ChildId.new()), route.path).replace("{item_id}", "1")
    return url.replace("{request_id}", "1")


def test_the_allow_list_is_exactly_what_was_decided() -> None:
    assert set(PUBLIC_PATHS) == EXPECTED_PUBLIC


def test_every_route_demands_a_permission_unless_allow_listed(container: Container) -> None:
    app = create_app(container)
    for route in _routes(app):
        if route.path in PUBLIC_PATHS:
            continue
        assert _required(route), f"{route.path} demands no permission"


def test_nothing_but_guarded_routes_allow_listed_paths_and_static_mounts_is_served(
    container: Container,
) -> None:
    app = create_app(container)
    for route in iter_routes(app.routes):
        path = getattr(route, "path", None)
        if isinstance(route, Mount):
            assert path in STATIC_MOUNTS, f"unexpected mount {path}"
        elif not isinstance(route, APIRoute):
            assert path in PUBLIC_PATHS, f"{path} is neither guarded nor allow-listed"


def test_registering_an_unguarded_route_is_refused() -> None:
    router = APIRouter()

    @router.get("/api/v1/leaky")
    def leaky() -> dict[str, str]:
        return {}

    with pytest.raises(UnguardedRoute, match="/api/v1/leaky"):
        include(FastAPI(), router)


def _error_code(body: dict[str, Any]) -> str:
    """Our error code, from the JSON API's error shape or a FHIR OperationOutcome."""
    if body.get("resourceType") == "OperationOutcome":
        return str(body["issue"][0]["details"]["coding"][0]["code"])
    return str(body["error"]["code"])


def _guarded_api_routes(container: Container) -> list[tuple[str, str, set[Permission]]]:
    app = create_app(container)
    return [
        (method, _url(route), _required(route))
        for route in _routes(app)
        if route.path.startswith(("/api/", "/fhir/")) and route.path not in PUBLIC_PATHS
        for method in sorted(route.methods or ())
    ]


def test_every_guarded_api_route_answers_401_without_credentials(
    container: Container, client: TestClient
) -> None:
    routes = _guarded_api_routes(container)
    assert routes
    for method, url, _ in routes:
        response = client.request(method, url)
        assert response.status_code == 401, (method, url)
        assert _error_code(response.json()) == "not_authenticated"
        bad = client.request(method, url, headers={"Authorization": "Bearer ci_not-a-real-token"})
        assert bad.status_code == 401, (method, url)


def test_every_guarded_api_route_answers_403_to_every_role_without_the_permission(
    container: Container, client: TestClient, make_user: Callable[..., object]
) -> None:
    users = {role: make_user(role) for role in Role}
    checked = 0
    for method, url, needed in _guarded_api_routes(container):
        for role, user in users.items():
            if needed <= permissions_for(role):
                continue
            response = client.request(method, url, headers=user.headers)  # type: ignore[attr-defined]
            assert response.status_code == 403, (method, url, role)
            assert _error_code(response.json()) == "forbidden"
            checked += 1
    assert checked


# Pages whose permission is a security decision of its own: changing one must be done here.
EXPECTED_PAGE_PERMISSIONS = {
    ("GET", "/admin/users"): {Permission.USERS_MANAGE},
    ("GET", "/admin/users/new"): {Permission.USERS_MANAGE},
    ("POST", "/admin/users"): {Permission.USERS_MANAGE},
    ("GET", "/admin/users/{username}"): {Permission.USERS_MANAGE},
    ("POST", "/admin/users/{username}/suspend"): {Permission.USERS_MANAGE},
    ("POST", "/admin/users/{username}/reinstate"): {Permission.USERS_MANAGE},
    ("POST", "/admin/users/{username}/revet"): {Permission.USERS_MANAGE},
    ("POST", "/admin/users/{username}/break-glass"): {Permission.USERS_MANAGE},
    ("POST", "/admin/users/{username}/reset-second-factor"): {Permission.USERS_MANAGE},
    ("POST", "/admin/users/{username}/end-sessions"): {Permission.USERS_MANAGE},
    ("POST", "/admin/users/{username}/revoke-tokens"): {Permission.USERS_MANAGE},
    ("POST", "/admin/users/{username}/remove"): {Permission.USERS_MANAGE},
    ("GET", "/account"): {Permission.ACCOUNT_PASSWORD_CHANGE},
    ("GET", "/account/password"): {Permission.ACCOUNT_PASSWORD_CHANGE},
    ("POST", "/account/password"): {Permission.ACCOUNT_PASSWORD_CHANGE},
    ("GET", "/account/tokens"): {Permission.ACCOUNT_TOKENS_MANAGE},
    ("POST", "/account/tokens"): {Permission.ACCOUNT_TOKENS_MANAGE},
    ("POST", "/account/tokens/{token_id}/revoke"): {Permission.ACCOUNT_TOKENS_MANAGE},
    # Shielding and mediated contact (the services decide for which child or team).
    ("POST", "/children/{child_id}/shield"): {Permission.CHILD_SHIELD_SET},
    ("POST", "/children/{child_id}/shield/lift"): {Permission.CHILD_SHIELD_LIFT},
    ("GET", "/shields/due"): {Permission.CHILD_SHIELD_SET},
    ("POST", "/children/{child_id}/contact-requests"): {Permission.CHILD_CONTACT_REQUEST},
    ("GET", "/contact-requests/sent"): {Permission.CHILD_CONTACT_REQUEST},
    ("GET", "/contact-requests"): {Permission.CHILD_CONTACT_MANAGE},
    ("POST", "/contact-requests/{request_id}/close"): {Permission.CHILD_CONTACT_MANAGE},
}
_DECIDED_PAGES = ("/admin/", "/account", "/shields", "/contact-requests")


def _decided(path: str) -> bool:
    return path.startswith(_DECIDED_PAGES) or (
        path.startswith("/children/")
        and path.endswith(("/shield", "/shield/lift", "/contact-requests"))
    )


def test_admin_account_shield_and_contact_pages_demand_exactly_the_decided_permission(
    container: Container,
) -> None:
    app = create_app(container)
    found = {
        (method, route.path): _required(route)
        for route in _routes(app)
        if _decided(route.path) and not route.path.startswith("/api/")
        for method in route.methods or ()
    }
    assert found == EXPECTED_PAGE_PERMISSIONS


def test_only_administrators_manage_users_and_feed_accounts_have_no_self_service() -> None:
    assert {r for r in Role if Permission.USERS_MANAGE in permissions_for(r)} == {Role.ADMIN}
    people = {r for r in Role if r is not Role.FEED}
    assert {r for r in Role if Permission.ACCOUNT_PASSWORD_CHANGE in permissions_for(r)} == people
    assert Permission.ACCOUNT_TOKENS_MANAGE not in permissions_for(Role.FEED)
    assert Permission.ACCOUNT_TOKENS_MANAGE not in permissions_for(Role.AUDITOR)
