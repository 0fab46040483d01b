"""The review queue's shield rule as a property (issue 6 item 5, ADR 0007), on a real
database: for random children, items of both kinds, shields set after the items were
queued, and random viewers, a viewer's list is exactly the list they would get if the items
touching shielded children they are not cleared for had never existed — same items, same
explanations, same count. So the list tells them nothing about those children."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from childindex.domain.ids import ChildId
from childindex.domain.permissions import Role, permissions_for
from childindex.domain.shield import Caution
from childindex.domain.shield_records import ShieldOrigin
from childindex.domain.source_record import Source, SourceRecord
from childindex.domain.survivorship import project
from childindex.policy.viewer import Viewer
from childindex.services.review import list_review
from childindex.storage.models import Base
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LAS = ("901", "902")
_records = itertools.count(1)


def delete_all_rows(engine: Engine) -> None:
    """Empty every table, children before parents (each example starts from nothing)."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@dataclass(frozen=True)
class Kid:
    la_code: str | None
    shield: str | None  # None, "officer" or "caution": set after the items were queued


@dataclass(frozen=True)
class Item:
    kind: str  # "match" or "caution"
    first: int  # index of the record's child / the cautioned child
    second: int  # index of the candidate / the shielded child
    queued_for: str | None


kids = st.lists(
    st.builds(Kid, st.sampled_from((None, *LAS)), st.sampled_from((None, "officer", "caution"))),
    min_size=2,
    max_size=5,
)


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[Kid], list[Item]]:
    children = draw(kids)
    index = st.integers(0, len(children) - 1)
    items = draw(
        st.lists(
            st.builds(
                Item,
                st.sampled_from(("match", "caution")),
                index,
                index,
                st.sampled_from((None, *LAS)),
            ).filter(lambda i: i.first != i.second),
            max_size=6,
        )
    )
    return children, items


viewers = st.builds(
    lambda role, la, cleared: Viewer(
        user_id=1,
        username="viewer",
        role=role,
        la_code=la,
        permissions=permissions_for(role),
        shield_clearance_las=frozenset(cleared),
    ),
    st.sampled_from((Role.LA_OFFICER, Role.ADMIN)),
    st.sampled_from((None, *LAS)),
    st.sets(st.sampled_from(LAS)),
)


def _build(
    uow_factory: SqlUnitOfWorkFactory, ids: list[ChildId], children: list[Kid], items: list[Item]
) -> None:
    with uow_factory() as uow:
        load_id = uow.feeds.start_load(source=Source.LA, filename="p", content_sha256="0" * 64)
        records: list[str] = []
        for line, (child_id, kid) in enumerate(zip(ids, children, strict=True), start=1):
            payload = {"given_name": "Ada", "family_name": "Test", "birth_date": "2015-01-02"}
            if kid.la_code:
                payload["la_code"] = kid.la_code
            record = SourceRecord(Source.LA, f"R{next(_records)}", payload, None)
            raw_id = uow.feeds.store_raw(load_id=load_id, line_no=line, text=record.record_id)
            uow.records.put_version(record=record, raw_id=raw_id)
            uow.children.save(project(child_id, [record], shielded=False))
            uow.records.link(
                source=Source.LA,
                record_id=record.record_id,
                child_id=child_id,
                decided_by="new",
                actor="test",
            )
            records.append(record.record_id)
        for item in items:
            if item.kind == "match":
                uow.reviews.add(
                    source=Source.LA,
                    record_id=records[item.first],
                    record_child_id=ids[item.first],
                    candidate_child_id=ids[item.second],
                    probability=0.5,
                    weights={"forename": 1.5},
                    la_code=item.queued_for,
                    now=NOW,
                )
        for item in items:
            if item.kind == "caution":
                uow.shields.queue_caution(
                    child_id=ids[item.first].value,
                    caution=Caution(ids[item.second].value, item.queued_for, 0.4),
                    at=NOW,
                )
        # Shields come after the items: the rule is applied when the queue is read.
        for child_id, kid in zip(ids, children, strict=True):
            if kid.shield is None:
                continue
            child = uow.children.get(child_id)
            assert child is not None
            uow.children.save(
                project(child_id, uow.records.current_records(child_id), shielded=True)
            )
            uow.shields.add_shield(
                child_id=child_id.value,
                origin=ShieldOrigin(kid.shield),
                reason="test",
                set_by="test",
                review_date=None,
            )
        uow.commit()


def _hidden_from(viewer: Viewer, kid: Kid) -> bool:
    """A child whose shield this viewer is not cleared for (the screen's caution shields
    protect the child they point at, not themselves)."""
    if kid.shield != "officer":
        return False
    if kid.la_code is None:
        return viewer.role is not Role.ADMIN
    return kid.la_code not in viewer.shield_clearance_las


def _listed(uow_factory: SqlUnitOfWorkFactory, viewer: Viewer) -> list[tuple[object, ...]]:
    result = list_review(uow=uow_factory(), viewer=viewer, now=NOW)
    return sorted(
        (
            v.kind,
            v.record_child_id,
            v.candidate_child_id,
            v.probability,
            tuple(sorted(v.weights.items())),
            v.authority or "",  # sortable: None (the national queue) beside codes
        )
        for v in result.items
    )


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(world=worlds(), viewer=viewers)
def test_a_viewer_learns_nothing_from_items_of_shielded_children_they_are_not_cleared_for(
    uow_factory: SqlUnitOfWorkFactory,
    engine: Engine,
    world: tuple[list[Kid], list[Item]],
    viewer: Viewer,
) -> None:
    children, items = world
    ids = [ChildId.new() for _ in children]
    delete_all_rows(engine)
    _build(uow_factory, ids, children, items)
    seen = _listed(uow_factory, viewer)

    hidden = {i for i, kid in enumerate(children) if _hidden_from(viewer, kid)}
    delete_all_rows(engine)
    _build(
        uow_factory,
        ids,
        children,
        [i for i in items if not ({i.first, i.second} & hidden)],
    )
    assert seen == _listed(uow_factory, viewer)
    shown = {c for entry in seen for c in entry[1:3]}
    assert not shown & {str(ids[i]) for i in hidden}
