"""Children: the ``Child`` projection as JSON, and the keys search runs on.

Search applies ``SearchPlan`` (invariant 3) in SQL, in one ``WHERE`` used for both the page
and the count, so the total can never count a child the page could not show.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    case,
    delete,
    false,
    func,
    insert,
    or_,
    select,
    update,
)

from childindex.domain.ids import ChildId
from childindex.domain.names import name_key
from childindex.domain.shield import ScreenProfile, day_month, resemblance
from childindex.domain.similarity import initials, sound_key
from childindex.domain.source_record import Source, SourceRecord
from childindex.domain.survivorship import face, project
from childindex.matching.blocking import IDENTIFIER_KEYS
from childindex.matching.ports import CandidateRecord
from childindex.matching.thresholds import REVIEW
from childindex.storage.bulk import expect as _expect
from childindex.storage.bulk import in_chunks, insert_rows, update_rows, upsert_rows
from childindex.storage.cipher import FieldCipher
from childindex.storage.codec import child_from_json, child_to_json
from childindex.storage.models import (
    CHILD_ACTIVE,
    BlockingKeyRow,
    ChildRow,
    LinkRow,
    SearchKeyRow,
    ShieldIdentityRow,
    SourceRecordRow,
    VersionRow,
)
from childindex.storage.repositories.records import blocking_digests
from childindex.storage.upsert import upsert

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from childindex.domain.child import Child
    from childindex.policy.criteria import SearchPlan
    from childindex.services.ports import Prepared
    from childindex.storage.clock import Clock

K = SearchKeyRow
POSTCODE = "postcode"  # the purpose of the postcode search digest
# Online candidates: records sharing a blocking key, through their live link to an active
# child, with the record's current payload. Past the limit, the records sharing an NHS
# number or UPN with the record are kept first, then those sharing the most of its keys,
# then by source and record id (ADR 0049): namesakes under a common name key never push out
# a record sharing the child's birth date and home, and which records are kept never
# depends on the children's IDs, which are drawn at random.
_SHARED = (
    select(
        BlockingKeyRow.source_record_id,
        func.max(
            case((BlockingKeyRow.key.in_(bindparam("identifiers", expanding=True)), 1), else_=0)
        ).label("identified"),
        func.count().label("shared"),
    )
    .where(BlockingKeyRow.key.in_(bindparam("keys", expanding=True)))
    .group_by(BlockingKeyRow.source_record_id)
    .subquery()
)
_BY_BLOCKING_KEYS = (
    select(LinkRow.child_id, SourceRecordRow.source, SourceRecordRow.record_id, VersionRow.payload)
    .select_from(_SHARED)
    .join(LinkRow, LinkRow.source_record_id == _SHARED.c.source_record_id)
    .join(SourceRecordRow, SourceRecordRow.id == LinkRow.source_record_id)
    .join(VersionRow, VersionRow.id == SourceRecordRow.current_version_id)
    .join(ChildRow, ChildRow.child_id == LinkRow.child_id)
    .where(LinkRow.ended_at.is_(None), ChildRow.status == CHILD_ACTIVE)
    .order_by(
        _SHARED.c.identified.desc(),
        _SHARED.c.shared.desc(),
        SourceRecordRow.source,
        SourceRecordRow.record_id,
    )
    .limit(bindparam("limit"))
)
# The same for a whole batch of keys at once, in two steps: which records each key is
# stored for (from the keys' index alone), then those records' live links and payloads.
_KEYED_RECORDS = select(BlockingKeyRow.key, BlockingKeyRow.source_record_id).where(
    BlockingKeyRow.key.in_(bindparam("keys", expanding=True))
)
_LINKED_RECORDS = (
    select(
        SourceRecordRow.id,
        LinkRow.child_id,
        SourceRecordRow.source,
        SourceRecordRow.record_id,
        VersionRow.payload,
    )
    .join(LinkRow, and_(LinkRow.source_record_id == SourceRecordRow.id, LinkRow.ended_at.is_(None)))
    .join(VersionRow, VersionRow.id == SourceRecordRow.current_version_id)
    .join(ChildRow, and_(ChildRow.child_id == LinkRow.child_id, ChildRow.status == CHILD_ACTIVE))
    .where(SourceRecordRow.id.in_(bindparam("ids", expanding=True)))
)
# Every criterion storage knows how to compare; an unknown one fails rather than being ignored.
_CRITERIA: dict[str, Any] = {
    "given_name": K.given_key,
    "family_name": K.family_key,
    "birth_date": K.birth_date,
    "postcode": K.postcode,
    "nhs_number": K.nhs_number,
    "upn": K.upn,
    "school_urn": K.school_urn,
}
_ORDER = (K.family_key, K.given_key, K.birth_date.asc().nulls_last(), K.child_id)

# Built once: constructing statements costs more than running them in a bulk load.
_GET = select(ChildRow.details).where(ChildRow.child_id == bindparam("child_id"))
_BY_IDENTIFIER = {
    column.key: (
        select(K.child_id)
        .join(ChildRow, ChildRow.child_id == K.child_id)
        .where(column == bindparam("value"), ChildRow.status == CHILD_ACTIVE)
        .order_by(K.child_id)
    )
    for column in (K.nhs_number, K.upn)
}
_BY_IDENTIFIERS = {
    column.key: (
        select(column, K.child_id)
        .join(ChildRow, ChildRow.child_id == K.child_id)
        .where(column.in_(bindparam("values", expanding=True)), ChildRow.status == CHILD_ACTIVE)
        .order_by(K.child_id)
    )
    for column in (K.nhs_number, K.upn)
}
# The payload of every record live-linked to a child (its other identities, ADR 0012).
_LINKED_PAYLOADS = (
    select(SourceRecordRow.source, SourceRecordRow.record_id, VersionRow.payload)
    .join(LinkRow, LinkRow.source_record_id == SourceRecordRow.id)
    .join(VersionRow, VersionRow.id == SourceRecordRow.current_version_id)
    .where(LinkRow.child_id == bindparam("child"), LinkRow.ended_at.is_(None))
    .order_by(SourceRecordRow.source, SourceRecordRow.record_id)
)
# What the shield screen compares and looks up (``domain/shield.py``), beside child_id.
SCREEN_IDENTITY = (
    "given_key",
    "family_key",
    "birth_date",
    "postcode",
    "nhs_number",
    "upn",
    "birth_year",
    "given_sound",
    "family_sound",
    "initials",
    "birth_day_month",
    "sex",
)


def _face(keys: dict[str, Any]) -> ScreenProfile:
    """Names and birth date only: identifiers would make any two identities alike."""
    return ScreenProfile(
        child_id=keys["child_id"],
        given_name=keys["given_key"],
        family_name=keys["family_key"],
        birth_date=keys["birth_date"],
    )


# Invariant 2: every source record linked to a shielded child is shielded.
_SHIELD_LINKED_RECORDS = (
    update(SourceRecordRow)
    .where(
        SourceRecordRow.id.in_(
            select(LinkRow.source_record_id).where(
                LinkRow.child_id == bindparam("linked_to"), LinkRow.ended_at.is_(None)
            )
        ),
        SourceRecordRow.shielded.is_(False),
    )
    .values(shielded=True)
)


# ``set_shielded``'s statements, built once (the screen of a load shields thousands).
_SHIELD_CHILD = (
    update(ChildRow)
    .where(ChildRow.child_id == bindparam("key"))
    .values(shielded=True, details=bindparam("sealed"), updated_at=bindparam("at"))
)
_SHIELD_SEARCH_KEYS = update(K).where(K.child_id == bindparam("key")).values(shielded=True)


# The columns of a ``search_keys`` row.
SEARCH_KEY_COLUMNS = (
    "child_id",
    "given_key",
    "family_key",
    "birth_date",
    "postcode",
    "nhs_number",
    "upn",
    "school_urn",
    "shielded",
    "la_code",
    "birth_year",
    "given_sound",
    "family_sound",
    "initials",
    "birth_day_month",
    "sex",
)


def search_keys(child: Child, cipher: FieldCipher) -> dict[str, Any]:
    """The ``child_search_keys`` row for ``child``; the postcode only as a keyed digest."""
    postcode = child.address.postcode if child.address is not None else None
    return {
        "child_id": child.child_id.value,
        "given_key": name_key(child.given_name),
        "family_key": name_key(child.family_name),
        "birth_date": child.birth_date,
        "postcode": cipher.digest(postcode, purpose=POSTCODE) if postcode else None,
        "nhs_number": child.nhs_number,
        "upn": child.upn,
        "school_urn": child.school.code if child.school is not None else None,
        "shielded": child.shielded,
        "la_code": child.la_code,
        "birth_year": child.birth_date.year if child.birth_date is not None else None,
        "given_sound": sound_key(child.given_name),
        "family_sound": sound_key(child.family_name),
        "initials": initials(child.given_name, child.family_name),
        "birth_day_month": day_month(child.birth_date),
        "sex": child.sex.value if child.sex.value in {"F", "M"} else None,
    }


def matches(plan: SearchPlan, cipher: FieldCipher) -> ColumnElement[bool]:
    """The SQL condition for ``plan``: its criteria against every child the viewer may see
    in full; a shielded child outside ``cleared_las`` only by the exact ``shielded_match``."""
    # Never NULL, so NOT(cleared) is exact; a shielded child with no LA is cleared for nobody.
    cleared: ColumnElement[bool] = (
        and_(K.la_code.is_not(None), K.la_code.in_(sorted(plan.cleared_las)))
        if plan.cleared_las
        else false()
    )
    criteria = plan.criteria
    given = []
    for name in criteria.used():
        if name not in _CRITERIA:
            msg = f"storage cannot search by {name!r}"
            raise ValueError(msg)
        value = getattr(criteria, name)
        if name == "postcode":
            value = cipher.digest(value, purpose=POSTCODE)
        given.append(_CRITERIA[name] == value)
    visible = and_(or_(K.shielded.is_(False), cleared), *given)
    exact = plan.shielded_match
    if exact is None:
        return visible
    hidden = and_(
        K.shielded.is_(True),
        ~cleared,
        K.given_key == exact.given_name,
        K.family_key == exact.family_name,
        K.birth_date == exact.birth_date,
    )
    return or_(visible, hidden)


@dataclass(frozen=True, slots=True)
class _NewChildRows:
    """``prepare_new``'s rows: the children's, and their search keys'
    (``SEARCH_KEY_COLUMNS``)."""

    rows: list[tuple[Any, ...]]
    keys: list[tuple[Any, ...]]


class _ChildRows(NamedTuple):
    """``prepare_held``'s rows: the children's, their search keys, their other identities."""

    rows: list[dict[str, Any]]
    shown: list[dict[str, Any]]
    others: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class _IdentityRows:
    """``prepare_other_identities``'s rows."""

    rows: list[dict[str, Any]]


