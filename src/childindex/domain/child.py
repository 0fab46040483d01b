"""The index's record of one real child, as the core sees it (never a storage row)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from childindex.domain.ids import ChildId


class Sex(StrEnum):
    """Sex as the sources record it."""

    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "U"


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address; ``postcode`` is normalised."""

    line1: str
    line2: str | None
    town: str | None
    postcode: str | None


@dataclass(frozen=True, slots=True)
class Carer:
    """A parent or carer of the child."""

    given_name: str
    family_name: str
    relationship: str | None
    parental_responsibility: bool | None
    phone: str | None
    email: str | None


@dataclass(frozen=True, slots=True)
class Involvement:
    """A service working with the child."""

    service_type: str
    organisation: str | None
    practitioner_name: str | None
    phone: str | None
    email: str | None
    lead_professional: bool
    assessment_in_place: bool
    sensitive: bool
    start_date: date | None
    end_date: date | None
    # A sensitive service (sexual health, mental health, substance misuse) is shown only
    # once the source records consent to share it (design.md).
    consent_to_share: bool = False


@dataclass(frozen=True, slots=True)
class Setting:
    """A school, GP practice or other organisation, with its code and the source it came from."""

    code: str | None
    name: str | None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Which source record a field's value was chosen from."""

    source: str
    record_id: str


@dataclass(frozen=True, slots=True)
class Child:
    """Everything the index holds about one child.

    Only ``policy/redact.py`` turns this into something a viewer sees.
    ``field_sources`` maps a field name to the source record its value came from.
    """

    child_id: ChildId
    given_name: str
    family_name: str
    sex: Sex
    birth_date: date | None
    other_given_names: str | None = None
    address: Address | None = None
    nhs_number: str | None = None
    upn: str | None = None
    gp_practice: Setting | None = None
    school: Setting | None = None
    carers: tuple[Carer, ...] = ()
    involvements: tuple[Involvement, ...] = ()
    la_code: str | None = None
    shielded: bool = False
    deceased_date: date | None = None
    field_sources: dict[str, SourceRef] = field(default_factory=dict)

    def age_on(self, today: date) -> int | None:
        """Age in whole years on ``today``."""
        if self.birth_date is None:
            return None
        born = self.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
