"""What a viewer is shown. Built only by ``policy/redact.py``.

A field the viewer may not see is ``None`` here and *absent* once serialised
(``model_dump(exclude_none=True)``): never blank, never a placeholder.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

PUBLIC_FIELDS = frozenset({"child_id", "given_name", "family_name", "sex", "age", "shielded"})


class _View(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AddressView(_View):
    """An address as shown."""

    line1: str | None = None
    line2: str | None = None
    town: str | None = None
    postcode: str | None = None


class SettingView(_View):
    """A school or GP practice as shown."""

    code: str | None = None
    name: str | None = None
    phone: str | None = None


class CarerView(_View):
    """A parent or carer as shown."""

    given_name: str
    family_name: str
    relationship: str | None = None
    parental_responsibility: bool | None = None
    phone: str | None = None
    email: str | None = None


class InvolvementView(_View):
    """A service working with the child, as shown."""

    service_type: str
    organisation: str | None = None
    practitioner_name: str | None = None
    phone: str | None = None
    email: str | None = None
    lead_professional: bool = False
    assessment_in_place: bool = False
    sensitive: bool = False  # shown only because consent to share it is recorded
    start_date: date | None = None
    end_date: date | None = None


class ChildSummary(_View):
    """One search result."""

    child_id: str
    given_name: str
    family_name: str
    sex: str
    age: int | None = None
    shielded: bool = False
    birth_date: date | None = None
    town: str | None = None
    postcode: str | None = None
    mediated_contact: str | None = None


class ChildView(_View):
    """A child's record as one viewer may see it."""

    child_id: str
    given_name: str
    family_name: str
    sex: str
    age: int | None = None
    shielded: bool = False
    mediated_contact: str | None = None
    other_given_names: str | None = None
    birth_date: date | None = None
    deceased_date: date | None = None
    address: AddressView | None = None
    nhs_number: str | None = None
    upn: str | None = None
    gp_practice: SettingView | None = None
    school: SettingView | None = None
    carers: list[CarerView] | None = None
    involvements: list[InvolvementView] | None = None
    la_code: str | None = None
    sources: dict[str, str] | None = None

    def shown_fields(self) -> list[str]:
        """Names of the fields this view shows beyond the public ones (for the audit trail)."""
        shown = self.model_dump(exclude_none=True)
        return sorted(k for k in shown if k not in PUBLIC_FIELDS and k != "mediated_contact")


class SearchResult(_View):
    """A page of search results; ``total`` counts only what this viewer may know exists."""

    results: list[ChildSummary]
    total: int


class ReviewItemView(_View):
    """A pair for an officer: which children (and, for a matching pair, which record), and
    why it scored as it did. ``kind`` is ``match`` (a doubtful match between the review and
    link thresholds; ``item_id`` is its number) or ``caution`` (the shield screen's: the
    child might be the shielded candidate; ``item_id`` is ``c`` and its number).

    Identifiers and the explanation only; the children's details are read through the door.
    """

    item_id: str
    kind: str = "match"
    source: str | None = None
    record_id: str | None = None
    record_child_id: str
    candidate_child_id: str
    probability: float
    weights: dict[str, float]
    status: str
    # The authority whose officers decide it (None: the national queue).
    authority: str | None = None
    # Whether this viewer may decide it (an officer of that authority).
    may_decide: bool = False


class ReviewList(_View):
    """One page of the open review items a viewer may know of (only those: the count and
    the pages tell no more). ``total`` counts every such item; ``pages`` is at least 1."""

    items: list[ReviewItemView]
    total: int
    page: int = 1
    per_page: int
    pages: int = 1


class ReviewDecisionResult(_View):
    """What an officer's review decision did."""

    item_id: str
    action: str
    status: str
    child_id: str


class UndoMergeResult(_View):
    """What undoing a merge did: ``child_id`` is active again, its records moved back from
    ``merged_into``."""

    child_id: str
    merged_into: str
    moved: int


class SplitResult(_View):
    """What splitting a child did: the records named moved to a new child."""

    child_id: str
    new_child_id: str
    moved: int
