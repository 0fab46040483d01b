"""``ReviewRepository`` on SQLAlchemy: review items and remembered not-a-match decisions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, exists, insert, or_, select, update
from sqlalchemy.orm import aliased

from childindex.domain.ids import ChildId
from childindex.domain.review import MERGED_BY, ReviewItem, ReviewRoutes, ReviewStatus
from childindex.domain.source_record import Source
from childindex.storage.models import LinkRow, NotAMatchRow, ReviewItemRow, SourceRecordRow
from childindex.storage.repositories.routing import routed_id_chunks

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

R = ReviewItemRow
_OPEN = R.status == ReviewStatus.OPEN.value
# An item follows a child merged away (built once: a rescore retires thousands of children).
_FOLLOW_MERGE = tuple(
    update(R).where(side == bindparam("merged"), _OPEN).values({side: bindparam("into")})
    for side in (R.record_child_id, R.candidate_child_id)
)
_WITHDRAW_SELF_PAIRS = (
    update(R)
    .where(R.record_child_id == bindparam("into"), R.candidate_child_id == bindparam("into"), _OPEN)
    .values(status=ReviewStatus.WITHDRAWN.value, decided_by=MERGED_BY, decided_at=bindparam("at"))
)
SR = SourceRecordRow
N, _N = NotAMatchRow, aliased(NotAMatchRow)
# A record an officer said is not the merged child is not the child it went into either
# (ADR 0035): the memory follows, unless the record is on that child now (an officer joined
# them after all). The memory of the merged child is kept, for an undone merge.
_FOLLOW_NOT_A_MATCH = insert(N).from_select(
    ["source_record_id", "child_id", "actor", "decided_at"],
    select(
        N.source_record_id, bindparam("into", type_=N.child_id.type), N.actor, N.decided_at
    ).where(
        N.child_id == bindparam("merged"),
        ~exists().where(
            _N.source_record_id == N.source_record_id, _N.child_id == bindparam("into")
        ),
        ~exists().where(
            LinkRow.source_record_id == N.source_record_id,
            LinkRow.child_id == bindparam("into"),
            LinkRow.ended_at.is_(None),
        ),
    ),
)

# Each record live on ``one`` is not ``other`` (run both ways round: ADR 0035).
_REMEMBER_APART = insert(N).from_select(
    ["source_record_id", "child_id", "actor", "decided_at"],
    select(
        LinkRow.source_record_id,
        bindparam("other", type_=N.child_id.type),
        bindparam("actor", type_=N.actor.type),
        bindparam("at", type_=N.decided_at.type),
    ).where(
        LinkRow.child_id == bindparam("one"),
        LinkRow.ended_at.is_(None),
        ~exists().where(
            N.source_record_id == LinkRow.source_record_id, N.child_id == bindparam("other")
        ),
    ),
)

# A memory naming one child, of a record live on the other (either way round); by the
# memories' child index, then each record's live link.
_SAID_APART = select(
    exists().where(
        LinkRow.source_record_id == N.source_record_id,
        LinkRow.ended_at.is_(None),
        or_(
            and_(N.child_id == bindparam("other"), LinkRow.child_id == bindparam("one")),
            and_(N.child_id == bindparam("one"), LinkRow.child_id == bindparam("other")),
        ),
    )
)

_ITEMS = select(
    R.id,
    SR.source,
    SR.record_id,
    R.record_child_id,
    R.candidate_child_id,
    R.probability,
    R.weights,
    R.la_code,
    R.status,
).join(SR, SR.id == R.source_record_id)


def _item(row: Any) -> ReviewItem:
    item_id, source, record_id, record_child, candidate, probability, weights, la, status = row
    return ReviewItem(
        item_id=item_id,
        source=Source(source),
        record_id=record_id,
        record_child_id=ChildId(record_child),
        candidate_child_id=ChildId(candidate),
        probability=probability,
        weights=dict(weights),
        la_code=la,
        status=ReviewStatus(status),
    )


class SqlReviewRepository:
    """Review items and not-a-match decisions."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def _record_key(self, source: Source, record_id: str) -> int:
        key = self._session.connection().scalar(
            select(SR.id).where(and_(SR.source == source.value, SR.record_id == record_id))
        )
        if key is None:
            msg = f"no source record {source.value}/{record_id}"
            raise LookupError(msg)
        return int(key)

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
        return int(
            self._session.connection()
            .execute(
                insert(R).returning(R.id),
                {
                    "source_record_id": self._record_key(source, record_id),
                    "record_child_id": record_child_id.value,
                    "candidate_child_id": candidate_child_id.value,
                    "probability": probability,
                    "weights": weights,
                    "la_code": la_code,
                    "status": ReviewStatus.OPEN.value,
                    "created_at": now,
                },
            )
            .scalar_one()
        )

    def has_open(self, *, source: Source, record_id: str, candidate_child_id: ChildId) -> bool:
        """True if an open item already proposes this record as this candidate child."""
        found = self._session.connection().scalar(
            select(R.id)
            .join(SR, SR.id == R.source_record_id)
            .where(
                SR.source == source.value,
                SR.record_id == record_id,
                R.candidate_child_id == candidate_child_id.value,
                _OPEN,
            )
            .limit(1)
        )
        return found is not None

    def open_items(self, *, la_code: str) -> list[ReviewItem]:
        """Open items of one local authority, oldest first."""
        rows = self._session.connection().execute(
            _ITEMS.where(R.la_code == la_code, R.status == ReviewStatus.OPEN.value).order_by(R.id)
        )
        return [_item(row) for row in rows]

    def all_open(self) -> list[ReviewItem]:
        """Every open item, oldest first (the caller decides who may know of each)."""
        rows = self._session.connection().execute(
            _ITEMS.where(R.status == ReviewStatus.OPEN.value).order_by(R.id)
        )
        return [_item(row) for row in rows]

    def open_routed(self, routes: ReviewRoutes) -> list[ReviewItem]:
        """Open items that could be routed under ``routes``, oldest first: a superset of a
        viewer's share, narrowed in SQL (``routing.py``); the caller's rule decides each."""
        connection = self._session.connection()
        sides = (R.record_child_id, R.candidate_child_id)
        return [
            _item(row)
            for chunk in routed_id_chunks(connection, R, sides, routes)
            for row in connection.execute(_ITEMS.where(R.id.in_(chunk)).order_by(R.id))
        ]

    def get(self, item_id: int) -> ReviewItem | None:
        """The item, or None."""
        row = self._session.connection().execute(_ITEMS.where(R.id == item_id)).first()
        return _item(row) if row is not None else None

    def follow_merge(self, *, merged: ChildId, into: ChildId, now: datetime) -> int:
        """Point open items at ``into`` instead of ``merged``; withdraw self-pairs (ports)."""
        connection = self._session.connection()
        for statement in (*_FOLLOW_MERGE, _FOLLOW_NOT_A_MATCH):
            connection.execute(statement, {"merged": merged.value, "into": into.value})
        result = connection.execute(_WITHDRAW_SELF_PAIRS, {"into": into.value, "at": now})
        return int(result.rowcount)

    def close(self, *, item_id: int, status: ReviewStatus, actor: str, now: datetime) -> None:
        """Record the decision on an item."""
        self._session.connection().execute(
            update(R)
            .where(R.id == item_id)
            .values(status=status.value, decided_by=actor, decided_at=now)
        )

    def remember_not_a_match(
        self, *, source: Source, record_id: str, child_id: ChildId, actor: str, now: datetime
    ) -> None:
        """Remember that the record is not this child."""
        key = self._record_key(source, record_id)
        connection = self._session.connection()
        exists = connection.scalar(
            select(NotAMatchRow.child_id).where(
                NotAMatchRow.source_record_id == key, NotAMatchRow.child_id == child_id.value
            )
        )
        if exists is None:
            connection.execute(
                insert(NotAMatchRow),
                {
                    "source_record_id": key,
                    "child_id": child_id.value,
                    "actor": actor,
                    "decided_at": now,
                },
            )

    def remember_apart(self, *, one: ChildId, other: ChildId, actor: str, now: datetime) -> None:
        """Remember every record now on either child as not the other child."""
        connection = self._session.connection()
        for a, b in ((one, other), (other, one)):
            values = {"one": a.value, "other": b.value, "actor": actor, "at": now}
            connection.execute(_REMEMBER_APART, values)

    def said_apart(self, one: ChildId, other: ChildId) -> bool:
        """Whether an officer said a record now on either child is not the other child."""
        values = {"one": one.value, "other": other.value}
        return bool(self._session.connection().scalar(_SAID_APART, values))

    def in_doubt(self, child_id: ChildId, *, but_for: ChildId) -> bool:
        """Whether a record now on the child is in an open item proposing it as another
        child than ``but_for``: the engine could not say whose it is, and an officer has
        yet to."""
        found = self._session.connection().scalar(
            select(R.id)
            .where(
                R.record_child_id == child_id.value,
                R.candidate_child_id != but_for.value,
                _OPEN,
            )
            .limit(1)
        )
        return found is not None

    def not_a_match(self, *, source: Source, record_id: str) -> set[ChildId]:
        """Children an officer said this record is not."""
        rows = self._session.connection().scalars(
            select(NotAMatchRow.child_id)
            .join(SR, SR.id == NotAMatchRow.source_record_id)
            .where(SR.source == source.value, SR.record_id == record_id)
        )
        return {ChildId(v) for v in rows}
