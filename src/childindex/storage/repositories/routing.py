"""The review queue's pre-filter in SQL: open items that could be routed to a viewer.

``policy/review_scope.py`` decides who may know of an item from its sides' standing at read
time. The responsible authority it computes is always one of three things: the authority of
the first side that gates (a shielded side), else the authority the item was queued for, else
the first side's authority that is not blank, else none (the national queue). So an item can
be routed to a viewer only if

* it was queued for one of the viewer's authorities, or
* it was queued for none (NULL or blank) and a side belongs to one of them, or
* a side is shielded and belongs to one of them, or
* (national administrators) it was queued for none, or a shielded side has no authority.

Each branch is a small indexed query (items by ``(la_code, status)``; shielded children by
``(shielded, la_code)`` and then items by side); their union is the set of ids storage
returns. It is a superset of what the rule admits ("shielded" counts caution-only shields,
which do not gate): the rule, applied to every item returned, removes the rest.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, or_, select, union
from sqlalchemy.orm import aliased

from childindex.domain.review import ReviewRoutes
from childindex.storage.bulk import in_chunks
from childindex.storage.models import ChildRow

if TYPE_CHECKING:
    from sqlalchemy import Connection

OPEN = "open"


def routed_ids(table: Any, sides: tuple[Any, Any], routes: ReviewRoutes) -> Select[Any] | None:
    """The ids of ``table``'s open items that could be routed under ``routes`` (a query to
    use as a subquery), or None when nothing can be (no authority, not national)."""
    codes = sorted(routes.authorities)
    open_ = table.status == OPEN
    unqueued = or_(table.la_code.is_(None), table.la_code == "")
    parts: list[Select[Any]] = []
    if codes:
        parts.append(select(table.id).where(open_, table.la_code.in_(codes)))
    if routes.national:
        parts.append(select(table.id).where(open_, unqueued))
    for side in sides:
        child = aliased(ChildRow)
        shielded_side: list[ColumnElement[bool]] = []
        if codes:
            parts.append(
                select(table.id)
                .join(child, child.child_id == side)
                .where(open_, unqueued, child.la_code.in_(codes))
            )
            shielded_side.append(child.la_code.in_(codes))
        if routes.national:
            shielded_side.append(child.la_code.is_(None))
        if shielded_side:
            parts.append(
                select(table.id)
                .select_from(child)
                .join(table, side == child.child_id)
                .where(child.shielded.is_(True), or_(*shielded_side), open_)
            )
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return select(union(*parts).subquery().c[0])


def routed_id_chunks(
    connection: Connection, table: Any, sides: tuple[Any, Any], routes: ReviewRoutes
) -> Iterator[Sequence[int]]:
    """The routed ids, ascending, in chunks to fetch rows by primary key.

    Ids first, then rows by id: joining the union back to the whole table lets a planner scan
    every item ever queued (closed ones too), which grows without end; by key it never does.
    """
    ids = routed_ids(table, sides, routes)
    if ids is None:
        return
    yield from in_chunks(sorted(connection.scalars(ids)))
