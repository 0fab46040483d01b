"""Fixtures for tests through the service: a wired app on the test database, users, feeds.

Loaded for every test directory as a plugin (``-p app_fixtures`` in ``pyproject.toml``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient

from childindex.auth.passwords import Argon2PasswordHasher
from childindex.bootstrap import Container
from childindex.config import Settings
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Role
from childindex.domain.source_record import Source
from childindex.feeds.benefit import read_benefit
from childindex.feeds.health import read_health
from childindex.main import create_app
from childindex.matching.ports import MatchEngine
from childindex.services import accounts, ingest
from childindex.services.ports import UnitOfWorkFactory
from childindex.storage.cipher import FieldCipher, new_key

FIXED_NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
# A fresh data key per test run: nothing may depend on a particular key.
TEST_KEY = new_key()
TEST_CIPHER = FieldCipher(TEST_KEY)


@pytest.fixture
def container(database_url: str, uow_factory: UnitOfWorkFactory) -> Container:
    """Services wired to the test database, with a fixed clock."""
    return Container(
        settings=Settings(database_url=database_url),
        uow_factory=uow_factory,
        hasher=Argon2PasswordHasher(),
        clock=lambda: FIXED_NOW,
    )


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    """An HTTP client for the app."""
    with TestClient(create_app(container)) as test_client:
        yield test_client


@dataclass(frozen=True)
class TestUser:
    """A user made for a test, with its secrets and a live API token."""

    username: str
    password: str
    totp_secret: str | None
    token: str

    @property
    def headers(self) -> dict[str, str]:
        """Authorization header for the API."""
        return {"Authorization": f"Bearer {self.token}"}

    def totp_now(self) -> str:
        """The TOTP code at the app's (fixed) clock."""
        assert self.totp_secret
        return pyotp.TOTP(self.totp_secret).at(FIXED_NOW)


@pytest.fixture
def make_user(container: Container) -> Callable[..., TestUser]:
    """Create a user through the accounts service; returns its secrets and a token."""
    counter = iter(range(1, 10_000))

    def make(
        role: Role = Role.PRACTITIONER,
        *,
        la_code: str | None = None,
        organisation: str | None = "Test Borough Council",
        vetting_expires: date | None = None,
        username: str | None = None,
        totp: bool = True,
    ) -> TestUser:
        name = username or f"{role.value}-{next(counter)}"
        if role is Role.LA_OFFICER and la_code is None:
            la_code = "901"
        created = accounts.create_user(
            uow=container.uow_factory(),
            hasher=container.hasher,
            username=name,
            role=role,
            la_code=la_code,
            organisation=organisation,
            vetting_expires=vetting_expires or FIXED_NOW.date() + timedelta(days=365),
            password=None,
            totp_secret=pyotp.random_base32() if totp else None,
            actor="test",
            now=FIXED_NOW,
        )
        token = accounts.create_token(
            uow=container.uow_factory(), username=name, expires_in=None, actor="test", now=FIXED_NOW
        )
        return TestUser(name, created.password, created.totp_secret, token)

    return make


def linked_child(
    container: Container, record_id: str, source: Source = Source.HEALTH
) -> ChildId | None:
    """The child a record is linked to now, if any."""
    with container.uow_factory() as uow:
        return uow.records.linked_child(source=source, record_id=record_id)


def make_health_record(**fields: Any) -> dict[str, Any]:
    """A valid health record; keyword arguments override fields."""
    record: dict[str, Any] = {
        "record_id": "H1",
        "given_name": "Amara",
        "family_name": "Okafor",
        "sex": "F",
        "birth_date": "2015-03-14",
        "address_line1": "12 Testing Row",
        "town": "Exampleton",
        "postcode": "ZZ1 1AA",
        "nhs_number": "9990000018",
        "gp_practice_code": "Y00001",
        "gp_practice_name": "Example Surgery",
        "carers": [],
        "sensitive": False,
    }
    record.update(fields)
    return record


@pytest.fixture(name="health_record")
def health_record_fixture() -> Callable[..., dict[str, Any]]:
    """Make a valid health record; keyword arguments override fields."""
    return make_health_record


@pytest.fixture
def load_health(container: Container) -> Callable[[list[dict[str, Any]]], ingest.LoadReport]:
    """Load health records through the real reader and ingest service."""

    def load(records: list[dict[str, Any]]) -> ingest.LoadReport:
        return load_health_records(container, records)

    return load


def load_benefit_records(
    container: Container, records: list[dict[str, Any]], *, engine: MatchEngine | None = None
) -> ingest.LoadReport:
    """Load benefit claims (dicts of the CSV's columns) through the real reader and ingest
    service, with the service's default engine unless ``engine`` is given."""
    columns = sorted({column for record in records for column in record})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return _load(container, Source.BENEFIT, "benefit.csv", out.getvalue().encode(), engine)


def load_health_records(
    container: Container, records: list[dict[str, Any]], *, engine: MatchEngine | None = None
) -> ingest.LoadReport:
    """Load health records through the real reader and ingest service, with the service's
    default engine unless ``engine`` is given."""
    data = "".join(json.dumps(r) + "\n" for r in records).encode()
    return _load(container, Source.HEALTH, "health.jsonl", data, engine)


_READERS = {Source.BENEFIT: read_benefit, Source.HEALTH: read_health}


def _load(
    container: Container, source: Source, filename: str, data: bytes, engine: MatchEngine | None
) -> ingest.LoadReport:
    """``data`` through ``source``'s real reader and the ingest service."""
    return ingest.load_feed(
        uow_factory=container.uow_factory,
        source=source,
        filename=filename,
        data=data,
        lines=_READERS[source](data, file=filename, now=FIXED_NOW),
        actor="test",
        now=FIXED_NOW,
        engine=engine,
    )
