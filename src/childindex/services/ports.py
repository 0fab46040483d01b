"""The ports the services need; storage implements them (``storage/``), tests fake them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Any, Protocol, Self

from childindex.audit.chain import AuditEvent, ChainedEntry
from childindex.domain.child import Child
from childindex.domain.halt import FeedKind, HaltState, QueuedFeed
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Permission, Role
from childindex.domain.review import ReviewItem, ReviewRoutes, ReviewStatus
from childindex.domain.shield import BlockingKeys, Caution, ScreenProfile
from childindex.domain.shield_records import (
    CautionItem,
    CautionStatus,
    ChildStanding,
    ContactRequest,
    ShieldInfo,
    ShieldOrigin,
)
from childindex.domain.source_record import (
    LoadCheckpoint,
    RecordError,
    Source,
    SourceRecord,
    VersionOutcome,
)
from childindex.domain.users import User, UserStatus
from childindex.matching.features import Features
from childindex.matching.ports import CandidateRecord
from childindex.policy.criteria import SearchPlan


class Prepared(Protocol):
    """Rows a repository worked out for a write without its database (sealed, keyed, its
    identities worked out), to write later: ``prepare_x`` then ``write_x`` is ``x``. They
    pickle, so another process may work them out (``services/work_ahead.py``); only the
    repository kind that made them writes them."""


class ChildRepository(Protocol):
    """Children as the core sees them."""

    def get(self, child_id: ChildId) -> Child | None:
        """The child, or None if no such child exists."""
        ...

    def save(self, child: Child) -> None:
        """Create or replace the child's projection and its search keys."""
        ...

    def save_many(self, children: Sequence[tuple[Child, Sequence[SourceRecord]]]) -> None:
        """``save`` for many children, each given with its current records."""
        ...

    def save_held(self, children: Sequence[tuple[Child, Sequence[SourceRecord]]]) -> None:
        """``save_many`` for children held already: the same rows, written with less work."""
        ...

    def prepare_held(self, children: Sequence[tuple[Child, Sequence[SourceRecord]]]) -> Prepared:
        """What ``save_held`` writes, worked out without the database (``Prepared``)."""
        ...

    def write_held(self, prepared: Prepared) -> None:
        """Write what ``prepare_held`` worked out."""
        ...

    def set_shielded(self, child: Child) -> None:
        """Store that ``child`` (as held, but shielded) is shielded, and so are its records:
        the only thing that changed about it (its identities stay as they are)."""
        ...

    def set_authorities(self, children: Sequence[Child]) -> None:
        """Store each child's ``la_code``, the only thing that changed about it (its
        identity and records did not, so the shield screen's identities stay as they are)."""
        ...

    def by_identifier(self, kind: str, value: str) -> list[ChildId]:
        """Active children holding this verified identifier (``nhs_number`` or ``upn``)."""
        ...

    def by_blocking_keys(self, keys: Collection[str], *, limit: int) -> list[CandidateRecord]:
        """Records of active children sharing any of ``keys``, at most ``limit``: past it,
        those sharing an identifier, then the most of them (``matching.ports.CandidateStore``,
        ADR 0049)."""
        ...

    def by_each_blocking_key(
        self, keys: Collection[str], *, limit: int
    ) -> tuple[dict[str, list[CandidateRecord]], set[str]]:
        """For each key, its records of active children (absent if none); and the keys stored
        for more than ``limit`` records (not read)."""
        ...

    def by_identifiers(self, kind: str, values: Collection[str]) -> dict[str, list[ChildId]]:
        """``by_identifier`` for many values at once (values held by no child are absent)."""
        ...

    def add_new(self, children: Sequence[Child]) -> None:
        """Create children never saved before, with their search keys, in one write."""
        ...

    def prepare_new(self, children: Sequence[Child]) -> Prepared:
        """What ``add_new`` writes, worked out without the database (``Prepared``)."""
        ...

    def write_new(self, prepared: Prepared) -> None:
        """Write what ``prepare_new`` worked out."""
        ...

    def add_other_identities(
        self, children: Sequence[tuple[Child, Sequence[SourceRecord]]]
    ) -> None:
        """For children just made by ``add_new`` and their records, now stored: the other
        identities the records carry (ADR 0012), as ``save_many`` would write them."""
        ...

    def prepare_other_identities(
        self, children: Sequence[tuple[Child, Sequence[SourceRecord]]]
    ) -> Prepared:
        """What ``add_other_identities`` writes, worked out without the database."""
        ...

    def write_other_identities(self, prepared: Prepared) -> None:
        """Write what ``prepare_other_identities`` worked out."""
        ...

    def screen_profile(self, child: Child) -> ScreenProfile:
        """The shield screen's profile ``child`` has once saved (as ``ShieldStore.profile``)."""
        ...

    def mark_merged(self, child_id: ChildId, *, into: ChildId) -> None:
        """Retire ``child_id``: merged into ``into`` (kept, with the pointer, as history)."""
        ...

    def merged_into(self, child_id: ChildId) -> ChildId | None:
        """The child ``child_id`` was merged into, if it was."""
        ...

    def reactivate(self, child_id: ChildId) -> None:
        """Undo ``mark_merged``: the child is active again."""
        ...

    def merged_from(self, into: ChildId) -> list[ChildId]:
        """Children now merged into ``into``, in child ID order."""
        ...

    def without_authority(self, *, after: str, limit: int) -> list[ChildId]:
        """Active children with no local authority, in child ID order after ``after``."""
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

    def update(
        self,
        username: str,
        *,
        suspended: bool | None = None,
        vetting_expires: date | None = None,
        totp_secret: str | None = None,
        grants: frozenset[Permission] | None = None,
    ) -> User | None:
        """Change the given fields of a user; None if there is no such user."""
        ...

    def remove(self, username: str) -> bool:
        """Delete the user and their tokens; False if there was no such user."""
        ...

    def revoke_tokens(self, *, username: str, token_hash: str | None, now: datetime) -> int:
        """Revoke one token of the user (by hash) or all of them; how many were revoked."""
        ...

    def accept_totp_step(self, username: str, step: int) -> bool:
        """Record ``step`` as used unless it (or a later one) already was; True if accepted."""
        ...

    def listing(
        self,
        *,
        role: Role | None,
        la_code: str | None,
        status: UserStatus | None,
        today: date,
        limit: int,
    ) -> tuple[list[User], int]:
        """Users matching every given filter, by user name, at most ``limit``; and how many
        match in all."""
        ...

    def set_password_hash(self, username: str, password_hash: str) -> bool:
        """Replace the user's password hash; False if there is no such user."""
        ...

    def clear_second_factor(self, username: str) -> bool:
        """Forget the user's authenticator (they enrol again); False if no such user."""
        ...

    def tokens(self, username: str) -> list[TokenInfo]:
        """Every token of the user (live, expired and revoked), newest first."""
        ...

    def revoke_token_id(self, *, username: str, token_id: int, now: datetime) -> bool:
        """Revoke the user's live token ``token_id``; False if they have no such live token."""
        ...


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What may be shown of an API token: never the token, nor its hash."""

    token_id: int
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def live(self, now: datetime) -> bool:
        """True while neither revoked nor expired."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class ShieldStore(Protocol):
    """Shields, the shield screen's candidates and its review items."""

    def lock_screen(self) -> None:
        """Hold the screen lock until the unit of work ends. Every write that can create,
        link, shield or unshield a child takes it before reading what the screen compares,
        so two such writes never both miss each other's uncommitted work (ADR 0013)."""
        ...

    def profile(self, child_id: str) -> ScreenProfile | None:
        """The screen's view of one active child, or None."""
        ...

    def candidates(
        self, keys: BlockingKeys, *, shielded: bool, dates_alone: bool = False
    ) -> list[ScreenProfile]:
        """Active children, shielded or visible as asked, sharing a blocking key; with
        ``dates_alone``, only a birth date (or its day/month swap) or an identifier: all a
        caller needing more than ``APART_CEILING`` of a pair can use (``domain/shield.py``)."""
        ...

    def shielded_profiles(self) -> Iterator[ScreenProfile]:
        """Every active shielded child."""
        ...

    def shielded_entries(self, only: Collection[str] | None = None) -> list[ScreenEntry]:
        """Every active shielded child (or those of ``only`` that are) with the screen keys
        stored for it."""
        ...

    def visible_entries(self) -> Iterator[ScreenEntry]:
        """Every active visible child with the screen keys stored for it (each identity an
        entry, as ``shielded_entries``): what a first load's screen walks over."""
        ...

    def identities(self, child_id: str) -> list[ScreenProfile]:
        """A shielded child's other identities (ADR 0012), as profiles of that child."""
        ...

    def add_shield(
        self,
        *,
        child_id: str,
        origin: ShieldOrigin,
        reason: str,
        set_by: str,
        at: datetime | None = None,
        review_date: date | None,
        strength: float = 1.0,
    ) -> int:
        """Record a shield set on ``child_id``; return its id. ``strength``: 1 unless the
        shield screen sets it (``domain/shield.py`` ``ScreenProfile.strength``)."""
        ...

    def active_shields(self, child_id: str) -> list[ShieldInfo]:
        """The shields on ``child_id`` not lifted."""
        ...

    def lift(self, *, child_id: str, lifted_by: str, reason: str, at: datetime) -> int:
        """Mark every active shield on ``child_id`` lifted; return how many."""
        ...

    def set_review_date(self, *, child_id: str, review_date: date) -> None:
        """Give every active shield on ``child_id`` this review date."""
        ...

    def overdue(self, today: date, *, la_codes: frozenset[str] | None = None) -> list[ShieldInfo]:
        """Active shields whose review date is before ``today``, or unset, on children of
        ``la_codes`` (``None``: every authority)."""
        ...

    def queue_caution(self, *, child_id: str, caution: Caution, at: datetime | None = None) -> bool:
        """Queue a caution item unless one for this pair is open; True if queued."""
        ...

    def cleared_pairs(self, child_id: str) -> frozenset[str]:
        """Shielded children an officer has found ``child_id`` is not."""
        ...

    def every_cleared_pair(self) -> dict[str, frozenset[str]]:
        """``cleared_pairs`` of every child that has any, read at once."""
        ...

    def caution_items(self, *, la_codes: frozenset[str] | None) -> list[CautionItem]:
        """Open items, all (``None``) or only those of ``la_codes``."""
        ...

    def routed_cautions(self, routes: ReviewRoutes) -> list[CautionItem]:
        """Open items that could be routed under ``routes`` (a superset of a viewer's
        share, narrowed by storage), oldest first; the caller's rule decides each."""
        ...

    def caution_item(self, item_id: int) -> CautionItem | None:
        """One item by id, or None."""
        ...

    def close_items(
        self,
        *,
        child_id: str,
        status: CautionStatus,
        decided_by: str,
        at: datetime,
        against: str | None = None,
    ) -> int:
        """Close every open item about ``child_id`` (only those against the shielded child
        ``against``, if given); return how many."""
        ...

    def follow_merge(self, *, merged: str, into: str, at: datetime) -> int:
        """Point open items at ``into`` instead of ``merged`` (retired into it); an item
        left comparing ``into`` with itself is closed as confirmed (the records it was about
        are now the shielded child's). Return how many were closed."""
        ...

    def close_item(
        self, *, item_id: int, status: CautionStatus, decided_by: str, at: datetime
    ) -> None:
        """Record an officer's decision on one item."""
        ...

    def standing(self, child_ids: Collection[str]) -> dict[str, ChildStanding]:
        """How each of these children stands now; a child that does not exist is absent."""
        ...


