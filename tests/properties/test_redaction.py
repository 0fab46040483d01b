"""The redaction policy: a shielded child shows name, sex and age, and nothing else."""

from __future__ import annotations

from datetime import date

from child_strategies import children, viewers
from hypothesis import given

from childindex.domain.child import Child
from childindex.policy.redact import may_see_hidden, summarise, view_child
from childindex.policy.viewer import Viewer
from childindex.policy.views import PUBLIC_FIELDS

TODAY = date(2026, 11, 25)


@given(children(shielded=True), viewers())
def test_uncleared_viewers_see_only_public_fields_of_a_shielded_child(
    child: Child, viewer: Viewer
) -> None:
    if viewer.cleared_for(child.la_code):
        return
    for view in (view_child(child, viewer, today=TODAY), summarise(child, viewer, today=TODAY)):
        shown = view.model_dump(exclude_none=True)
        assert set(shown) <= PUBLIC_FIELDS | {"mediated_contact"}
        assert shown["shielded"] is True
        assert "SENTINEL" not in view.model_dump_json()


@given(children(), viewers())
def test_no_sentinel_of_a_shielded_child_reaches_an_uncleared_viewer(
    child: Child, viewer: Viewer
) -> None:
    text = view_child(child, viewer, today=TODAY).model_dump_json()
    if child.shielded and not viewer.cleared_for(child.la_code):
        assert "SENTINEL" not in text
    else:
        # A visible child does show its address: the sentinels are really reachable.
        assert child.address is not None
        assert child.address.postcode in text


@given(children(), viewers())
def test_a_sensitive_involvement_is_shown_only_with_consent(child: Child, viewer: Viewer) -> None:
    view = view_child(child, viewer, today=TODAY)
    text = view.model_dump_json()
    for involvement in child.involvements:
        if involvement.sensitive and not involvement.consent_to_share:
            assert involvement.service_type not in text
            assert involvement.phone is None or involvement.phone not in text
        elif may_see_hidden(child, viewer):
            # With consent (or not sensitive) it is really there: the test above can fail.
            assert involvement.service_type in text


@given(children(shielded=False), viewers())
def test_source_identifiers_only_for_the_issuing_kind_of_body(child: Child, viewer: Viewer) -> None:
    view = view_child(child, viewer, today=TODAY)
    assert (view.nhs_number is not None) == (viewer.org_kind.value == "health")
    if viewer.org_kind.value not in {"education", "la"}:
        assert view.upn is None


@given(children(), viewers())
def test_shown_fields_name_exactly_what_the_view_carries(child: Child, viewer: Viewer) -> None:
    view = view_child(child, viewer, today=TODAY)
    dumped = view.model_dump(exclude_none=True)
    assert set(view.shown_fields()) == set(dumped) - PUBLIC_FIELDS - {"mediated_contact"}
