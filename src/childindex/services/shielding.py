"""Setting and lifting shields: an officer of the responsible authority, or an admin, with
a reason and a review date (one year from today unless given); lifting needs an explicit
reason. Every action is audited; the reason is kept in the shields table for cleared
officers, never in the audit log."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.child import Child
from childindex.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Permission, Role
from childindex.domain.shield_records import CautionStatus, ShieldInfo, ShieldOrigin
from childindex.domain.survivorship import asks_for_shield
from childindex.policy.viewer import Viewer
from childindex.services.merging import remember_apart
from childindex.services.operations import ensure_not_halted
from childindex.services.ports import UnitOfWork
from childindex.services.shield_screen import screen_child

MAX_REASON = 2000


@dataclass(frozen=True, slots=True)
class ShieldState:
    """What a shield action left: the child's shield and its review date."""

    child_id: str
    shielded: bool
    review_date: date | None = None


def default_review_date(today: date) -> date:
    """One year from ``today`` (28 February for a shield set on 29 February): a shield is
    reviewed at least yearly, so a caller that names no date gets that."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


def _reason(text: str | None) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise InvalidInput("a reason is required", field="reason")
    if len(cleaned) > MAX_REASON:
        msg = f"the reason must be at most {MAX_REASON} characters"
        raise InvalidInput(msg, field="reason")
    return cleaned


def _responsible(uow: UnitOfWork, viewer: Viewer, child_id: ChildId, need: Permission) -> Child:
    if not viewer.can(need):
        msg = f"you do not have permission to do this ({need.value})"
        raise PermissionDenied(msg)
    child = uow.children.get(child_id)
    if child is None:
        msg = f"no child with ID {child_id}"
        raise NotFound(msg, field="child_id")
    if viewer.role is not Role.ADMIN and not (
        viewer.la_code is not None and viewer.la_code == child.la_code
    ):
        msg = "only an officer of the responsible local authority, or an admin, may do this"
        raise PermissionDenied(msg)
    return child


def set_shield(
    *,
    uow: UnitOfWork,
    viewer: Viewer,
    child_id: ChildId,
    reason: str | None,
    review_date: date | None = None,
    now: datetime,
) -> ShieldState:
    """Shield a child (and its visible near twins) with a reason and a review date (one year
    from today if none is given); audited."""
    why = _reason(reason)
    if review_date is None:
        review_date = default_review_date(now.date())
    if review_date <= now.date():
        raise InvalidInput("the review date must be in the future", field="review_date")
    with uow:
        ensure_not_halted(uow)
        child = _responsible(uow, viewer, child_id, Permission.CHILD_SHIELD_SET)
        before = uow.shields.profile(child_id.value) if child.shielded else None
        if not child.shielded:
            uow.children.set_shielded(replace(child, shielded=True))
        uow.shields.add_shield(
            child_id=child_id.value,
            origin=ShieldOrigin.OFFICER,
            reason=why,
            set_by=viewer.username,
            at=now,
            review_date=review_date,
        )
        uow.shields.set_review_date(child_id=child_id.value, review_date=review_date)
        screened = screen_child(uow, child_id, before=before)
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.SHIELD_SET,
                actor=viewer.username,
                at=now,
                child_ids=(str(child_id),),
                detail={
                    "review_date": review_date.isoformat(),
                    "also_shielded": list(screened.also_shielded),
                },
            )
        )
        uow.commit()
    return ShieldState(str(child_id), shielded=True, review_date=review_date)


def lift_shield(
    *, uow: UnitOfWork, viewer: Viewer, child_id: ChildId, reason: str | None, now: datetime
) -> ShieldState:
    """Lift a child's shield with an explicit reason; audited. Refused while a source still
    flags the child (the source must withdraw its flag first)."""
    why = _reason(reason)
    with uow:
        ensure_not_halted(uow)
        child = _responsible(uow, viewer, child_id, Permission.CHILD_SHIELD_LIFT)
        if not child.shielded:
            raise Conflict("this child is not shielded", field="child_id")
        flagged = sorted(
            {r.source.value for r in uow.records.current_records(child_id) if asks_for_shield(r)}
        )
        if flagged:
            msg = f"a source still asks for this shield ({', '.join(flagged)}): it must withdraw it"
            raise Conflict(msg, field="child_id")
        uow.children.save(replace(child, shielded=False))
        lifted = uow.shields.lift(
            child_id=child_id.value, lifted_by=viewer.username, reason=why, at=now
        )
        # The officer has judged this child is not the shielded child it was queued against.
        cleared = uow.shields.close_items(
            child_id=child_id.value,
            status=CautionStatus.CLEARED,
            decided_by=viewer.username,
            at=now,
        )
        # Remembered as not-a-match decisions are, so no rescore joins them after all.
        for other in sorted(uow.shields.cleared_pairs(child_id.value)):
            remember_apart(uow, child_id, ChildId(other), actor=viewer.username, now=now)
        # A lift is a write like any other: the screen runs from the child, now visible.
        # The officer judged it apart from the children its items named; where it might
        # be a shielded child no officer has judged it apart from (an item about the two,
        # either way round, cleared), the screen shields it again and queues the pair.
        again = screen_child(uow, child_id).shielded
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.SHIELD_LIFTED,
                actor=viewer.username,
                at=now,
                child_ids=(str(child_id),),
                detail={
                    "shields_lifted": lifted,
                    "review_items_cleared": cleared,
                    "shielded_again_by_the_screen": again,
                },
            )
        )
        uow.commit()
    return ShieldState(str(child_id), shielded=again)


def reminders(
    *, uow: UnitOfWork, actor: str, now: datetime, la_codes: frozenset[str] | None = None
) -> list[ShieldInfo]:
    """Active shields due for review (review date passed, or never set) of children of
    ``la_codes`` (``None``: every authority, for the CLI's nightly job); audited. The
    reasons are dropped: a reminder lists IDs, origins and dates only."""
    with uow:
        due = [replace(s, reason="") for s in uow.shields.overdue(now.date(), la_codes=la_codes)]
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.SHIELD_REMINDERS_LISTED,
                actor=actor,
                at=now,
                child_ids=tuple(sorted({str(ChildId(s.child_id)) for s in due})),
                detail={"count": len(due)},
            )
        )
        uow.commit()
    return due


def reminders_for(*, uow: UnitOfWork, viewer: Viewer, now: datetime) -> list[ShieldInfo]:
    """The shields due for review that ``viewer`` answers for: an officer their own
    authority's children only, an admin every authority's; audited."""
    if not viewer.can(Permission.CHILD_SHIELD_SET):
        msg = f"you do not have permission to do this ({Permission.CHILD_SHIELD_SET.value})"
        raise PermissionDenied(msg)
    scope: frozenset[str] | None
    if viewer.role is Role.ADMIN:
        scope = None
    else:
        # Least privilege: an officer without an authority answers for no child's shield.
        scope = frozenset({viewer.la_code}) if viewer.la_code else frozenset()
    return reminders(uow=uow, actor=viewer.username, now=now, la_codes=scope)
