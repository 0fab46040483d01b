"""Turn a ``policy.views`` view into what a page shows: labelled rows, in display order.

Built only from the view, so a field the viewer may not see (absent from the view) has no
row at all: the pages cannot show what redaction did not hand over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from childindex.policy.views import (
    AddressView,
    CarerView,
    ChildSummary,
    ChildView,
    InvolvementView,
    SettingView,
)

SOURCE_NAMES = {
    "health": "Health",
    "school": "School census",
    "benefit": "Child benefit",
    "la": "Local authority",
}
SEX_NAMES = {"F": "Female", "M": "Male", "U": "Not known"}


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a summary list; ``lines`` are shown one under another."""

    key: str
    lines: tuple[str, ...]
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Card:
    """A titled group of rows (a GOV.UK summary card)."""

    title: str
    rows: tuple[Row, ...]
    source: str | None = None


@dataclass(frozen=True, slots=True)
class PresentedChild:
    """A child's page."""

    child_id: str
    name: str
    shielded: bool
    restricted: bool
    details: tuple[Row, ...]
    settings: tuple[Card, ...] = ()
    carers: tuple[Card, ...] = ()
    involvements: tuple[Card, ...] = ()
    sources_shown: bool = False


def long_date(value: date) -> str:
    """GOV.UK style: 14 March 2015."""
    return f"{value.day} {value:%B %Y}"


def when_text(value: datetime) -> str:
    """GOV.UK style date and time, said to be UTC (the service keeps no time-zone data):
    14 March 2015 at 2:05am UTC."""
    utc = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    hour = utc.hour % 12 or 12
    return f"{long_date(utc.date())} at {hour}:{utc:%M}{'am' if utc.hour < 12 else 'pm'} UTC"


def request_reference(request_id: int) -> str:
    """A mediated-contact request's reference, as the sender and the team quote it."""
    return f"MC-{request_id:06d}"


def age_text(age: int | None) -> str:
    """An age in years, as a sentence fragment."""
    if age is None:
        return "Not known"
    if age == 0:
        return "Under 1"
    return f"{age}"


def sex_text(sex: str) -> str:
    """The sources' one-letter sex code, in words."""
    return SEX_NAMES.get(sex, sex)


def full_name(view: ChildView | ChildSummary) -> str:
    """Given name then family name."""
    return f"{view.given_name} {view.family_name}".strip()


def source_text(ref: str | None) -> str | None:
    """``health:H1`` as ``Health (record H1)``."""
    if not ref:
        return None
    source, _, record_id = ref.partition(":")
    name = SOURCE_NAMES.get(source, source)
    return f"{name} (record {record_id})" if record_id else name


def yes_no(value: bool | None) -> str:
    """Yes, No or Not known."""
    if value is None:
        return "Not known"
    return "Yes" if value else "No"


def _lines(*values: str | None) -> tuple[str, ...]:
    return tuple(v for v in values if v)


def _address(address: AddressView) -> tuple[str, ...]:
    return _lines(address.line1, address.line2, address.town, address.postcode)


def _setting_card(title: str, setting: SettingView, code_label: str, source: str | None) -> Card:
    rows = [
        Row("Name", _lines(setting.name)),
        Row(code_label, _lines(setting.code)),
        Row("Phone", _lines(setting.phone)),
    ]
    return Card(title, tuple(r for r in rows if r.lines), source)


def _carer_card(carer: CarerView, source: str | None) -> Card:
    rows = [
        Row("Relationship", _lines(carer.relationship)),
        Row("Parental responsibility", (yes_no(carer.parental_responsibility),)),
        Row("Phone", _lines(carer.phone)),
        Row("Email", _lines(carer.email)),
    ]
    title = f"{carer.given_name} {carer.family_name}".strip()
    return Card(title, tuple(r for r in rows if r.lines), source)


def _involvement_card(inv: InvolvementView, source: str | None) -> Card:
    rows = [
        Row("Organisation", _lines(inv.organisation)),
        Row("Practitioner", _lines(inv.practitioner_name)),
        Row("Phone", _lines(inv.phone)),
        Row("Email", _lines(inv.email)),
        Row("Lead professional", (yes_no(inv.lead_professional),)),
        Row("Assessment in place", (yes_no(inv.assessment_in_place),)),
        Row("Started", _lines(long_date(inv.start_date) if inv.start_date else None)),
        Row("Ended", _lines(long_date(inv.end_date) if inv.end_date else None)),
    ]
    return Card(inv.service_type, tuple(r for r in rows if r.lines), source)


def present_child(view: ChildView) -> PresentedChild:
    """The rows and cards of a child's page, from exactly the fields ``view`` holds."""
    sources = view.sources or {}

    def src(name: str) -> str | None:
        return source_text(sources.get(name))

    rows = [
        Row("Name", (full_name(view),), src("name")),
        Row("Other given names", _lines(view.other_given_names), src("name")),
        Row("Sex", (sex_text(view.sex),), src("sex")),
        Row("Age", (age_text(view.age),)),
        Row(
            "Date of birth",
            _lines(long_date(view.birth_date) if view.birth_date else None),
            src("birth_date"),
        ),
        Row(
            "Date of death",
            _lines(long_date(view.deceased_date) if view.deceased_date else None),
            src("deceased_date"),
        ),
        Row("Address", _address(view.address) if view.address else (), src("address")),
        Row("NHS number", _lines(view.nhs_number), src("nhs_number")),
        Row("Unique pupil number", _lines(view.upn), src("upn")),
        Row("Local authority", _lines(view.la_code), src("la_code")),
    ]
    settings = []
    if view.gp_practice is not None:
        settings.append(
            _setting_card("GP practice", view.gp_practice, "Practice code", src("gp_practice"))
        )
    if view.school is not None:
        settings.append(_setting_card("School", view.school, "School URN", src("school")))
    return PresentedChild(
        child_id=view.child_id,
        name=full_name(view),
        shielded=view.shielded,
        restricted=view.mediated_contact is not None,
        details=tuple(r for r in rows if r.lines),
        settings=tuple(settings),
        carers=tuple(_carer_card(c, src("carers")) for c in view.carers or ()),
        involvements=tuple(
            _involvement_card(i, src("involvements")) for i in view.involvements or ()
        ),
        sources_shown=bool(sources),
    )
