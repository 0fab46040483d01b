"""``/api/v1/halt``: a national administrator halts (PUT), inspects (GET) and lifts (DELETE)
the halt on every update. Lifting loads the queued feeds first, in arrival order."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query

from childindex.api.schemas import HaltCreate, HaltLift, HaltLifted, HaltRead
from childindex.auth.dependencies import ContainerDep, require
from childindex.domain.permissions import Permission
from childindex.feeds.formats import read_queued
from childindex.policy.viewer import Viewer
from childindex.services import feed_intake, operations

router = APIRouter(prefix="/api/v1/halt", tags=["halt"])

HaltManager = Annotated[Viewer, Depends(require(Permission.HALT_MANAGE))]


def _read(status: operations.HaltStatus) -> HaltRead:
    halt = status.halt
    return HaltRead(
        halted=halt is not None,
        reason=halt.reason if halt else None,
        set_by=halt.set_by if halt else None,
        since=halt.since if halt else None,
        queued=status.waiting,
    )


@router.get("", response_model=HaltRead, response_model_exclude_none=True)
def halt_status(viewer: HaltManager, container: ContainerDep) -> Any:
    """Whether updates are halted, since when, by whom and why, and how many feeds wait."""
    return _read(
        operations.halt_status(
            uow=container.uow_factory(), actor=viewer.username, now=container.clock()
        )
    )


@router.put("", response_model=HaltRead, response_model_exclude_none=True)
def halt_on(body: HaltCreate, viewer: HaltManager, container: ContainerDep) -> Any:
    """Halt every update with a reason: feeds are queued, edits refused, reads go on."""
    return _read(
        operations.halt_on(
            uow=container.uow_factory(),
            actor=viewer.username,
            reason=body.reason,
            now=container.clock(),
        )
    )


@router.delete("", response_model=HaltLifted)
def halt_off(
    viewer: HaltManager,
    container: ContainerDep,
    body: Annotated[HaltLift | None, Body()] = None,
    reason: Annotated[str | None, Query(min_length=1, max_length=2000)] = None,
) -> Any:
    """Load every queued feed in arrival order, then lift the halt (reason optional)."""
    drained = feed_intake.halt_off(
        uow_factory=container.uow_factory,
        actor=viewer.username,
        reason=body.reason if body is not None and body.reason else reason,
        now=container.clock(),
        read=read_queued,
        engine=container.engine,
    )
    return {"halted": False, "loaded": drained.items()}