class ContactRequestStore(Protocol):
    """Mediated contact requests."""

    def add(
        self, *, child_id: str, la_code: str | None, requested_by: str, message: str, at: datetime
    ) -> int:
        """Store a new open request; return its id."""
        ...

    def get(self, request_id: int) -> ContactRequest | None:
        """One request, or None."""
        ...

    def routed_to(self, la_codes: frozenset[str] | None) -> list[ContactRequest]:
        """Open requests for these teams (``None``: every team)."""
        ...

    def close(self, *, request_id: int, closed_by: str, outcome: str, at: datetime) -> None:
        """Mark the request closed with what was done."""
        ...


class AreaStore(Protocol):
    """Reference data: the local authority of each postcode district."""

    def put(self, areas: Mapping[str, str]) -> None:
        """Record (or replace) each district's local authority."""
        ...

    def authority_for(self, district: str) -> str | None:
        """The local authority of a postcode district, or None if it is not mapped."""
        ...

    def count(self) -> int:
        """How many districts are mapped."""
        ...


class Clustering(Protocol):
    """Batch clustering's answer for a set of records (``linkage.batch.BatchResult``)."""

    # Record id ("source:record_id") -> its cluster (the id of one of its records).
    cluster_of: dict[str, str]
    # Pairs the model doubts: (record id, record id, probability).
    review_pairs: list[tuple[str, str, float]]
    scored_pairs: int
    # Each record a pair joined to another: that pair's probability, and whether it was an
    # identifier link.
    joined_by: dict[str, tuple[float, bool]]


