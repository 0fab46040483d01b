"""The review queue's SQL pre-filter as a property (ADR 0007), on a real database: for
random children (authorities, shields of every origin, a shielded flag with no shield row),
items of both kinds queued for an authority, none or a blank one (some already decided),
and random viewers, the narrowed listing (``routes_for`` in SQL, then the rule) is exactly
the rule applied to every open item: the same items in the same order with the same
authority and decision right, the same total, and the same pages. So the pre-filter never
shows more and never shows less than ``policy/review_scope.py`` allows."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from childindex.domain.ids import ChildId
from childindex.domain.permissions import Role, permissions_for
from childindex.domain.review import ReviewStatus
from childindex.domain.shield import Caution
from childindex.domain.shield_records import CautionStatus, ShieldOrigin
from childindex.domain.source_record import Source, SourceRecord
from childindex.domain.survivorship import project
from childindex.policy.viewer import Viewer
from childindex.services.review import MAX_PER_PAGE, list_review
from childindex.storage.models import Base
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
LAS = ("901", "902")
SHIELDS = (None, "officer", "source", "caution", "bare")  # bare: shielded, no shield row
_records = itertools.count(1)


def delete_all_rows(engine: Engine) -> None:
    """Empty every table, children before parents (each example starts from nothing)."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@dataclass(frozen=True)
class Kid:
    la_code: str | None
    shield: str | None


@dataclass(frozen=True)
class Item:
    kind: str  # "match" or "caution"
    first: int  # the record's child / the cautioned child
    second: int  # the candidate / the shielded child
    queued_for: str | None
    decided: bool


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[Kid], list[Item]]:
    children = draw(
        st.lists(
            # Half the children unshielded: items routed by a visible side's authority.
            st.builds(Kid, st.sampled_from((None, *LAS)), st.none() | st.sampled_from(SHIELDS)),
            min_size=2,
            max_size=6,
        )
    )
    pairs = [(a, b) for a in range(len(children)) for b in range(len(children)) if a != b]
    items = draw(
        st.lists(
            st.builds(
                lambda kind, pair, queued_for, decided: Item(kind, *pair, queued_for, decided),
                st.sampled_from(("match", "caution")),
                st.sampled_from(pairs),
                st.sampled_from((None, "", *LAS)),
                st.booleans(),
            ),
            max_size=10,
        )
    )
    return children, items


def _viewer(role: Role, la_code: str | None, cleared: frozenset[str]) -> Viewer:
    return Viewer(
        user_id=1,
        username="viewer",
        role=role,
        la_code=la_code,
        permissions=permissions_for(role),
        shield_clearance_las=cleared,
    )


CLEARANCES = (frozenset(), *(frozenset({la}) for la in LAS), frozenset(LAS))
# Every kind of viewer the rule tells apart, looked at in every world.
PANEL = [
    _viewer(role, la_code, cleared)
    for role in (Role.LA_OFFICER, Role.ADMIN, Role.PRACTITIONER)
    for la_code in (None, *LAS)
    for cleared in CLEARANCES
]


def _build(
    uow_factory: SqlUnitOfWorkFactory, ids: list[ChildId], children: list[Kid], items: list[Item]
) -> None:
    with uow_factory() as uow:
        load_id = uow.feeds.start_load(source=Source.LA, filename="n", content_sha256="0" * 64)
        records: list[str] = []
        for line, child_id in enumerate(ids, start=1):
            payload = {"given_name": "Ada", "family_name": "Test", "birth_date": "2015-01-02"}
            record = SourceRecord(Source.LA, f"N{next(_records)}", payload, None)
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
                number = uow.reviews.add(
                    source=Source.LA,
                    record_id=records[item.first],
                    record_child_id=ids[item.first],
                    candidate_child_id=ids[item.second],
                    probability=0.5,
                    weights={"forename": 1.5},
                    la_code=item.queued_for,
                    now=NOW,
                )
                if item.decided:
                    uow.reviews.close(
                        item_id=number, status=ReviewStatus.LINKED, actor="test", now=NOW
                    )
        for item in items:
            if item.kind == "caution":
                caution = Caution(ids[item.second].value, item.queued_for, 0.4)
                uow.shields.queue_caution(child_id=ids[item.first].value, caution=caution, at=NOW)
                if item.decided:
                    uow.shields.close_items(
                        child_id=ids[item.first].value,
                        status=CautionStatus.CLEARED,
                        decided_by="test",
                        at=NOW,
                    )
        # Authorities and shields come after the items: the rule reads them at list time.
        for child_id, kid in zip(ids, children, strict=True):
            child = uow.children.get(child_id)
            assert child is not None
            uow.children.save(replace(child, la_code=kid.la_code, shielded=kid.shield is not None))
            if kid.shield not in {None, "bare"}:
                uow.shields.add_shield(
                    child_id=child_id.value,
                    origin=ShieldOrigin(str(kid.shield)),
                    reason="test",
                    set_by="test",
                    review_date=None,
                )
        uow.commit()


def _listing(
    uow_factory: SqlUnitOfWorkFactory, viewer: Viewer, *, narrow: bool, page: int, per_page: int
) -> tuple[int, int, list[tuple[object, ...]]]:
    listed = list_review(
        uow=uow_factory(), viewer=viewer, now=NOW, page=page, per_page=per_page, narrow=narrow
    )
    rows = [
        (v.item_id, v.kind, v.authority, v.may_decide, tuple(sorted(v.weights.items())))
        for v in listed.items
    ]
    return listed.total, listed.pages, rows


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)
@given(world=worlds(), pager=st.sampled_from(PANEL), per_page=st.integers(1, 4))
def test_the_narrowed_queue_is_the_rule_applied_to_every_open_item(
    uow_factory: SqlUnitOfWorkFactory,
    engine: Engine,
    world: tuple[list[Kid], list[Item]],
    pager: Viewer,
    per_page: int,
) -> None:
    children, items = world
    ids = [ChildId.new() for _ in children]
    delete_all_rows(engine)
    _build(uow_factory, ids, children, items)
    for viewer in PANEL:
        everything = _listing(uow_factory, viewer, narrow=False, page=1, per_page=MAX_PER_PAGE)
        narrowed = _listing(uow_factory, viewer, narrow=True, page=1, per_page=MAX_PER_PAGE)
        assert narrowed == everything, viewer
    # Paged: each page is the rule's list cut in order; totals say no more and no less.
    total, _, rule_rows = _listing(uow_factory, pager, narrow=False, page=1, per_page=50)
    pages = -(-total // per_page) or 1
    paged: list[tuple[object, ...]] = []
    for page in range(1, pages + 2):  # one past the end: empty, same total
        got_total, got_pages, rows = _listing(
            uow_factory, pager, narrow=True, page=page, per_page=per_page
        )
        assert (got_total, got_pages) == (total, pages)
        assert len(rows) <= per_page
        paged += rows
    assert paged == rule_rows
