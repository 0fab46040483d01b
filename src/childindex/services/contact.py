"""Mediated contact: a practitioner who finds a shielded child asks the responsible team
to pass a message on; the team sees its requests, who searched for the child, and closes
each request with what was done. Every step audited (IDs only, never the message)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Permission, Role
from childindex.domain.shield_records import ContactRequest
from childindex.policy.viewer import Viewer
from childindex.services.ports import UnitOfWork

# The same limits the API's schemas declare, so every door refuses the same input.
MAX_MESSAGE = 4000
MAX_CONTACT = 200
MAX_OUTCOME = 2000


@dataclass(frozen=True, slots=True)
class Search:
    """A practitioner's search that found the shielded child."""

    username: str
    at: datetime


@dataclass(frozen=True, slots=True)
class TeamRequest:
    """A request as the responsible team sees it, with who searched for the child."""

    request: ContactRequest
    searched_by: tuple[Search, ...]


def _need(viewer: Viewer, permission: Permission) -> None:
    if not viewer.can(permission):
        msg = f"you do not have permission to do this ({permission.value})"
        raise PermissionDenied(msg)


def _teams(viewer: Viewer) -> frozenset[str] | None:
    """The teams whose requests ``viewer`` handles: an admin every team, an officer theirs."""
    if viewer.role is Role.ADMIN:
        return None
    return viewer.shield_clearance_las


def request_contact(
    *, uow: UnitOfWork, viewer: Viewer, child_id: ChildId, message: str, contact: str, now: datetime
) -> ContactRequest:
    """Send a message for a shielded child's responsible team; audited."""
    _need(viewer, Permission.CHILD_CONTACT_REQUEST)
    text = message.strip()
    reply_to = contact.strip()
    if not text:
        raise InvalidInput("a message is required", field="message")
    if len(text) > MAX_MESSAGE:
        msg = f"the message must be at most {MAX_MESSAGE} characters"
        raise InvalidInput(msg, field="message")
    if not reply_to:
        raise InvalidInput("say how the team can contact you", field="contact")
    if len(reply_to) > MAX_CONTACT:
        msg = f"how to contact you must be at most {MAX_CONTACT} characters"
        raise InvalidInput(msg, field="contact")
    with uow:
        child = uow.children.get(child_id)
        if child is None:
            msg = f"no child with ID {child_id}"
            raise NotFound(msg, field="child_id")
        if not child.shielded:
            raise Conflict("this child is not shielded: contact the services shown directly")
        body = f"{text}\n\nReply to: {reply_to}"
        key = uow.contacts.add(
            child_id=child_id.value,
            la_code=child.la_code,
            requested_by=viewer.username,
            message=body,
            at=now,
        )
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.CONTACT_REQUESTED,
                actor=viewer.username,
                at=now,
                child_ids=(str(child_id),),
                detail={"request_id": key},
            )
        )
        uow.commit()
        made = uow.contacts.get(key)
    if made is None:  # pragma: no cover - just written in this unit of work
        raise NotFound("the request was not stored")
    return made


def _searches(uow: UnitOfWork, child_ids: set[str]) -> dict[str, list[Search]]:
    found: dict[str, list[Search]] = {c: [] for c in child_ids}
    for entry in uow.audit.entries():
        event = entry.event
        if event.tag is AuditTag.SHIELDED_CHILD_FOUND:
            for child in event.child_ids:
                if child in found:
                    found[child].append(Search(event.actor, event.at))
    return found


def team_requests(*, uow: UnitOfWork, viewer: Viewer, now: datetime) -> list[TeamRequest]:
    """Open requests routed to the viewer's team, each with who searched for the child."""
    _need(viewer, Permission.CHILD_CONTACT_MANAGE)
    with uow:
        requests = uow.contacts.routed_to(_teams(viewer))
        shown = {str(ChildId(r.child_id)) for r in requests}
        searches = _searches(uow, shown)
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.CONTACT_REQUESTS_LISTED,
                actor=viewer.username,
                at=now,
                child_ids=tuple(sorted(shown)),
                detail={"count": len(requests)},
            )
        )
        uow.commit()
    return [TeamRequest(r, tuple(searches[str(ChildId(r.child_id))])) for r in requests]


def close_request(
    *, uow: UnitOfWork, viewer: Viewer, request_id: int, outcome: str, now: datetime
) -> ContactRequest:
    """Close a request routed to the viewer's team with what was done; audited."""
    _need(viewer, Permission.CHILD_CONTACT_MANAGE)
    if not outcome.strip():
        raise InvalidInput("say what was done", field="outcome")
    if len(outcome.strip()) > MAX_OUTCOME:
        msg = f"what was done must be at most {MAX_OUTCOME} characters"
        raise InvalidInput(msg, field="outcome")
    with uow:
        found = uow.contacts.get(request_id)
        teams = _teams(viewer)
        if found is None or (teams is not None and found.la_code not in teams):
            msg = f"no contact request {request_id} for your team"
            raise NotFound(msg, field="request_id")
        if found.status != "open":
            raise Conflict("this request is already closed", field="request_id")
        uow.contacts.close(
            request_id=request_id, closed_by=viewer.username, outcome=outcome.strip(), at=now
        )
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.CONTACT_REQUEST_CLOSED,
                actor=viewer.username,
                at=now,
                child_ids=(str(ChildId(found.child_id)),),
                detail={"request_id": request_id},
            )
        )
        uow.commit()
        closed = uow.contacts.get(request_id)
    if closed is None:  # pragma: no cover - just written in this unit of work
        raise NotFound("the request vanished")
    return closed