# Clusters records (their ``features_of(payload)`` by record id) around those already on a
# child (record id -> child id), which stay as they are.
Clusterer = Callable[[Mapping[str, Features], Mapping[str, str]], Clustering]


class PairWeigher(Protocol):
    """The trained matching model, asked by the shield screen about two records (ADR 0019)."""

    def weight(self, left: Mapping[str, Any], right: Mapping[str, Any]) -> float:
        """The match weight (log2 odds, prior included) of two records' payloads."""
        ...

    def weight_of(self, left: Features, right: Features) -> float:
        """``weight`` of two payloads' features (``matching.features.features_of``)."""
        ...


class UnitOfWork(Protocol):
    """One use case's transaction: rolls back unless committed.

    ``weigher``: the trained model the shield screen may ask (None without one)."""

    weigher: PairWeigher | None

    children: ChildRepository
    audit: AuditLog
    users: UserRepository
    feeds: FeedStore
    records: SourceRecordRepository
    security: SecurityStore
    reviews: ReviewRepository
    shields: ShieldStore
    contacts: ContactRequestStore
    system: SystemStateStore
    queue: FeedQueue
    areas: AreaStore

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


@dataclass(frozen=True, slots=True)
class RawLine:
    """One line of a feed as received; with ``errors`` (even empty) it is rejected."""

    line_no: int
    text: str
    errors: Sequence[RecordError] | None = None


