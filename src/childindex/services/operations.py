"""The halt switch: a national administrator pauses every update, and resumes them.

While halted, feeds are queued (``services.feed_intake``), every edit of child data is
refused with :class:`Halted` (``ensure_not_halted``), and everything else goes on: reads,
searches, sign-in, audit, mediated contact requests, user admin (docs/adr/0005). Lifting
the halt drains the queue in arrival order first (``feed_intake.halt_off``).

::

    halt_on(uow=factory(), actor="admin", reason="health feed sending duplicates", now=now)
    with factory() as uow:
        ensure_not_halted(uow)  # raises Halted, naming the reason
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from childindex.audit.chain import AuditEvent
from childindex.audit.tags import AuditTag
from childindex.domain.errors import Conflict, Halted, InvalidInput
from childindex.domain.halt import MAX_REASON, HaltState
from childindex.services.ports import UnitOfWork


@dataclass(frozen=True, slots=True)
class HaltStatus:
    """Whether updates are halted (since when, by whom, why) and how many feeds wait."""

    halt: HaltState | None
    waiting: int

    @property
    def halted(self) -> bool:
        """True while updates are halted."""
        return self.halt is not None

    def as_dict(self) -> dict[str, object]:
        """A plain mapping (for ``--json`` and the API)."""
        halt = self.halt
        return {
            "halted": halt is not None,
            "reason": halt.reason if halt else None,
            "set_by": halt.set_by if halt else None,
            "since": halt.since.isoformat() if halt else None,
            "queued": self.waiting,
        }


def reason_text(text: str | None, *, required: bool) -> str:
    """A halt reason, trimmed; raise ``InvalidInput`` naming ``reason`` if it is unusable."""
    cleaned = (text or "").strip()
    if required and not cleaned:
        raise InvalidInput("a reason is required", field="reason")
    if len(cleaned) > MAX_REASON:
        msg = f"the reason must be at most {MAX_REASON} characters"
        raise InvalidInput(msg, field="reason")
    return cleaned


def halted_message(halt: HaltState) -> str:
    """The one line every refused edit gives."""
    return f"updates are halted ({halt.reason}): try again when the halt is lifted"


def ensure_not_halted(uow: UnitOfWork) -> None:
    """Refuse an edit of child data while updates are halted; call inside the edit's unit
    of work, before it reads or changes anything. It also takes the screen lock for the rest
    of the unit (``ShieldStore.lock_screen``, ADR 0013): every edit of child data is one the
    shield screen depends on."""
    uow.system.lock(shared=True)
    halt = uow.system.halt()
    if halt is not None:
        raise Halted(halted_message(halt))
    uow.shields.lock_screen()


def halt_status(*, uow: UnitOfWork, actor: str, now: datetime) -> HaltStatus:
    """Whether updates are halted, and how many feeds wait; audited."""
    with uow:
        status = HaltStatus(uow.system.halt(), uow.queue.waiting())
        uow.audit.record(
            AuditEvent(
                tag=AuditTag.HALT_STATUS_READ,
                actor=actor,
                at=now,
                detail={"halted": status.halted, "queued": status.waiting},
            )
        )
        uow.commit()
    return status


def halt_on(*, uow: UnitOfWork, actor: str, reason: str | None, now: datetime) -> HaltStatus:
    """Halt every update, with a reason; audited. Refused if updates are already halted."""
    why = reason_text(reason, required=True)
    with uow:
        uow.system.lock()
        current = uow.system.halt()
        if current is not None:
            msg = f"updates are already halted since {current.since.isoformat()}: {current.reason}"
            raise Conflict(msg)
        state = HaltState(reason=why, set_by=actor, since=now)
        uow.system.set_halt(state)
        waiting = uow.queue.waiting()
        uow.audit.record(
            AuditEvent(tag=AuditTag.HALT_ON, actor=actor, at=now, detail={"reason": why})
        )
        uow.commit()
    return HaltStatus(state, waiting)
