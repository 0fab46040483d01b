"""The only code that decides what a viewer sees of a child.

Rules (``../shared/design.md``, invariants 1-3):

* A shielded child shows child ID, name, sex and age in years to anyone not cleared for
  the child's local authority; every other field is absent and a mediated-contact link is given.
* Source identifiers are shown only to users of the issuing kind of body: NHS number to
  health, UPN to education (and to the local authority responsible for the child).
* A sensitive involvement is shown only when its source records consent to share it
  (``consent_to_share``); until then it is absent, as if it did not exist.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from childindex.domain.child import Child, Involvement, Setting
from childindex.policy.viewer import OrgKind, Viewer
from childindex.policy.views import (
    AddressView,
    CarerView,
    ChildSummary,
    ChildView,
    InvolvementView,
    SettingView,
)


def may_see_hidden(child: Child, viewer: Viewer) -> bool:
    """True if ``viewer`` may see more than name, sex and age of ``child``.

    Break-glass (issue 7) opens one shielded child for one session; it never widens search
    criteria (``plan_search`` looks only at ``shield_clearance_las``).
    """
    return (
        not child.shielded
        or viewer.cleared_for(child.la_code)
        or str(child.child_id) in viewer.break_glass_children
    )


def mediated_contact_link(child: Child) -> str:
    """Where a practitioner asks the responsible team to pass a message on."""
    return f"/api/v1/children/{child.child_id}/contact-requests"


def _may_see_nhs_number(viewer: Viewer) -> bool:
    return viewer.org_kind is OrgKind.HEALTH


def _may_see_upn(child: Child, viewer: Viewer) -> bool:
    if viewer.org_kind is OrgKind.EDUCATION:
        return True
    return viewer.org_kind is OrgKind.LOCAL_AUTHORITY and viewer.cleared_for(child.la_code)


def _public(child: Child, today: date) -> dict[str, Any]:
    """What every viewer may see of any child: ID, name, sex, age, and whether shielded."""
    return {
        "child_id": str(child.child_id),
        "given_name": child.given_name,
        "family_name": child.family_name,
        "sex": child.sex.value,
        "age": child.age_on(today),
        "shielded": child.shielded,
    }


def summarise(child: Child, viewer: Viewer, *, today: date) -> ChildSummary:
    """The search-result line for ``child`` as ``viewer`` may see it."""
    public = _public(child, today)
    if not may_see_hidden(child, viewer):
        return ChildSummary(**public, mediated_contact=mediated_contact_link(child))
    address = child.address
    return ChildSummary(
        **public,
        birth_date=child.birth_date,
        town=address.town if address else None,
        postcode=address.postcode if address else None,
    )


def _setting(setting: Setting | None) -> SettingView | None:
    if setting is None:
        return None
    return SettingView(code=setting.code, name=setting.name, phone=setting.phone)


def _involvement(inv: Involvement) -> InvolvementView:
    return InvolvementView(
        service_type=inv.service_type,
        organisation=inv.organisation,
        practitioner_name=inv.practitioner_name,
        phone=inv.phone,
        email=inv.email,
        lead_professional=inv.lead_professional,
        assessment_in_place=inv.assessment_in_place,
        sensitive=inv.sensitive,
        start_date=inv.start_date,
        end_date=inv.end_date,
    )


def view_child(child: Child, viewer: Viewer, *, today: date) -> ChildView:
    """The full record of ``child`` as ``viewer`` may see it."""
    public = _public(child, today)
    if not may_see_hidden(child, viewer):
        return ChildView(**public, mediated_contact=mediated_contact_link(child))
    shown_nhs = _may_see_nhs_number(viewer)
    shown_upn = _may_see_upn(child, viewer)
    hidden_sources = {f for f, ok in (("nhs_number", shown_nhs), ("upn", shown_upn)) if not ok}
    address = child.address
    involvements = [
        _involvement(i) for i in child.involvements if not i.sensitive or i.consent_to_share
    ]
    return ChildView(
        **public,
        other_given_names=child.other_given_names,
        birth_date=child.birth_date,
        deceased_date=child.deceased_date,
        address=AddressView(
            line1=address.line1, line2=address.line2, town=address.town, postcode=address.postcode
        )
        if address
        else None,
        nhs_number=child.nhs_number if shown_nhs else None,
        upn=child.upn if shown_upn else None,
        gp_practice=_setting(child.gp_practice),
        school=_setting(child.school),
        carers=[
            CarerView(
                given_name=c.given_name,
                family_name=c.family_name,
                relationship=c.relationship,
                parental_responsibility=c.parental_responsibility,
                phone=c.phone,
                email=c.email,
            )
            for c in child.carers
        ]
        or None,
        involvements=involvements or None,
        la_code=child.la_code,
        sources={
            name: f"{ref.source}:{ref.record_id}"
            for name, ref in sorted(child.field_sources.items())
            if name not in hidden_sources
        }
        or None,
    )