@dataclass(frozen=True, slots=True)
class NewLinkedRecord:
    """A record never held before, stored with its first version and linked to a child (new,
    or one the engine linked it to) in one set-based write
    (``SourceRecordRepository.add_new_linked``)."""

    record: SourceRecord
    raw_id: int
    child_id: ChildId
    index_keys: frozenset[str]  # its blocking keys (``matching/blocking.py``), in clear
    # How the link was decided (``new`` for a new child) and the engine's probability.
    decided_by: str = "new"
    score: float | None = None


@dataclass(frozen=True, slots=True)
class ScreenEntry:
    """A shielded child as the screen's candidate query sees it: its profile and the keys
    stored for it (``ShieldStore.candidates`` compares these)."""

    profile: ScreenProfile
    birth_year: int | None
    given_sound: str
    family_sound: str
    initials: str


class FeedStore(Protocol):
    """Feed loads and the raw lines they carried (invariant 4: raw first)."""

    def start_load(self, *, source: Source, filename: str, content_sha256: str) -> int:
        """Record the start of a load; return its id."""
        ...

    def store_raw(self, *, load_id: int, line_no: int, text: str) -> int:
        """Store one record exactly as received, before anything else; return its id."""
        ...

    def store_raw_many(self, *, load_id: int, lines: Sequence[RawLine]) -> list[int]:
        """Store many records as received (the rejected with their errors) at once; return
        their ids in order."""
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

    def position(self, load_id: int) -> int | None:
        """The line up to which the unfinished load ``load_id`` is done (its checkpoint);
        None if it has finished or there is no such load."""
        ...

    def defer_indexes(self) -> None:
        """Drop, in this unit of work, the indexes that rows land at random places in and
        that no write reads (blocking keys by key, the children's search keys): for a bulk
        write into empty tables, which ``build_indexes`` then indexes in one pass each."""
        ...

    def build_indexes(self) -> None:
        """Make again the indexes ``defer_indexes`` dropped."""
        ...

    def hold_pages(self, mebibytes: int) -> None:
        """For the rest of this unit of work's connection, keep up to ``mebibytes`` of the
        database's pages in memory (SQLite's page cache; PostgreSQL's is the server's): a
        transaction far larger than the usual cache otherwise writes each page out again
        and again as it spills."""
        ...

    def refresh_statistics(self) -> None:
        """Let the database's planner see how big the tables a load fills have grown."""
        ...

    def unfinished_load(self, *, source: Source, content_sha256: str) -> LoadCheckpoint | None:
        """The latest unfinished load of exactly this content from this source, if any."""
        ...

    def load_outcome(self, load_id: int) -> tuple[bool, dict[str, int]] | None:
        """Whether the load has finished, and its counts so far; None if there is no such load."""
        ...


