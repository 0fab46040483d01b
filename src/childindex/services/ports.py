"""The ports the services need; storage implements them (``storage/``), tests fake them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from childindex.audit.chain import AuditEvent, ChainedEntry
from childindex.domain.child import Child
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Role
from childindex.domain.source_record import (
    LoadCheckpoint,
    RecordError,
    Source,
    SourceRecord,
    VersionOutcome,
)
from childindex.domain.users import User
from childindex.policy.criteria import SearchPlan


class ChildRepository(Protocol):
    """Children as the core sees them."""

    def get(self, child_id: ChildId) -> Child | None:
        """The child, or None if no such child exists."""
        ...

    def save(self, child: Child) -> None:
        """Create or replace the child's projection and its search keys."""
        ...

    def by_identifier(self, kind: str, value: str) -> list[ChildId]:
        """Active children holding this verified identifier (``nhs_number`` or ``upn``)."""
        ...

    def search(self, plan: SearchPlan, *, limit: int) -> tuple[list[Child], int]:
        """Children matching ``plan`` in display order (family, given name, birth date, ID),
        at most ``limit``, and the total number matching."""
        ...


class AuditLog(Protocol):
    """The append-only, hash-chained audit log."""

    def record(self, event: AuditEvent) -> None:
        """Append ``event``; it commits or rolls back with the unit of work."""
        ...

    def entries(self) -> Iterator[ChainedEntry]:
        """Every entry, in sequence order."""
        ...


@dataclass(frozen=True, slots=True)
class NewUser:
    """What is needed to create a user."""

    username: str
    role: Role
    la_code: str | None
    organisation: str | None
    vetting_expires: date | None
    password_hash: str
    totp_secret: str | None


class UserRepository(Protocol):
    """Users and their API tokens."""

    def add(self, user: NewUser) -> User:
        """Create a user; raise ``Conflict`` if the user name is taken."""
        ...

    def by_username(self, username: str) -> User | None:
        """The user with that name, or None."""
        ...

    def password_hash(self, username: str) -> str | None:
        """The stored password hash of that user, or None."""
        ...

    def totp_secret(self, username: str) -> str | None:
        """The user's TOTP secret, or None if the user has none."""
        ...

    def add_token(self, *, user_id: int, token_hash: str, expires_at: datetime | None) -> None:
        """Store the hash of a new API token."""
        ...

    def by_token_hash(self, token_hash: str, *, now: datetime) -> User | None:
        """The user a live (unexpired, unrevoked) token acts as, or None."""
        ...


class UnitOfWork(Protocol):
    """One use case's transaction: rolls back unless committed."""

    children: ChildRepository
    audit: AuditLog
    users: UserRepository
    feeds: FeedStore
    records: SourceRecordRepository

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None:
        """Make everything done in this unit durable."""
        ...

    def rollback(self) -> None:
        """Undo everything not yet committed."""
        ...


class UnitOfWorkFactory(Protocol):
    """Makes a fresh unit of work per use case."""

    def __call__(self) -> UnitOfWork: ...


class FeedStore(Protocol):
    """Feed loads and the raw lines they carried (invariant 4: raw first)."""

    def start_load(self, *, source: Source, filename: str, content_sha256: str) -> int:
        """Record the start of a load; return its id."""
        ...

    def store_raw(self, *, load_id: int, line_no: int, text: str) -> int:
        """Store one record exactly as received, before anything else; return its id."""
        ...

    def store_rejection(self, *, raw_id: int, errors: Sequence[RecordError]) -> None:
        """Keep why the raw record ``raw_id`` was rejected."""
        ...

    def finish_load(self, *, load_id: int, summary: Mapping[str, int]) -> None:
        """Record the load's counts and mark it finished."""
        ...

    def checkpoint(self, *, load_id: int, line: int, summary: Mapping[str, int]) -> None:
        """Note, in the batch's own transaction, that every line up to ``line`` is done."""
        ...

    def unfinished_load(self, *, source: Source, content_sha256: str) -> LoadCheckpoint | None:
        """The latest unfinished load of exactly this content from this source, if any."""
        ...


class SourceRecordRepository(Protocol):
    """Source records with every version, and their links to children."""

    def put_version(self, *, record: SourceRecord, raw_id: int) -> VersionOutcome:
        """Store ``record`` as a version of (source, record_id); see ``VersionOutcome``."""
        ...

    def linked_child(self, *, source: Source, record_id: str) -> ChildId | None:
        """The child this record is currently linked to, if any."""
        ...

    def link(
        self, *, source: Source, record_id: str, child_id: ChildId, decided_by: str, actor: str
    ) -> None:
        """Link the record to ``child_id`` (ending any current link, keeping history)."""
        ...

    def current_records(self, child_id: ChildId) -> list[SourceRecord]:
        """The current version of every source record linked to ``child_id``."""
        ...


class PasswordHasher(Protocol):
    """Hashes and checks passwords (argon2id in ``auth/passwords.py``)."""

    def hash(self, password: str) -> str:
        """A salted hash of ``password``."""
        ...

    def verify(self, password_hash: str, password: str) -> bool:
        """True if ``password`` matches ``password_hash``."""
        ...
