"""Hypothesis strategies for children and viewers, with sentinel values for hidden fields."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from childindex.domain.child import Address, Carer, Child, Involvement, Setting, Sex, SourceRef
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Role
from childindex.policy.viewer import OrgKind, Viewer

LAS = ("901", "902", "903")


@st.composite
def sentinels(draw: st.DrawFn, label: str) -> str:
    """A unique string that can only have come from this field."""
    return f"SENTINEL-{label}-{draw(st.integers(10_000, 99_999))}"


@st.composite
def children(draw: st.DrawFn, *, shielded: bool | None = None) -> Child:
    """A child whose every non-public value is a sentinel string."""
    s = lambda label: draw(sentinels(label))  # noqa: E731
    return Child(
        child_id=ChildId.new(),
        given_name=draw(st.sampled_from(["Amara", "Zoë", "Siân", "Oliver"])),
        family_name=draw(st.sampled_from(["Okafor", "O'Brien", "Smith-Jones"])),
        sex=draw(st.sampled_from(list(Sex))),
        birth_date=draw(st.dates(date(2008, 1, 1), date(2026, 11, 1))),
        other_given_names=s("other"),
        address=Address(line1=s("line1"), line2=s("line2"), town=s("town"), postcode=s("pc")),
        nhs_number=s("nhs"),
        upn=s("upn"),
        gp_practice=Setting(code=s("gpcode"), name=s("gpname")),
        school=Setting(code=s("urn"), name=s("school"), phone=s("schoolphone")),
        carers=(
            Carer(s("carergiven"), s("carerfamily"), "mother", True, s("carerphone"), s("email")),
        ),
        involvements=(
            Involvement(
                s("service"),
                s("org"),
                s("worker"),
                s("invphone"),
                None,
                True,
                False,
                draw(st.booleans()),
                None,
                None,
                consent_to_share=draw(st.booleans()),
            ),
        ),
        la_code=draw(st.sampled_from(LAS)),
        shielded=draw(st.booleans()) if shielded is None else shielded,
        field_sources={"address": SourceRef("health", s("recordid"))},
    )


@st.composite
def viewers(draw: st.DrawFn) -> Viewer:
    """Any viewer: any role, org kind and clearance."""
    role = draw(st.sampled_from(list(Role)))
    return Viewer(
        user_id=1,
        username="viewer",
        role=role,
        la_code=draw(st.sampled_from(LAS)),
        org_kind=draw(st.sampled_from(list(OrgKind))),
        shield_clearance_las=frozenset(draw(st.sets(st.sampled_from(LAS), max_size=2))),
    )