class SystemStateStore(Protocol):
    """Service-wide state: the halt switch, and the version of the stored blocking keys."""

    def lock(self, *, shared: bool = False) -> None:
        """Serialise with every other unit of work that changes the halt switch or the feed
        queue, until this one ends (so a feed cannot be queued as the halt lifts). Edits take
        it ``shared``: they run side by side, but a halt waits for those under way."""
        ...

    def halt(self) -> HaltState | None:
        """The halt in force, or None if updates run."""
        ...

    def set_halt(self, state: HaltState) -> None:
        """Halt updates."""
        ...

    def clear_halt(self) -> None:
        """Let updates run again."""
        ...

    def keys_version(self) -> str | None:
        """The version of the rules the stored blocking keys were made by (None: not
        recorded, as in a store from before versions were)."""
        ...

    def set_keys_version(self, version: str) -> None:
        """Record that the stored blocking keys are of ``version``."""
        ...

    def any_keyed(self) -> bool:
        """Whether any record has blocking keys stored."""
        ...


class FeedQueue(Protocol):
    """Feed content accepted during a halt, kept (sealed) until it is loaded in order."""

    def enqueue(
        self,
        *,
        source: Source,
        kind: FeedKind,
        filename: str,
        data: bytes,
        submitted_by: str,
        at: datetime,
    ) -> int:
        """Keep the content durably; return its arrival sequence number."""
        ...

    def position(self, item_id: int) -> int:
        """How many waiting items arrived up to and including ``item_id`` (1 is next)."""
        ...

    def waiting(self) -> int:
        """How many items wait to be loaded."""
        ...

    def next_waiting(self) -> QueuedFeed | None:
        """The earliest-arrived item not yet loaded, or None."""
        ...

    def claim(self, *, item_id: int, load_id: int) -> None:
        """Note the load that is loading the item."""
        ...

    def mark_done(self, *, item_id: int, report: Mapping[str, int], at: datetime) -> None:
        """Mark the item loaded, keeping the load's report."""
        ...


