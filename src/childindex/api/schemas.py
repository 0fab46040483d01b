"""Request and response bodies of the JSON API that are not child views (those are
``policy.views``, made only by ``policy/redact.py``)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ShieldCreate(_Body):
    """Shield a child: why, and when the shield is to be reviewed (one year from today if
    not given)."""

    reason: str = Field(min_length=1, max_length=2000)
    review_date: date | None = None


class ShieldLift(_Body):
    """Lift a shield: why (required)."""

    reason: str = Field(min_length=1, max_length=2000)


class ShieldRead(_Body):
    """A child's shield after an action."""

    child_id: str
    shielded: bool
    review_date: date | None = None


class ContactRequestCreate(_Body):
    """A practitioner's message for the team responsible for a shielded child."""

    message: str = Field(min_length=1, max_length=4000)
    contact: str = Field(min_length=1, max_length=200)


class ContactRequestRead(_Body):
    """A mediated-contact request as its sender or the responsible team sees it."""

    request_id: int
    child_id: str
    status: str
    created_at: datetime
    requested_by: str | None = None
    message: str | None = None
    contact: str | None = None
    closed_at: datetime | None = None
    outcome: str | None = None


class ContactRequestClose(_Body):
    """Close a request: what was done."""

    outcome: str = Field(min_length=1, max_length=2000)


class ContactSearchRead(_Body):
    """A search that found the shielded child: who, and when."""

    username: str
    at: datetime


class TeamRequestRead(_Body):
    """A request as the responsible team sees it."""

    request: ContactRequestRead
    searched_by: list[ContactSearchRead]


class HaltCreate(_Body):
    """Halt every update: why (required, audited)."""

    reason: str = Field(min_length=1, max_length=2000)


class HaltLift(_Body):
    """Lift the halt: why (optional, audited)."""

    reason: str | None = Field(default=None, min_length=1, max_length=2000)


class HaltRead(_Body):
    """Whether updates are halted (since when, by whom, why) and how many feeds wait."""

    halted: bool
    reason: str | None = None
    set_by: str | None = None
    since: datetime | None = None
    queued: int


class QueuedFeedLoaded(BaseModel):
    """One feed queued during the halt, as loaded when it was lifted (in arrival order):
    the same counts as a feed's report."""

    item: int
    source: str
    file: str
    load_id: int
    read: int
    accepted: int
    rejected: int
    linked: int
    review: int
    new: int
    shielded: int
    unchanged: int
    stale: int
    warnings: int


class HaltLifted(_Body):
    """The halt is lifted: every queued feed was loaded first, in arrival order."""

    halted: bool
    loaded: list[QueuedFeedLoaded]


class FeedQueuedRead(_Body):
    """A feed accepted while updates are halted: kept, and loaded when the halt lifts."""

    queued: bool
    message: str
    reason: str
    item: int
    position: int
