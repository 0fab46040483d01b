"""Expired page sessions are deleted, not just refused: by `childindex admin sessions purge`
and at every sign-in, with no scheduler; live ones are left alone."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from app_fixtures import FIXED_NOW
from app_fixtures import TestUser as PageUser
from childindex import bootstrap
from childindex.audit.tags import AuditTag
from childindex.auth.session_middleware import session_limits
from childindex.bootstrap import Container
from childindex.cli.app import app as cli
from childindex.config import Settings, get_settings
from childindex.main import create_app
from childindex.services import web_sessions
from childindex.services.ports import StoredSession
from childindex.web.routes.sign_in import PURGE_EVERY
from page_helpers import MovableClock, sign_in

MakeUser = Callable[..., PageUser]


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(FIXED_NOW)


@pytest.fixture
def timed(container: Container, clock: MovableClock) -> Container:
    return dataclasses.replace(container, clock=clock)


def put(container: Container, name: str, *, created: datetime, seen: datetime) -> None:
    with container.uow_factory() as uow:
        uow.security.session_put(
            f"{name:0>64}",
            StoredSession(username=name, data={}, created_at=created, last_seen_at=seen),
        )
        uow.commit()


def present(container: Container, name: str) -> bool:
    with container.uow_factory() as uow:
        return uow.security.session_get(f"{name:0>64}") is not None


def seed(timed: Container, now: datetime) -> None:
    """Four sessions: fresh, idle too long, too old though busy, and just inside both limits."""
    limits = session_limits(timed.settings)
    put(timed, "fresh", created=now, seen=now)
    put(timed, "idle", created=now, seen=now - limits.idle - timedelta(seconds=1))
    put(
        timed,
        "old",
        created=now - limits.absolute - timedelta(seconds=1),
        seen=now,
    )
    put(timed, "edge", created=now - limits.absolute, seen=now - limits.idle)


def test_purge_deletes_exactly_the_sessions_past_a_timeout(
    timed: Container, clock: MovableClock
) -> None:
    seed(timed, clock.now)
    purged = web_sessions.purge(
        uow=timed.uow_factory(),
        now=clock.now,
        limits=session_limits(timed.settings),
        actor="test",
    )
    assert purged == 2
    assert [present(timed, n) for n in ("fresh", "idle", "old", "edge")] == [
        True,
        False,
        False,
        True,
    ]
    clock.advance(seconds=1)
    again = web_sessions.purge(
        uow=timed.uow_factory(), now=clock.now, limits=session_limits(timed.settings), actor="test"
    )
    assert again == 1  # "edge" has now gone past both limits
    assert present(timed, "fresh")
    with timed.uow_factory() as uow:
        purges = [e.event for e in uow.audit.entries() if e.event.tag is AuditTag.SESSIONS_PURGED]
    assert [p.detail for p in purges] == [{"purged": 2}, {"purged": 1}]


def test_a_sign_in_purges_sessions_that_timed_out_meanwhile(
    timed: Container, clock: MovableClock, make_user: MakeUser
) -> None:
    user = make_user()
    with TestClient(create_app(timed)) as first:
        sign_in(first, user, clock.now)
        clock.advance(hours=timed.settings.session_absolute_hours, seconds=1)
        put(timed, "fresh", created=clock.now, seen=clock.now)
        with TestClient(create_app(timed)) as second:
            sign_in(second, user, clock.now)
            # Only the new session is left: the first (never signed out) was deleted.
            with timed.uow_factory() as uow:
                assert uow.security.sessions_delete_for(user.username) == 1
    assert present(timed, "fresh")


@pytest.fixture
def run_at(
    database_url: str, monkeypatch: pytest.MonkeyPatch, clock: MovableClock
) -> Iterator[Callable[..., Result]]:
    """Run ``childindex`` against the test database with the test's movable clock."""
    monkeypatch.setenv("CHILDINDEX_DATABASE_URL", database_url)
    get_settings.cache_clear()
    built: list[Container] = []
    real_build = bootstrap.build

    def timed_build(settings: Settings | None = None) -> Container:
        container = dataclasses.replace(real_build(settings), clock=clock)
        built.append(container)
        return container

    monkeypatch.setattr(bootstrap, "build", timed_build)
    yield lambda *args: CliRunner().invoke(cli, list(args))
    for container in built:
        container.uow_factory.engine.dispose()  # type: ignore[attr-defined]
    get_settings.cache_clear()


def test_the_purge_command_reports_and_audits_what_it_deleted(
    timed: Container, clock: MovableClock, run_at: Callable[..., Result]
) -> None:
    seed(timed, clock.now)
    result = run_at("admin", "sessions", "purge", "--json")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == '{"purged": 2}'
    human = run_at("admin", "sessions", "purge")
    assert human.exit_code == 0
    assert "purged 0 expired session(s)" in human.output
    with timed.uow_factory() as uow:
        purges = [e.event for e in uow.audit.entries() if e.event.tag is AuditTag.SESSIONS_PURGED]
    assert [(p.actor, p.detail) for p in purges] == [("cli", {"purged": 2})]


def test_sign_ins_purge_at_most_every_few_minutes_per_worker(
    timed: Container, clock: MovableClock, make_user: MakeUser
) -> None:
    user = make_user()
    limits = session_limits(timed.settings)
    with TestClient(create_app(timed)) as browser:
        sign_in(browser, user, clock.now)
        put(timed, "stale", created=clock.now, seen=clock.now - limits.idle * 2)
        clock.advance(minutes=1)
        sign_in(browser, user, clock.now)
        assert present(timed, "stale")  # purged a minute ago: not again yet
        clock.advance(seconds=PURGE_EVERY.total_seconds())
        sign_in(browser, user, clock.now)
        assert not present(timed, "stale")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    ages=st.lists(
        st.tuples(st.integers(0, 24 * 60), st.integers(0, 24 * 60)), min_size=1, max_size=8
    )
)
def test_purge_deletes_a_session_exactly_when_load_would_call_it_expired(
    timed: Container, ages: list[tuple[int, int]]
) -> None:
    now = FIXED_NOW
    limits = session_limits(timed.settings)
    example = uuid.uuid4().hex[:12]
    records = {}
    for n, (created_ago, idle_for) in enumerate(ages):
        created = now - timedelta(minutes=created_ago)
        seen = max(created, now - timedelta(minutes=idle_for))
        name = f"{example}-{n}"
        put(timed, name, created=created, seen=seen)
        records[name] = StoredSession(username=name, data={}, created_at=created, last_seen_at=seen)
    web_sessions.purge(uow=timed.uow_factory(), now=now, limits=limits, actor="test")
    for name, record in records.items():
        assert present(timed, name) is not web_sessions.expired(record, now=now, limits=limits)