class SourceRecordRepository(Protocol):
    """Source records with every version, and their links to children."""

    def put_version(self, *, record: SourceRecord, raw_id: int) -> VersionOutcome:
        """Store ``record`` as a version of (source, record_id); see ``VersionOutcome``."""
        ...

    def linked_child(self, *, source: Source, record_id: str) -> ChildId | None:
        """The child this record is currently linked to, if any."""
        ...

    def held(self, *, source: Source, records: Sequence[SourceRecord]) -> dict[str, bool]:
        """For each record id of ``records`` already held: whether its current version has
        exactly the content of the first of ``records`` with that id (one query)."""
        ...

    def add_new_linked(self, *, items: Sequence[NewLinkedRecord], actor: str) -> None:
        """Store records never held before, each with its first version, its blocking keys
        and a link (``new``) to its child, which must already be saved; set-based."""
        ...

    def prepare_new_linked(self, *, items: Sequence[NewLinkedRecord], actor: str) -> Prepared:
        """What ``add_new_linked`` writes, worked out without the database (``Prepared``)."""
        ...

    def write_new_linked(self, prepared: Prepared) -> None:
        """Write what ``prepare_new_linked`` worked out."""
        ...

    def all_held(self) -> Iterator[tuple[ChildId, bool, SourceRecord]]:
        """Every record on an active child (its current version), with the child and whether
        it is shielded, in the order the records arrived."""
        ...

    def holds_any(self) -> bool:
        """Whether any source record is held (a first load needs an empty index)."""
        ...

    def link(
        self,
        *,
        source: Source,
        record_id: str,
        child_id: ChildId,
        decided_by: str,
        actor: str,
        score: float | None = None,
    ) -> None:
        """Link the record to ``child_id`` (ending any current link, keeping history)."""
        ...

    def set_blocking_keys(self, *, source: Source, record_id: str, keys: Collection[str]) -> None:
        """Replace the record's blocking keys (``matching/blocking.py``) with ``keys``."""
        ...

    def moved_by_merge(self, *, merged: ChildId, into: ChildId) -> list[tuple[Source, str]]:
        """What a merge of ``merged`` into ``into`` moved (records now on ``into``)."""
        ...

    def current_links(self) -> Iterator[tuple[Source, str, ChildId, str]]:
        """``(source, record_id, child_id, decided_by)`` of every current link."""
        ...

    def placed_by_officer(self, child_id: ChildId) -> bool:
        """Whether an officer placed any record the child now holds."""
        ...

    def arrival_order(self) -> Iterator[tuple[Source, str]]:
        """``(source, record_id)`` of every held record, in the order they first arrived."""
        ...

    def all_current(self) -> Iterator[tuple[Source, str, dict[str, Any]]]:
        """``(source, record_id, payload)`` of the current version of every held record."""
        ...

    def current_payloads(
        self, records: Collection[tuple[Source, str]]
    ) -> dict[tuple[Source, str], dict[str, Any]]:
        """The current payload of each of ``records`` held (one query per source)."""
        ...

    def current_records(self, child_id: ChildId) -> list[SourceRecord]:
        """The current version of every source record linked to ``child_id``."""
        ...

    def held_child(self, child_id: ChildId) -> tuple[bool, list[SourceRecord]] | None:
        """Whether the active child ``child_id`` is shielded, and ``current_records`` of it
        (one read); None if no active child holds a record."""
        ...