class SqlChildRepository:
    """``ChildRepository`` on the ``children`` and ``child_search_keys`` tables."""

    def __init__(self, session: Session, clock: Clock, cipher: FieldCipher) -> None:
        self._session = session
        self._clock = clock
        self._cipher = cipher
        # Search keys ``screen_profile`` worked out, for ``add_new`` of the same child.
        self._keys: dict[ChildId, tuple[Child, dict[str, Any]]] = {}

    def _search_keys(self, child: Child) -> dict[str, Any]:
        held = self._keys.pop(child.child_id, None)
        if held is not None and held[0] is child:
            return held[1]
        return search_keys(child, self._cipher)

    def get(self, child_id: ChildId) -> Child | None:
        """The child, or None if no such child exists."""
        details = self._session.connection().scalar(_GET, {"child_id": child_id.value})
        return child_from_json(self._cipher.open_json(details)) if details is not None else None

    def save(self, child: Child) -> None:
        """Create or replace the child's projection and its search keys (two statements,
        three for a shielded child)."""
        rows = self._session.connection().execute(_LINKED_PAYLOADS, {"child": child.child_id.value})
        records = [
            SourceRecord(Source(source), record_id, self._cipher.open_json(payload), None)
            for source, record_id, payload in rows
        ]
        self.save_many([(child, records)])

    def save_many(self, children: Sequence[tuple[Child, Sequence[SourceRecord]]]) -> None:
        """``save`` for many children at once, each with its current records (in
        ``(source, record_id)`` order; what its other identities are worked out from): one
        statement per table for all of them."""
        if not children:
            return
        rows, shown, others = self._rows(children)
        connection = self._session.connection()
        upsert(connection, ChildRow, rows, key=("child_id",), keep=("created_at",))
        upsert(connection, SearchKeyRow, shown, key=("child_id",))
        self._rewrite_identities(rows, others)

    def save_held(self, children: Sequence[tuple[Child, Sequence[SourceRecord]]]) -> None:
        """``save_many`` for children held already (a bulk load's, given records), with
        the same rows after it: of their search keys only the columns whose values changed
        are set. Setting a column rewrites its index entries whether it changed or not
        (SQLite), and most of a held child's keys stay as they were when it gains a record."""
        self.write_held(self.prepare_held(children))

    def prepare_held(self, children: Sequence[tuple[Child, Sequence[SourceRecord]]]) -> Prepared:
        """What :meth:`save_held` writes for ``children``, worked out without the database."""
        return _ChildRows(*self._rows(children))

    def write_held(self, prepared: Prepared) -> None:
        """Write what :meth:`prepare_held` worked out (see :meth:`save_held`)."""
        rows, shown, others = _expect(prepared, _ChildRows)
        if not rows:
            return
        connection = self._session.connection()
        upsert_rows(connection, ChildRow, rows, key=("child_id",), keep=("created_at",))
        held: dict[str, tuple[Any, ...]] = {}
        for chunk in in_chunks([keys["child_id"] for keys in shown]):
            read = select(*(getattr(K, name) for name in SEARCH_KEY_COLUMNS))
            for found in connection.execute(read.where(K.child_id.in_(chunk))):
                held[found[0]] = tuple(found)
        changed: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        unheld = []
        for keys in shown:
            row = held.get(keys["child_id"])
            if row is None:
                unheld.append(keys)
                continue
            names = tuple(
                name
                for name, value in zip(SEARCH_KEY_COLUMNS, row, strict=True)
                if keys[name] != value
            )
            if names:
                changed.setdefault(names, []).append(keys)
        if unheld:
            upsert_rows(connection, SearchKeyRow, unheld, key=("child_id",))
        for names, values in changed.items():
            update_rows(connection, SearchKeyRow, names, values, key="child_id")
        self._rewrite_identities(rows, others)

    def _rows(
        self, children: Sequence[tuple[Child, Sequence[SourceRecord]]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        """The ``children`` rows of ``children``, their search keys, and the rows of their
        other identities."""
        now = self._clock()
        seal = self._cipher.seal_json
        rows, shown, others = [], [], []
        for child, records in children:
            rows.append(
                {
                    "child_id": child.child_id.value,
                    "la_code": child.la_code,
                    "shielded": child.shielded,
                    "details": seal(child_to_json(child)),
                    "created_at": now,
                    "updated_at": now,
                }
            )
            keys = search_keys(child, self._cipher)
            shown.append(keys)
            others += self._other_identities(child, keys, records)
        return rows, shown, others

    def _rewrite_identities(
        self, children: Sequence[dict[str, Any]], others: list[dict[str, Any]]
    ) -> None:
        """Replace the other identities of ``children`` (their ``children`` rows) with
        ``others``; shield the records of each shielded one."""
        connection = self._session.connection()
        connection.execute(
            delete(ShieldIdentityRow).where(
                ShieldIdentityRow.child_id.in_([row["child_id"] for row in children])
            )
        )
        for row in children:
            if row["shielded"]:
                connection.execute(_SHIELD_LINKED_RECORDS, {"linked_to": row["child_id"]})
        if others:
            connection.execute(insert(ShieldIdentityRow), others)

    def set_shielded(self, child: Child) -> None:
        """``save`` of a held child now shielded, as it writes it: the projection re-sealed,
        the flag on its search keys and its records shielded (its other identities do not
        depend on the flag). Three statements; ``save`` would read and open every record
        of the child again to work out identities that are already stored."""
        if not child.shielded:
            msg = f"set_shielded of {child.child_id.value}, which is not shielded"
            raise ValueError(msg)
        connection = self._session.connection()
        key = child.child_id.value
        sealed = self._cipher.seal_json(child_to_json(child))
        connection.execute(_SHIELD_CHILD, {"key": key, "sealed": sealed, "at": self._clock()})
        connection.execute(_SHIELD_SEARCH_KEYS, {"key": key})
        connection.execute(_SHIELD_LINKED_RECORDS, {"linked_to": key})

    def set_authorities(self, children: Sequence[Child]) -> None:
        """Re-seal each child's projection with its ``la_code``, and set that on its search
        keys: two statements for all of them."""
        if not children:
            return
        connection = self._session.connection()
        now = self._clock()
        connection.execute(
            update(ChildRow)
            .where(ChildRow.child_id == bindparam("key"))
            .values(la_code=bindparam("la"), details=bindparam("sealed"), updated_at=now),
            [
                {
                    "key": child.child_id.value,
                    "la": child.la_code,
                    "sealed": self._cipher.seal_json(child_to_json(child)),
                }
                for child in children
            ],
        )
        connection.execute(
            update(K).where(K.child_id == bindparam("key")).values(la_code=bindparam("la")),
            [{"key": child.child_id.value, "la": child.la_code} for child in children],
        )

    def _other_identities(
        self, child: Child, shown: dict[str, Any], records: Sequence[SourceRecord]
    ) -> list[dict[str, Any]]:
        """The screen keys of each identity the child's records carry that it does not show
        (ADR 0012): one per distinct identity, from each record on its own. An identity whose
        names and birth date resemble the shown ones at REVIEW or above is the same identity
        written differently (a typo, a nickname) and needs no row of its own."""
        seen = {tuple(shown[k] for k in SCREEN_IDENTITY)}
        own = _face(shown)
        # The same names and a birth date known: the same face, which resembles itself
        # fully (``test_a_profile_with_a_birth_date_resembles_itself_fully``).
        same = (own.given_name, own.family_name, own.birth_date)
        known = all(same)
        found = []
        for record in records:
            # Most records show the child's own face: that is asked first, from the names
            # and birth date alone, before the record's whole identity is worked out.
            if known:
                given, family, born = face([record])
                if (name_key(given), name_key(family), born) == same:
                    continue
            keys = search_keys(project(child.child_id, [record], shielded=True), self._cipher)
            identity = tuple(keys[k] for k in SCREEN_IDENTITY)
            if identity in seen:
                continue
            if resemblance(_face(keys), own) >= REVIEW:
                continue
            seen.add(identity)
            found.append(
                {
                    "child_id": child.child_id.value,
                    **dict(zip(SCREEN_IDENTITY, identity, strict=True)),
                }
            )
        return found

    def by_identifier(self, kind: str, value: str) -> list[ChildId]:
        """Active children holding this NHS number or UPN (several only if the data is wrong)."""
        statement = _BY_IDENTIFIER.get(kind)
        if statement is None:
            msg = f"unknown identifier kind {kind!r}"
            raise ValueError(msg)
        rows = self._session.connection().scalars(statement, {"value": value})
        return [ChildId.stored(v) for v in rows]

    def by_identifiers(self, kind: str, values: Collection[str]) -> dict[str, list[ChildId]]:
        """``by_identifier`` for many values in one query; values no child holds are absent."""
        statement = _BY_IDENTIFIERS.get(kind)
        if statement is None:
            msg = f"unknown identifier kind {kind!r}"
            raise ValueError(msg)
        found: dict[str, list[ChildId]] = {}
        if not values:
            return found
        rows = self._session.connection().execute(statement, {"values": sorted(set(values))})
        for value, child_id in rows:
            found.setdefault(str(value), []).append(ChildId.stored(child_id))
        return found

    def add_new(self, children: Sequence[Child]) -> None:
        """Create children never saved before, and their search keys (two statements)."""
        self.write_new(self.prepare_new(children))

    def prepare_new(self, children: Sequence[Child]) -> Prepared:
        """What :meth:`add_new` writes for ``children``, worked out without the database:
        their rows (sealed) and their search keys."""
        now = self._clock()
        seal = self._cipher.seal_json
        return _NewChildRows(
            rows=[
                (
                    child.child_id.value,
                    CHILD_ACTIVE,
                    child.la_code,
                    child.shielded,
                    seal(child_to_json(child)),
                    now,
                    now,
                )
                for child in children
            ],
            keys=[
                tuple(keys[name] for name in SEARCH_KEY_COLUMNS)
                for keys in map(self._search_keys, children)
            ],
        )

    def write_new(self, prepared: Prepared) -> None:
        """Write what :meth:`prepare_new` worked out (see :meth:`add_new`)."""
        rows = _expect(prepared, _NewChildRows)
        if not rows.rows:
            return
        connection = self._session.connection()
        insert_rows(
            connection,
            ChildRow,
            ("child_id", "status", "la_code", "shielded", "details", "created_at", "updated_at"),
            rows.rows,
        )
        insert_rows(connection, SearchKeyRow, SEARCH_KEY_COLUMNS, rows.keys)

    def add_other_identities(
        self, children: Sequence[tuple[Child, Sequence[SourceRecord]]]
    ) -> None:
        """For children just created by :meth:`add_new`, whose records (in ``(source,
        record_id)`` order) are now stored: the screen rows of the other identities those
        records carry (ADR 0012), the one thing ``save_many`` would add (one statement)."""
        self.write_other_identities(self.prepare_other_identities(children))

    def prepare_other_identities(
        self, children: Sequence[tuple[Child, Sequence[SourceRecord]]]
    ) -> Prepared:
        """What :meth:`add_other_identities` writes, worked out without the database."""
        return _IdentityRows(
            [
                row
                for child, records in children
                for row in self._other_identities(child, self._search_keys(child), records)
            ]
        )

    def write_other_identities(self, prepared: Prepared) -> None:
        """Write what :meth:`prepare_other_identities` worked out."""
        rows = _expect(prepared, _IdentityRows).rows
        if rows:
            self._session.connection().execute(insert(ShieldIdentityRow), rows)

    def screen_profile(self, child: Child) -> ScreenProfile:
        """The shield screen's profile of ``child`` once saved (what ``ShieldStore.profile``
        reads back from its search keys)."""
        keys = search_keys(child, self._cipher)
        if len(self._keys) < 100_000:  # a batch's worth; never unbounded
            self._keys[child.child_id] = (child, keys)
        return ScreenProfile(
            child_id=keys["child_id"],
            given_name=keys["given_key"],
            family_name=keys["family_key"],
            birth_date=keys["birth_date"],
            nhs_number=keys["nhs_number"],
            upn=keys["upn"],
            postcode=keys["postcode"],
            shielded=bool(keys["shielded"]),
            la_code=keys["la_code"],
            sex=keys["sex"],
        )

    def mark_merged(self, child_id: ChildId, *, into: ChildId) -> None:
        """Retire ``child_id``: merged into ``into`` (kept, with the pointer, as history)."""
        self._session.connection().execute(
            update(ChildRow)
            .where(ChildRow.child_id == child_id.value)
            .values(status="merged", merged_into=into.value, updated_at=self._clock())
        )

    def merged_into(self, child_id: ChildId) -> ChildId | None:
        """The child ``child_id`` was merged into, if it was."""
        value = self._session.connection().scalar(
            select(ChildRow.merged_into).where(ChildRow.child_id == child_id.value)
        )
        return ChildId(value) if value is not None else None

    def without_authority(self, *, after: str, limit: int) -> list[ChildId]:
        """Active children with no local authority, in child ID order after ``after``."""
        rows = self._session.connection().scalars(
            select(ChildRow.child_id)
            .where(
                ChildRow.status == CHILD_ACTIVE,
                ChildRow.la_code.is_(None),
                ChildRow.child_id > after,
            )
            .order_by(ChildRow.child_id)
            .limit(limit)
        )
        return [ChildId.stored(v) for v in rows]

    def merged_from(self, into: ChildId) -> list[ChildId]:
        """Children now merged into ``into``, in child ID order."""
        rows = self._session.connection().scalars(
            select(ChildRow.child_id)
            .where(ChildRow.merged_into == into.value, ChildRow.status == "merged")
            .order_by(ChildRow.child_id)
        )
        return [ChildId.stored(v) for v in rows]

    def reactivate(self, child_id: ChildId) -> None:
        """Undo ``mark_merged``: the child is active again."""
        self._session.connection().execute(
            update(ChildRow)
            .where(ChildRow.child_id == child_id.value)
            .values(status=CHILD_ACTIVE, merged_into=None, updated_at=self._clock())
        )

    def by_blocking_keys(self, keys: Collection[str], *, limit: int) -> list[CandidateRecord]:
        """Records of active children sharing any of ``keys``, at most ``limit``: those
        sharing an identifier or the most of them (``_BY_BLOCKING_KEYS``), in
        ``CandidateRecord.order``."""
        if not keys:
            return []
        identifiers = [key for key in keys if key.startswith(IDENTIFIER_KEYS)]
        rows = self._session.connection().execute(
            _BY_BLOCKING_KEYS,
            {
                "keys": sorted(blocking_digests(keys, self._cipher)),
                "identifiers": sorted(blocking_digests(identifiers, self._cipher)),
                "limit": limit,
            },
        )
        found = [
            CandidateRecord(ChildId.stored(c), source, rid, self._cipher.open_json(payload))
            for c, source, rid, payload in rows
        ]
        return sorted(found, key=lambda c: c.order)

    def by_each_blocking_key(
        self, keys: Collection[str], *, limit: int
    ) -> tuple[dict[str, list[CandidateRecord]], set[str]]:
        """For each of ``keys``, the records of active children stored under it, in
        ``by_blocking_keys`` order (keys no such record has are absent); and the keys stored
        for more than ``limit`` records, which are not read. A batch asks this once for all
        its records' keys."""
        digest = {self._cipher.digest(key, purpose="blocking"): key for key in keys}
        connection = self._session.connection()
        stored: dict[str, list[int]] = {}
        for digests in in_chunks(sorted(digest)):
            for key, record in connection.execute(_KEYED_RECORDS, {"keys": digests}):
                stored.setdefault(digest[key], []).append(record)
        common = {key for key, records in stored.items() if len(records) > limit}
        ids = sorted({r for key, records in stored.items() if key not in common for r in records})
        held: dict[int, CandidateRecord] = {}
        for chunk in in_chunks(ids):
            rows = connection.execute(_LINKED_RECORDS, {"ids": chunk})
            for record, child, source, rid, sealed in rows:
                held[record] = CandidateRecord(
                    ChildId.stored(child), source, rid, self._cipher.open_json(sealed)
                )
        found: dict[str, list[CandidateRecord]] = {}
        for key, records in stored.items():
            if key in common:
                continue
            mine = [held[r] for r in records if r in held]
            if mine:
                found[key] = sorted(mine, key=lambda c: c.order)
        return found, common

    def search(self, plan: SearchPlan, *, limit: int) -> tuple[list[Child], int]:
        """Active children matching ``plan`` in display order, at most ``limit``, and the
        total number matching."""
        where = and_(matches(plan, self._cipher), ChildRow.status == CHILD_ACTIVE)
        joined = select(ChildRow.details).join(K, K.child_id == ChildRow.child_id).where(where)
        counted = (
            select(func.count())
            .select_from(ChildRow)
            .join(K, K.child_id == ChildRow.child_id)
            .where(where)
        )
        connection = self._session.connection()
        total = connection.scalar(counted)
        rows = connection.scalars(joined.order_by(*_ORDER).limit(max(limit, 0)))
        children = [child_from_json(self._cipher.open_json(details)) for details in rows]
        return children, total or 0
