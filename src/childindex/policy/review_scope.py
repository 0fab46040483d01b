"""Who may know a review item exists, and who may decide it (issue 6 item 5; ADR 0007).

One rule for both kinds of item (a matching pair, a shield-screen caution pair), applied to
the children's standing *at read time* (a child may be shielded after its item was queued):

* a side **gates** the item if it is shielded, unless its only shields are the screen's
  cautions (a caution shield protects the shielded child it points at, and that child gates
  its own caution item);
* a viewer may know the item only if, for every gating side, they are cleared for that
  side's authority (``Viewer.cleared_for``) — or, when the side has no authority, they are a
  national administrator (ADR 0004: such items go to the national team);
* and the item must be routed to them: its responsible authority is one of theirs, or it
  has none and they are a national administrator (the national queue).

Everyone else gets the item as if it did not exist: absent from lists and counts, 404 when
named. Only officers of the responsible authority decide items.

``routes_for`` turns the routing half of the rule into what storage can filter on in SQL
(ADR 0007): the responsible authority is always the item's queued authority, a side's, or
none, so an item can only be routed to a viewer if one of those is theirs. That narrows the
national queue to a viewer's share before any item is read; ``may_know`` stays the final word.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from childindex.domain.permissions import Permission, Role
from childindex.domain.review import ReviewRoutes
from childindex.domain.shield_records import ChildStanding as Standing
from childindex.policy.viewer import Viewer


@dataclass(frozen=True, slots=True)
class ItemScope:
    """What the rule needs of one item: its sides now and its responsible authority."""

    sides: tuple[Standing, ...]
    authority: str | None


def responsible_authority(
    sides: Iterable[Standing], *, queued_for: str | None, shielded_first: bool = True
) -> str | None:
    """The authority that decides an item: a gating side's, else the one it was queued
    for, else the first side's that has one."""
    listed = list(sides)
    if shielded_first:
        for side in listed:
            if side.gates:
                return side.la_code
    if queued_for:
        return queued_for
    return next((s.la_code for s in listed if s.la_code), None)


def _national(viewer: Viewer) -> bool:
    return viewer.role is Role.ADMIN


def _routed_to(viewer: Viewer, authority: str | None) -> bool:
    if authority is None:
        return _national(viewer)
    return authority == viewer.la_code or viewer.cleared_for(authority)


def may_know(viewer: Viewer, scope: ItemScope) -> bool:
    """True if ``viewer`` may know this item exists."""
    if not viewer.can(Permission.REVIEW_READ):
        return False
    for side in scope.sides:
        if not side.gates:
            continue
        if side.la_code is None and not _national(viewer):
            return False
        if side.la_code is not None and not viewer.cleared_for(side.la_code):
            return False
    return _routed_to(viewer, scope.authority)


def may_decide(viewer: Viewer, scope: ItemScope) -> bool:
    """True if ``viewer`` may decide this item: an officer of its responsible authority."""
    return (
        may_know(viewer, scope)
        and viewer.can(Permission.REVIEW_DECIDE)
        and scope.authority is not None
        and scope.authority == viewer.la_code
    )


def routes_for(viewer: Viewer) -> ReviewRoutes:
    """What storage may narrow ``viewer``'s queue to: their authority and those they are
    cleared for, and the national queue for a national administrator (``_routed_to``).

    Every item ``may_know`` admits has a responsible authority in these, or none and a
    national viewer: storage returns every open item that *could* be so (its queued
    authority, a side's, or a shielded side's lack of one) and the rule judges each. A viewer
    without ``REVIEW_READ`` is routed nothing.
    """
    if not viewer.can(Permission.REVIEW_READ):
        return ReviewRoutes(authorities=frozenset(), national=False)
    mine = {viewer.la_code} if viewer.la_code is not None else set()
    return ReviewRoutes(
        authorities=frozenset(mine | viewer.shield_clearance_las), national=_national(viewer)
    )
