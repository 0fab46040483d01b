"""Administering users and tokens from the command line; tokens die with the user's standing."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from app_fixtures import FIXED_NOW
from app_fixtures import TestUser as PageUser
from childindex import bootstrap
from childindex.audit.tags import AuditTag
from childindex.bootstrap import Container
from childindex.cli.app import app as cli
from childindex.config import Settings, get_settings
from childindex.domain.errors import InvalidInput
from childindex.domain.permissions import Permission
from childindex.main import create_app
from childindex.services import accounts
from page_helpers import sign_in

MakeUser = Callable[..., PageUser]
SEARCH = ("/api/v1/children", {"family_name": "Okafor"})


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Result]]:
    """Run ``childindex`` against the test database; each command builds its own engine, as a
    real process would, and closes its connections when it ends."""
    monkeypatch.setenv("CHILDINDEX_DATABASE_URL", database_url)
    get_settings.cache_clear()
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(cli, list(args), input=stdin)

    yield invoke
    get_settings.cache_clear()


def test_a_command_closes_its_database_connections_when_it_ends(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, container: Container
) -> None:
    # ``container`` migrates the test database first.
    built: list[Container] = []
    real_build = bootstrap.build

    def recording_build(settings: Settings | None = None) -> Container:
        built.append(real_build(settings))
        return built[-1]

    monkeypatch.setattr(bootstrap, "build", recording_build)
    result = run("users", "create", "closer", "--role", "auditor")
    assert result.exit_code == 0, result.output
    assert built
    for made in built:
        pool = made.uow_factory.engine.pool  # type: ignore[attr-defined]
        assert pool.checkedin() == 0, "an idle connection was left open"


def api_status(client: TestClient, user: PageUser, token: str | None = None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else user.headers
    return client.get(SEARCH[0], params=SEARCH[1], headers=headers).status_code


def tags(container: Container) -> list[tuple[AuditTag, str]]:
    with container.uow_factory() as uow:
        return [(e.event.tag, e.event.actor) for e in uow.audit.entries()]


def test_suspending_stops_a_users_tokens_and_reactivating_restores_them(
    client: TestClient, make_user: MakeUser, run: Callable[..., Result], container: Container
) -> None:
    user = make_user()
    assert api_status(client, user) == 200
    result = run("users", "suspend", user.username)
    assert result.exit_code == 0, result.output
    assert api_status(client, user) == 401
    assert run("users", "reactivate", user.username).exit_code == 0
    assert api_status(client, user) == 200
    assert (AuditTag.USER_SUSPENDED, "cli") in tags(container)
    assert (AuditTag.USER_REACTIVATED, "cli") in tags(container)


def test_after_vetting_expires_tokens_stop_and_revetting_restores_them(
    client: TestClient, make_user: MakeUser, run: Callable[..., Result], container: Container
) -> None:
    user = make_user()
    with container.uow_factory() as uow:
        uow.users.update(user.username, vetting_expires=FIXED_NOW.date() - timedelta(days=1))
        uow.commit()
    assert api_status(client, user) == 401
    past = run("users", "revet", user.username, "--vetting-expires", "2020-01-01")
    assert past.exit_code == 1
    assert "future" in past.output
    later = (FIXED_NOW.date() + timedelta(days=3 * 365)).isoformat()
    assert run("users", "revet", user.username, "--vetting-expires", later).exit_code == 0
    assert api_status(client, user) == 200
    assert (AuditTag.USER_REVETTED, "cli") in tags(container)


def test_revoking_one_token_leaves_the_others_working(
    client: TestClient, make_user: MakeUser, run: Callable[..., Result], container: Container
) -> None:
    user = make_user()
    second = accounts.create_token(
        uow=container.uow_factory(),
        username=user.username,
        expires_in=None,
        actor="test",
        now=FIXED_NOW,
    )
    result = run("tokens", "revoke", user.username, "--token-stdin", stdin=user.token + "\n")
    assert result.exit_code == 0, result.output
    assert api_status(client, user) == 401
    assert api_status(client, user, second) == 200
    assert run("tokens", "revoke", user.username, "--all").exit_code == 0
    assert api_status(client, user, second) == 401
    assert (AuditTag.TOKENS_REVOKED, "cli") in tags(container)


def test_revoke_needs_to_be_told_which_tokens(
    make_user: MakeUser, run: Callable[..., Result]
) -> None:
    user = make_user()
    result = run("tokens", "revoke", user.username)
    assert result.exit_code == 1
    assert "--token-stdin" in result.output
    unknown = run("tokens", "revoke", user.username, "--token-stdin", stdin="ci_nonsense\n")
    assert unknown.exit_code == 1


def test_an_expired_token_is_refused(container: Container, make_user: MakeUser) -> None:
    user = make_user()
    token = accounts.create_token(
        uow=container.uow_factory(),
        username=user.username,
        expires_in=timedelta(hours=1),
        actor="test",
        now=FIXED_NOW,
    )
    later = dataclasses.replace(container, clock=lambda: FIXED_NOW + timedelta(hours=2))
    with TestClient(create_app(container)) as now_client:
        assert api_status(now_client, user, token) == 200
    with TestClient(create_app(later)) as later_client:
        assert api_status(later_client, user, token) == 401


def test_every_token_expires_within_a_year(container: Container, make_user: MakeUser) -> None:
    user = make_user()
    with pytest.raises(InvalidInput, match="within a year"):
        accounts.create_token(
            uow=container.uow_factory(),
            username=user.username,
            expires_in=timedelta(days=366),
            actor="test",
            now=FIXED_NOW,
        )
    later = dataclasses.replace(container, clock=lambda: FIXED_NOW + timedelta(days=91))
    with TestClient(create_app(later)) as later_client:
        # The fixture's token took the default lifetime of 90 days.
        assert api_status(later_client, user) == 401


def test_no_token_for_a_suspended_user(
    container: Container, make_user: MakeUser, run: Callable[..., Result]
) -> None:
    user = make_user()
    run("users", "suspend", user.username)
    result = run("tokens", "create", user.username)
    assert result.exit_code == 1
    assert "suspended" in result.output


def test_removing_a_user_needs_confirmation_and_ends_their_tokens(
    client: TestClient, make_user: MakeUser, run: Callable[..., Result], container: Container
) -> None:
    user = make_user()
    assert run("users", "remove", user.username).exit_code == 1
    assert api_status(client, user) == 200
    assert run("users", "remove", user.username, "--yes").exit_code == 0
    assert api_status(client, user) == 401
    with container.uow_factory() as uow:
        assert uow.users.by_username(user.username) is None
    assert (AuditTag.USER_REMOVED, "cli") in tags(container)
    assert run("users", "remove", user.username, "--yes").exit_code == 1


def test_granting_child_protection_from_the_command_line(
    make_user: MakeUser, run: Callable[..., Result], container: Container
) -> None:
    user = make_user()
    assert run("users", "grant", user.username, "child-protection").exit_code == 0
    with container.uow_factory() as uow:
        found = uow.users.by_username(user.username)
    assert found is not None
    assert Permission.CHILD_BREAK_GLASS in found.permissions()
    refused = run("users", "grant", user.username, "admin:user:manage")
    assert refused.exit_code == 1
    assert run("users", "grant", user.username, "child-protection", "--withdraw").exit_code == 0
    with container.uow_factory() as uow:
        found = uow.users.by_username(user.username)
    assert found is not None
    assert Permission.CHILD_BREAK_GLASS not in found.permissions()
    assert (AuditTag.USER_GRANTED, "cli") in tags(container)
    assert (AuditTag.USER_GRANT_WITHDRAWN, "cli") in tags(container)


def test_a_common_password_is_refused_at_creation(run: Callable[..., Result]) -> None:
    result = run(
        "users",
        "create",
        "sam",
        "--role",
        "practitioner",
        "--password-stdin",
        stdin="1q2w3e4r5t6y\n",
    )
    assert result.exit_code == 1
    assert "too common" in result.output


def test_an_administrator_can_end_all_of_a_users_sessions(
    client: TestClient, make_user: MakeUser, run: Callable[..., Result], container: Container
) -> None:
    user = make_user()
    sign_in(client, user, FIXED_NOW)
    assert client.get("/search", follow_redirects=False).status_code == 200
    result = run("users", "sign-out", user.username, "--json")
    assert result.exit_code == 0, result.output
    assert '"sessions_ended": 1' in result.output
    assert client.get("/search", follow_redirects=False).status_code == 303
    assert (AuditTag.SESSIONS_ENDED, "cli") in tags(container)
