"""Shields, the shield screen's candidate queries and its review items.

The screen's queries read ``child_search_keys`` only (names, birth date, identifiers and
the postcode digest): no child's sealed details are opened to find candidates.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    bindparam,
    case,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    union,
    update,
)

from childindex.domain.review import MERGED_BY, ReviewRoutes
from childindex.domain.shield import BlockingKeys, Caution, ScreenProfile
from childindex.domain.shield_records import (
    CautionItem,
    CautionStatus,
    ChildStanding,
    ShieldInfo,
    ShieldOrigin,
)
from childindex.domain.similarity import near_years
from childindex.services.ports import ScreenEntry
from childindex.storage.bulk import in_chunks
from childindex.storage.locks import hold_lock
from childindex.storage.models import (
    CHILD_ACTIVE,
    CautionItemRow,
    ChildRow,
    SearchKeyRow,
    ShieldIdentityRow,
    ShieldRow,
)
from childindex.storage.repositories.routing import routed_id_chunks

# The advisory lock key that serialises the writes the shield screen depends on (any
# constant 64-bit number).
SCREEN_LOCK_KEY = 0x63686964_7363726E  # "chidscrn"

if TYPE_CHECKING:
    from collections.abc import Collection
    from datetime import date, datetime

    from sqlalchemy.orm import Session

    from childindex.storage.clock import Clock

K = SearchKeyRow
R = CautionItemRow
S = ShieldRow
_OPEN_ITEM = CautionItemRow.status == CautionStatus.OPEN.value
# The statements a load's screen runs thousands of times, built once and run on the
# connection: built for each call through the ORM, they cost more than SQLite's work.
_OPEN_ITEM_OF_PAIR = select(R.id).where(
    R.child_id == bindparam("child"), R.shielded_child_id == bindparam("shielded"), _OPEN_ITEM
)
_QUEUE_ITEM = insert(R)
_CLEARED = select(R.child_id, R.shielded_child_id).where(R.status == CautionStatus.CLEARED.value)
_CLEARED_OF = _CLEARED.where(
    or_(R.child_id == bindparam("child"), R.shielded_child_id == bindparam("child"))
)
_ADD_SHIELD = insert(S).returning(S.id)
# An item follows a child merged away (built once: a rescore retires thousands of children).
_FOLLOW_MERGE = tuple(
    update(CautionItemRow)
    .where(side == bindparam("merged"), _OPEN_ITEM)
    .values({side: bindparam("into")})
    for side in (CautionItemRow.child_id, CautionItemRow.shielded_child_id)
)
_CLOSE_SELF_PAIRS = (
    update(CautionItemRow)
    .where(
        CautionItemRow.child_id == bindparam("into"),
        CautionItemRow.shielded_child_id == bindparam("into"),
        _OPEN_ITEM,
    )
    .values(status=CautionStatus.CONFIRMED.value, decided_by=MERGED_BY, decided_at=bindparam("at"))
)
# A shielded child's strength (ScreenProfile.strength): 1 if any active shield was set by a
# source or an officer (or if no shield row says otherwise: fail closed), else the strongest
# active screen-set shield. Visible children have none (0).
_STRENGTH = case(
    (
        K.shielded.is_(True),
        func.coalesce(
            select(func.max(case((S.origin == ShieldOrigin.CAUTION.value, S.strength), else_=1.0)))
            .where(S.child_id == K.child_id, S.lifted_at.is_(None))
            .scalar_subquery(),
            1.0,
        ),
    ),
    else_=0.0,
)
_PROFILE = select(
    K.child_id,
    K.given_key,
    K.family_key,
    K.birth_date,
    K.nhs_number,
    K.upn,
    K.postcode,
    K.shielded,
    K.la_code,
    K.sex,
    _STRENGTH,
).join(ChildRow, and_(ChildRow.child_id == K.child_id, ChildRow.status == CHILD_ACTIVE))


def _profile(row: Any) -> ScreenProfile:
    return ScreenProfile(
        child_id=row[0],
        given_name=row[1],
        family_name=row[2],
        birth_date=row[3],
        nhs_number=row[4],
        upn=row[5],
        postcode=row[6],
        shielded=bool(row[7]),
        la_code=row[8],
        sex=row[9],
        strength=float(row[10]),
    )


@dataclass(frozen=True, slots=True)
class _Shape:
    """Which of the screen's keys a profile has: one candidate statement per shape, built
    once (``_statement``) and run with the keys' values bound (``_bound``). Building the
    ``UNION`` of a dozen selects a table and computing its cache key cost more than running
    it."""

    dates: bool  # a birth date (with its day/month swap)
    exact: tuple[str, ...]  # which of nhs_number, upn, postcode
    year: bool  # a birth year
    born: bool  # a birth date, for the same month or day within the year
    names: tuple[int, ...]  # which of ``_NAME_KEYS``
    day_month: bool  # the day and month of birth, in any year near it
    sex: bool


# The name keys: a stored column against the profile's value (names entered the wrong way
# round: each name's sound against the other's, ADR 0021).
_NAME_KEYS = (
    ("given_sound", "given"),
    ("family_sound", "family"),
    ("family_sound", "given"),
    ("given_sound", "family"),
    ("initials", "initials"),
)
_EXACT_KEYS = ("nhs_number", "upn", "postcode")


def _bound(
    wanted: BlockingKeys, *, like: bool, dates_alone: bool = False
) -> tuple[_Shape, dict[str, Any]]:
    """The shape of ``wanted`` and the values its statement binds (the month and day as
    ``LIKE`` patterns where ``like``: ``_key_conditions``). A key of None matches nothing, as
    a SQL NULL does, so it is left out; an empty initials key is None (it must never match
    every child with empty initials). ``dates_alone``: the birth dates and the identifiers
    only (``ShieldStore.candidates``)."""
    dates = [d for d in wanted.birth_dates if d is not None]
    born = wanted.birth_dates[0] if wanted.birth_dates else None
    values: dict[str, Any] = {
        "given": wanted.given_sound,
        "family": wanted.family_sound,
        "initials": wanted.initials or None,
    }
    params: dict[str, Any] = {"dates": dates, "year": wanted.birth_year, "sex": wanted.sex}
    exact = tuple(k for k in _EXACT_KEYS if getattr(wanted, k) is not None)
    params.update({k: getattr(wanted, k) for k in exact})
    names = tuple(i for i, (_, value) in enumerate(_NAME_KEYS) if values[value] is not None)
    params.update(values)
    day_month = False
    if born is not None:  # "MM-DD": the same month, or the same day
        month, day = f"{born.month:02d}", f"{born.day:02d}"
        if like:
            params["month_like"], params["day_like"] = f"{month}-%", f"%-{day}"
        else:
            params["month"], params["day"] = month, day
        if wanted.birth_day_month is not None:
            day_month = True
            params["day_month"] = wanted.birth_day_month
            params["years"] = sorted(near_years(born))
    if dates_alone:
        exact = tuple(k for k in exact if k != "postcode")
        names, day_month = (), False
    shape = _Shape(
        dates=bool(dates),
        exact=exact,
        year=wanted.birth_year is not None,
        born=born is not None and not dates_alone,
        names=names,
        day_month=day_month,
        sex=wanted.sex is not None,
    )
    return shape, params


def _key_conditions(keys: Any, shape: _Shape, *, like: bool) -> list[ColumnElement[bool]]:
    """The screen's candidate rule (``domain/shield.py``) over a table of screen keys
    (``child_search_keys`` or ``shield_identities``) as separate conditions, any of which
    makes a candidate, each one an index can answer (an ``OR`` of them all, with the
    optional parts bound as parameters, made the database read every row of the table);
    the values are bound by name (``_bound``). The birth date's month or day is compared
    with ``LIKE`` where ``like`` (PostgreSQL estimates a pattern from the column's statistics,
    and so keeps one plan for the statement; a function of the column it can only guess at,
    and plans each run anew), by ``substr`` where not (SQLite prepares a statement with
    ``LIKE`` a bound pattern again on every run):

    * the birth date, or its day/month swap; the NHS number; the UPN; the postcode digest;
    * the sound of either name (against either name: names are entered the wrong way
      round), or the initials, within the birth year (a row with no year matches any year;
      a profile with no year matches every year);
    * in any year, the day and month of birth with sex (either unknown matches).

    Of the rows the last two find, only those whose birth date could make them resemble
    the profile are read: within the year, the same month or the same day; in another
    year, one a typo of the year away or the year either side (``similarity.near_years``).
    Any other row found only by these keys has a different postcode (the postcode is a
    key), no identifier in common (so are they) and birth dates ``date_closeness`` gives 0,
    so it resembles the profile 0 whatever its names (``shield.resemblance``): reading it
    only cost time, and at a national size most of the rows these keys find are such (about
    two thirds, on a country of 470,000 children; ``tests/properties/test_screen_candidates.py``
    holds the proof's lemma).
    """
    found: list[ColumnElement[bool]] = []
    if shape.dates:
        found.append(keys.birth_date.in_(bindparam("dates", expanding=True)))
    found.extend(getattr(keys, name) == bindparam(name) for name in shape.exact)
    near_in_year: ColumnElement[bool] | None = None
    if shape.born:
        if like:  # "MM-%", "%-DD"
            near_in_year = or_(
                keys.birth_day_month.like(bindparam("month_like", type_=String())),
                keys.birth_day_month.like(bindparam("day_like", type_=String())),
            )
        else:  # "MM", "DD"
            near_in_year = or_(
                func.substr(keys.birth_day_month, 1, 2) == bindparam("month", type_=String()),
                func.substr(keys.birth_day_month, 4, 2) == bindparam("day", type_=String()),
            )
    for index in shape.names:
        column_name, value = _NAME_KEYS[index]
        column = getattr(keys, column_name)
        if not shape.year:
            found.append(column == bindparam(value))
        else:
            in_year = and_(keys.birth_year == bindparam("year"), column == bindparam(value))
            found.append(in_year if near_in_year is None else and_(in_year, near_in_year))
            found.append(and_(keys.birth_year.is_(None), column == bindparam(value)))
    if shape.day_month:
        same_day = and_(
            keys.birth_day_month == bindparam("day_month"),
            keys.birth_year.in_(bindparam("years", expanding=True)),
        )
        if not shape.sex:
            found.append(same_day)
        else:
            found.append(and_(same_day, keys.sex == bindparam("sex")))
            found.append(and_(same_day, keys.sex.is_(None)))
    return found


IDS = ShieldIdentityRow
# A child's other identities (ADR 0012), as profiles of that child: its ID, shield, la_code
# and strength, the identity's names, dates and identifiers.
_IDENTITY = (
    select(
        K.child_id,
        IDS.given_key,
        IDS.family_key,
        IDS.birth_date,
        IDS.nhs_number,
        IDS.upn,
        IDS.postcode,
        K.shielded,
        K.la_code,
        IDS.sex,
        _STRENGTH,
    )
    .join(K, K.child_id == IDS.child_id)
    .join(ChildRow, and_(ChildRow.child_id == K.child_id, ChildRow.status == CHILD_ACTIVE))
)
# In one ``UNION`` of one select per condition: each row (a child's shown identity, or one
# of its other identities, told apart by the last column) once, however many keys it shares.
_SHOWN_ROW = _PROFILE.add_columns(literal(None, Integer()).label("identity"))
_OTHER_ROW = _IDENTITY.add_columns(IDS.id.label("identity"))

# The statements a load's screen runs for each child it walks from or shields, built once
# (as ``_OPEN_ITEM_OF_PAIR``).
_PROFILE_OF = _PROFILE.where(K.child_id == bindparam("child"))
_IDENTITIES_OF = _IDENTITY.where(K.child_id == bindparam("child")).order_by(IDS.id)
# A child's screen entries: its shown identity's, then its other identities'.
_ENTRIES = (
    _PROFILE.add_columns(K.birth_year, K.given_sound, K.family_sound, K.initials),
    _IDENTITY.add_columns(IDS.birth_year, IDS.given_sound, IDS.family_sound, IDS.initials),
)
# Every visible child's entries (a load's screen memory: about 1,000,000 rows at 1,000,000
# children, read on the connection, without the ORM's work on each row).
_VISIBLE_ENTRIES = tuple(query.where(K.shielded.is_(False)) for query in _ENTRIES)
_SHIELDED_ENTRIES_OF = tuple(
    query.where(K.child_id.in_(bindparam("ids", expanding=True)), K.shielded.is_(True))
    for query in _ENTRIES
)


def _candidates(
    keys: BlockingKeys, *, shielded: bool, dialect: str, dates_alone: bool = False
) -> tuple[Any, dict[str, Any]] | None:
    """The statement for ``ShieldStore.candidates`` on the ``dialect`` database, and its
    values; None if ``keys`` can match nothing."""
    like = dialect != "sqlite"
    shape, params = _bound(keys, like=like, dates_alone=dates_alone)
    statement = _statement(shape, shielded=shielded, like=like)
    return None if statement is None else (statement, params)


@functools.lru_cache(maxsize=512)
def _statement(shape: _Shape, *, shielded: bool, like: bool) -> Any:
    """One statement per shape, built once: SQLAlchemy keeps a statement object's compiled
    form, so running it again costs only the database's work."""
    selects = [
        base.where(K.shielded == shielded, condition)
        for base, table in ((_SHOWN_ROW, K), (_OTHER_ROW, IDS))
        for condition in _key_conditions(table, shape, like=like)
    ]
    return union(*selects) if selects else None


def _shield(row: ShieldRow) -> ShieldInfo:
    return ShieldInfo(
        shield_id=row.id,
        child_id=row.child_id,
        origin=ShieldOrigin(row.origin),
        reason=row.reason,
        set_by=row.set_by,
        set_at=row.set_at,
        review_date=row.review_date,
        lifted_at=row.lifted_at,
    )


def _item(row: CautionItemRow) -> CautionItem:
    return CautionItem(
        item_id=row.id,
        kind=row.kind,
        child_id=row.child_id,
        shielded_child_id=row.shielded_child_id,
        la_code=row.la_code,
        score=row.score,
        status=CautionStatus(row.status),
        created_at=row.created_at,
    )


class SqlShieldStore:
    """``ShieldStore`` on ``shields``, ``caution_items`` and ``child_search_keys``."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def lock_screen(self) -> None:
        """Hold the screen lock until the unit of work ends (``storage/locks.py``)."""
        hold_lock(self._session, SCREEN_LOCK_KEY)

    def profile(self, child_id: str) -> ScreenProfile | None:
        """The screen's view of one active child, or None."""
        row = self._session.connection().execute(_PROFILE_OF, {"child": child_id}).first()
        return _profile(row) if row is not None else None

    def candidates(
        self, keys: BlockingKeys, *, shielded: bool, dates_alone: bool = False
    ) -> list[ScreenProfile]:
        """Active children, shielded or visible as asked, sharing a blocking key (only a
        birth date or an identifier, if ``dates_alone``); a child is found by any of its
        identities (ADR 0012), so it may come more than once."""
        asked = _candidates(
            keys,
            shielded=shielded,
            dialect=self._session.get_bind().dialect.name,
            dates_alone=dates_alone,
        )
        if asked is None:
            return []
        rows = self._session.execute(*asked)
        return sorted((_profile(row) for row in rows), key=lambda p: p.child_id)

    def identities(self, child_id: str) -> list[ScreenProfile]:
        """A child's other identities (ADR 0012), as profiles of that child."""
        rows = self._session.connection().execute(_IDENTITIES_OF, {"child": child_id})
        return [_profile(row) for row in rows]

    def shielded_profiles(self) -> Iterator[ScreenProfile]:
        """Every active shielded child, in child ID order."""
        statement = _PROFILE.where(K.shielded.is_(True)).order_by(K.child_id)
        for row in self._session.execute(statement):
            yield _profile(row)

    def shielded_entries(self, only: Collection[str] | None = None) -> list[ScreenEntry]:
        """Every active shielded child (or those of ``only`` that are) with the screen keys
        stored for it. Their IDs first, from the ``shielded`` flag's index, then their rows
        by ID: joined in one query, a planner that knows only averages (SQLite) reads every
        child to find the few shielded ones."""
        ids = (
            list(self._session.scalars(select(K.child_id).where(K.shielded.is_(True))))
            if only is None
            else sorted(only)
        )
        found: list[ScreenEntry] = []
        connection = self._session.connection()
        for chunk in in_chunks(ids):
            found += [
                ScreenEntry(_profile(row), row[11], row[12], row[13], row[14])
                for query in _SHIELDED_ENTRIES_OF
                for row in connection.execute(query, {"ids": chunk})
            ]
        return found

    def visible_entries(self) -> Iterator[ScreenEntry]:
        """Every active visible child with the screen keys stored for it, streamed."""
        connection = self._session.connection()
        for query in _VISIBLE_ENTRIES:
            for row in connection.execute(query):
                yield ScreenEntry(_profile(row), row[11], row[12], row[13], row[14])

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
        """Record a shield set on ``child_id`` (at ``at``, or now); return its id."""
        values = {
            "strength": strength,
            "child_id": child_id,
            "origin": origin.value,
            "reason": reason,
            "set_by": set_by,
            "set_at": at or self._clock(),
            "review_date": review_date,
        }
        key: int = self._session.connection().execute(_ADD_SHIELD, values).scalar_one()
        return key

    def active_shields(self, child_id: str) -> list[ShieldInfo]:
        """The shields on ``child_id`` not lifted, oldest first."""
        rows = self._session.scalars(
            select(ShieldRow)
            .where(ShieldRow.child_id == child_id, ShieldRow.lifted_at.is_(None))
            .order_by(ShieldRow.id)
        )
        return [_shield(row) for row in rows]

    def lift(self, *, child_id: str, lifted_by: str, reason: str, at: datetime) -> int:
        """Mark every active shield on ``child_id`` lifted; return how many."""
        result = self._session.execute(
            update(ShieldRow)
            .where(ShieldRow.child_id == child_id, ShieldRow.lifted_at.is_(None))
            .values(lifted_at=at, lifted_by=lifted_by, lift_reason=reason)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def set_review_date(self, *, child_id: str, review_date: date) -> None:
        """Give every active shield on ``child_id`` this review date (an officer reviewed it)."""
        self._session.execute(
            update(ShieldRow)
            .where(ShieldRow.child_id == child_id, ShieldRow.lifted_at.is_(None))
            .values(review_date=review_date)
        )

    def overdue(self, today: date, *, la_codes: frozenset[str] | None = None) -> list[ShieldInfo]:
        """Active shields due for review: the review date before ``today``, or none set
        (shields set by a source or the screen wait for an officer to review them), on
        children of ``la_codes`` (``None``: every authority). A child the screen shielded
        more strongly later holds its earlier, weaker screen shield as history: only the
        strongest is due, so the child is listed once for the screen."""
        statement = (
            select(ShieldRow)
            .where(
                ShieldRow.lifted_at.is_(None),
                or_(ShieldRow.review_date < today, ShieldRow.review_date.is_(None)),
            )
            .order_by(ShieldRow.review_date.asc().nulls_first(), ShieldRow.id)
        )
        if la_codes is not None:
            statement = statement.join(ChildRow, ChildRow.child_id == ShieldRow.child_id).where(
                ChildRow.la_code.in_(sorted(la_codes))
            )
        rows = list(self._session.scalars(statement))
        strongest: dict[str, ShieldRow] = {}
        for row in rows:
            held = strongest.get(row.child_id)
            if row.origin == ShieldOrigin.CAUTION.value and (
                held is None or (row.strength, row.id) > (held.strength, held.id)
            ):
                strongest[row.child_id] = row
        return [
            _shield(row)
            for row in rows
            if row.origin != ShieldOrigin.CAUTION.value or strongest[row.child_id] is row
        ]

    def queue_caution(self, *, child_id: str, caution: Caution, at: datetime | None = None) -> bool:
        """Queue a caution item unless one for this pair is already open; True if queued."""
        connection = self._session.connection()
        pair = {"child": child_id, "shielded": caution.shielded_child_id}
        if connection.scalar(_OPEN_ITEM_OF_PAIR, pair) is not None:
            return False
        connection.execute(
            _QUEUE_ITEM,
            {
                "kind": "caution",
                "child_id": child_id,
                "shielded_child_id": caution.shielded_child_id,
                "la_code": caution.la_code,
                "score": caution.score,
                "status": CautionStatus.OPEN.value,
                "created_at": at or self._clock(),
            },
        )
        return True

    def cleared_pairs(self, child_id: str) -> frozenset[str]:
        """Shielded children an officer has found ``child_id`` is not (either way round)."""
        rows = self._session.connection().execute(_CLEARED_OF, {"child": child_id})
        return frozenset(b if a == child_id else a for a, b in rows)

    def every_cleared_pair(self) -> dict[str, frozenset[str]]:
        """``cleared_pairs`` of every child that has any, read at once."""
        found: dict[str, set[str]] = {}
        for a, b in self._session.connection().execute(_CLEARED):
            found.setdefault(a, set()).add(b)
            found.setdefault(b, set()).add(a)
        return {child_id: frozenset(others) for child_id, others in found.items()}

    def caution_items(self, *, la_codes: frozenset[str] | None) -> list[CautionItem]:
        """Open items, all of them (``None``) or only those of ``la_codes``."""
        statement = select(R).where(R.status == CautionStatus.OPEN.value).order_by(R.id)
        if la_codes is not None:
            statement = statement.where(R.la_code.in_(sorted(la_codes)))
        return [_item(row) for row in self._session.scalars(statement)]

    def routed_cautions(self, routes: ReviewRoutes) -> list[CautionItem]:
        """Open items that could be routed under ``routes``, oldest first: a superset of a
        viewer's share, narrowed in SQL (``routing.py``); the caller's rule decides each."""
        sides = (R.shielded_child_id, R.child_id)
        return [
            _item(row)
            for chunk in routed_id_chunks(self._session.connection(), R, sides, routes)
            for row in self._session.scalars(select(R).where(R.id.in_(chunk)).order_by(R.id))
        ]

    def caution_item(self, item_id: int) -> CautionItem | None:
        """One item by id, or None."""
        row = self._session.get(R, item_id)
        return _item(row) if row is not None else None

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
        result = self._session.execute(
            update(R)
            .where(
                R.child_id == child_id,
                R.status == CautionStatus.OPEN.value,
                true() if against is None else R.shielded_child_id == against,
            )
            .values(status=status.value, decided_by=decided_by, decided_at=at)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def follow_merge(self, *, merged: str, into: str, at: datetime) -> int:
        """Point open items at ``into`` instead of ``merged``; close self-pairs (ports)."""
        connection = self._session.connection()
        for statement in _FOLLOW_MERGE:
            connection.execute(statement, {"merged": merged, "into": into})
        result = connection.execute(_CLOSE_SELF_PAIRS, {"into": into, "at": at})
        return int(result.rowcount)

    def close_item(
        self, *, item_id: int, status: CautionStatus, decided_by: str, at: datetime
    ) -> None:
        """Record an officer's decision on one item."""
        self._session.execute(
            update(R)
            .where(R.id == item_id)
            .values(status=status.value, decided_by=decided_by, decided_at=at)
        )

    def standing(self, child_ids: Collection[str]) -> dict[str, ChildStanding]:
        """How each of these children stands now (shielded, by what, whose); a child that
        does not exist is absent."""
        wanted = sorted(set(child_ids))
        rows: list[Any] = []
        origins: dict[str, set[str]] = {}
        # In chunks: a national queue names more children than a statement may bind.
        for chunk in in_chunks(wanted):
            rows += self._session.execute(
                select(ChildRow.child_id, ChildRow.shielded, ChildRow.la_code).where(
                    ChildRow.child_id.in_(chunk)
                )
            ).all()
            for child_id, origin in self._session.execute(
                select(ShieldRow.child_id, ShieldRow.origin).where(
                    ShieldRow.child_id.in_(chunk), ShieldRow.lifted_at.is_(None)
                )
            ):
                origins.setdefault(child_id, set()).add(origin)
        caution = {ShieldOrigin.CAUTION.value}
        return {
            child_id: ChildStanding(
                child_id=child_id,
                shielded=bool(shielded),
                la_code=la_code,
                # A shielded child with no shield row (fails closed) gates like any other.
                caution_only=bool(shielded) and origins.get(child_id) == caution,
            )
            for child_id, shielded, la_code in rows
        }