class ReviewRepository(Protocol):
    """Review items and remembered not-a-match decisions."""

    def add(
        self,
        *,
        source: Source,
        record_id: str,
        record_child_id: ChildId,
        candidate_child_id: ChildId,
        probability: float,
        weights: dict[str, float],
        la_code: str | None,
        now: datetime,
    ) -> int:
        """Queue a pair; return the new item's id."""
        ...

    def has_open(self, *, source: Source, record_id: str, candidate_child_id: ChildId) -> bool:
        """True if an open item already proposes this record as this candidate child."""
        ...

    def open_items(self, *, la_code: str) -> list[ReviewItem]:
        """Open items of one local authority, oldest first."""
        ...

    def all_open(self) -> list[ReviewItem]:
        """Every open item, oldest first (the caller decides who may know of each)."""
        ...

    def open_routed(self, routes: ReviewRoutes) -> list[ReviewItem]:
        """Open items that could be routed under ``routes`` (a superset of a viewer's
        share, narrowed by storage), oldest first; the caller's rule decides each."""
        ...

    def get(self, item_id: int) -> ReviewItem | None:
        """The item, or None."""
        ...

    def follow_merge(self, *, merged: ChildId, into: ChildId, now: datetime) -> int:
        """Point open items at ``into`` instead of ``merged`` (retired into it); an item
        whose record is now on its candidate child is withdrawn. Return how many were."""
        ...

    def close(self, *, item_id: int, status: ReviewStatus, actor: str, now: datetime) -> None:
        """Record the decision on an item."""
        ...

    def remember_not_a_match(
        self, *, source: Source, record_id: str, child_id: ChildId, actor: str, now: datetime
    ) -> None:
        """Remember that the record is not this child."""
        ...

    def not_a_match(self, *, source: Source, record_id: str) -> set[ChildId]:
        """Children an officer said this record is not."""
        ...

    def remember_apart(self, *, one: ChildId, other: ChildId, actor: str, now: datetime) -> None:
        """Remember every record now on either child as not the other child."""
        ...

    def said_apart(self, one: ChildId, other: ChildId) -> bool:
        """Whether an officer said a record now on either child is not the other child."""
        ...

    def in_doubt(self, child_id: ChildId, *, but_for: ChildId) -> bool:
        """Whether a record now on the child is in an open item proposing it as another
        child than ``but_for``: the engine could not say whose it is, and an officer has
        yet to."""
        ...


class PasswordHasher(Protocol):
    """Hashes and checks passwords (argon2id in ``auth/passwords.py``)."""

    def hash(self, password: str) -> str:
        """A salted hash of ``password``."""
        ...

    def verify(self, password_hash: str, password: str) -> bool:
        """True if ``password`` matches ``password_hash``."""
        ...


# --- sign-in security (issue 7) -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A page session as stored: who (None before sign-in), its data and its times."""

    username: str | None
    data: Mapping[str, object]
    created_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True, slots=True)
class BreakGlassAlert:
    """A break-glass view the responsible team must follow up."""

    child_id: str
    la_code: str | None
    username: str
    reason: str
    at: datetime


class SecurityStore(Protocol):
    """Server-side sessions, failed sign-ins, recovery codes and break-glass alerts."""

    def session_get(self, id_hash: str) -> StoredSession | None:
        """The session with this id hash, or None."""
        ...

    def session_put(self, id_hash: str, session: StoredSession) -> None:
        """Create or replace the session."""
        ...

    def session_delete(self, id_hash: str) -> None:
        """Forget the session (nothing happens if it is unknown)."""
        ...

    def session_update(self, id_hash: str, session: StoredSession) -> bool:
        """Replace a stored session's data and times; False (nothing written) if it is gone."""
        ...

    def sessions_delete_for(self, username: str, *, keep: str | None = None) -> int:
        """Forget every session of ``username`` but the one hashed ``keep``; how many."""
        ...

    def sessions_purge(self, *, idle_before: datetime, created_before: datetime) -> int:
        """Forget sessions last seen before ``idle_before`` or created before
        ``created_before``; how many there were."""
        ...

    def failure_add(self, key: str, at: datetime) -> None:
        """Count one failed sign-in under ``key``."""
        ...

    def failures_since(self, key: str, since: datetime) -> int:
        """Failed sign-ins under ``key`` at or after ``since``."""
        ...

    def failures_clear(self, key: str) -> None:
        """Forget the failed sign-ins under ``key``."""
        ...

    def recovery_codes_replace(self, username: str, code_hashes: Sequence[str]) -> None:
        """Replace the user's recovery codes with these (hashes only)."""
        ...

    def recovery_code_use(self, username: str, code_hash: str, now: datetime) -> bool:
        """Mark an unused recovery code used; True if there was one."""
        ...

    def alert_add(self, alert: BreakGlassAlert) -> None:
        """Record a break-glass alert for the responsible team."""
        ...

    def alerts(self, la_code: str | None) -> list[BreakGlassAlert]:
        """Alerts for children of ``la_code`` (every alert if None), oldest first."""
        ...
