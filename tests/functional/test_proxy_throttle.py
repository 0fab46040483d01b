"""Per-address sign-in throttling behind proxies: a spoofed X-Forwarded-For from an untrusted
peer does not move its failures to another address; behind a trusted proxy, each client is
counted as itself."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient

from app_fixtures import FIXED_NOW
from app_fixtures import TestUser as PageUser
from childindex.bootstrap import Container
from childindex.config import Settings
from childindex.main import create_app
from childindex.services import sessions
from page_helpers import csrf_token

MakeUser = Callable[..., PageUser]
ATTACKER = "203.0.113.66"
PROXY = "10.0.0.5"


def with_proxies(container: Container, proxies: str) -> Container:
    settings = Settings(
        database_url=container.settings.database_url, CHILDINDEX_TRUSTED_PROXIES=proxies
    )
    return dataclasses.replace(container, settings=settings)


def attempt(client: TestClient, username: str, forwarded: str | None) -> int:
    token = csrf_token(client.get("/sign-in").text)
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    response = client.post(
        "/sign-in",
        data={"csrf_token": token, "username": username, "password": "wrong-wrong-1", "code": "1"},
        headers=headers,
        follow_redirects=False,
    )
    return response.status_code


def address_failures(container: Container, address: str) -> int:
    with container.uow_factory() as uow:
        return uow.security.failures_since(f"address:{address}", FIXED_NOW - timedelta(days=1))


def near_the_limit(container: Container, address: str) -> None:
    """Failures from ``address`` one short of the per-address limit (quicker than guessing)."""
    with container.uow_factory() as uow:
        for _ in range(sessions.ADDRESS_LIMIT - 1):
            uow.security.failure_add(f"address:{address}", FIXED_NOW)
        uow.commit()


def test_a_spoofed_header_from_an_untrusted_peer_does_not_evade_the_address_throttle(
    container: Container,
) -> None:
    near_the_limit(container, ATTACKER)
    app = create_app(with_proxies(container, PROXY))
    with TestClient(app, client=(ATTACKER, 40000)) as attacker:
        # A different name and a different forged address every time.
        assert attempt(attacker, "guess-1", "198.51.100.1") == 200
        assert attempt(attacker, "guess-2", "198.51.100.2") == 429
        assert attempt(attacker, "guess-3", f"{PROXY}") == 429
    assert address_failures(container, ATTACKER) == sessions.ADDRESS_LIMIT
    for forged in ("198.51.100.1", "198.51.100.2", PROXY):
        assert address_failures(container, forged) == 0


def test_behind_a_trusted_proxy_each_client_is_counted_as_itself(container: Container) -> None:
    near_the_limit(container, ATTACKER)
    app = create_app(with_proxies(container, "10.0.0.0/8"))
    with TestClient(app, client=(PROXY, 40000)) as proxy:
        # The client forges a left-hand entry; the proxy appends the address it saw.
        assert attempt(proxy, "guess-1", f"198.51.100.1, {ATTACKER}") == 200
        assert attempt(proxy, "guess-2", f"192.0.2.1, {ATTACKER}") == 429
        # Someone else behind the same proxy is not locked out by the attacker.
        assert attempt(proxy, "someone", "198.51.100.77") == 200
    assert address_failures(container, ATTACKER) == sessions.ADDRESS_LIMIT
    assert address_failures(container, "198.51.100.77") == 1
    assert address_failures(container, "198.51.100.1") == 0
    assert address_failures(container, PROXY) == 0


def test_without_trusted_proxies_the_header_is_ignored(container: Container) -> None:
    with TestClient(create_app(container), client=(PROXY, 40000)) as client:
        attempt(client, "someone", ATTACKER)
    assert address_failures(container, PROXY) == 1
    assert address_failures(container, ATTACKER) == 0
