"""Request and response bodies of the JSON API that are not child views (those are
``policy.views``, made only by ``policy/redact.py``)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ShieldCreate(_Body):
    """Shield a child: why, and when the shield is to be reviewed."""

    reason: str = Field(min_length=1, max_length=2000)
    review_date: date


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
