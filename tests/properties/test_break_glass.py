"""Break-glass in the redaction policy: one child, one session, only with the grant."""

from __future__ import annotations

import dataclasses
from datetime import date

from child_strategies import children, viewers
from hypothesis import given
from hypothesis import strategies as st

from childindex.domain.child import Child
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Permission
from childindex.policy.redact import may_see_hidden, view_child
from childindex.policy.viewer import Viewer

TODAY = date(2026, 11, 25)


def granted(viewer: Viewer) -> Viewer:
    return dataclasses.replace(
        viewer, permissions=viewer.permissions | {Permission.CHILD_BREAK_GLASS}
    )


@given(children(shielded=True), viewers())
def test_break_glass_opens_the_child_it_names(child: Child, viewer: Viewer) -> None:
    opened = granted(viewer).with_break_glass(frozenset({str(child.child_id)}))
    assert may_see_hidden(child, opened)
    assert child.address is not None
    assert child.address.postcode in view_child(child, opened, today=TODAY).model_dump_json()


@given(children(shielded=True), viewers(), st.lists(st.builds(ChildId.new), max_size=3))
def test_break_glass_for_other_children_opens_nothing_here(
    child: Child, viewer: Viewer, others: list[ChildId]
) -> None:
    opened = granted(viewer).with_break_glass(frozenset(str(o) for o in others))
    assert may_see_hidden(child, opened) == may_see_hidden(child, viewer)
    if not viewer.cleared_for(child.la_code):
        assert "SENTINEL" not in view_child(child, opened, today=TODAY).model_dump_json()


@given(children(shielded=True), viewers())
def test_break_glass_is_ignored_without_the_grant(child: Child, viewer: Viewer) -> None:
    plain = dataclasses.replace(
        viewer, permissions=viewer.permissions - {Permission.CHILD_BREAK_GLASS}
    )
    opened = plain.with_break_glass(frozenset({str(child.child_id)}))
    assert opened.break_glass_children == frozenset()
    assert may_see_hidden(child, opened) == plain.cleared_for(child.la_code)
