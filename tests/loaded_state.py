"""What a feed file drawn for the load tests holds (look-alikes of shielded children, a
source's shield flag on some records and not others, later and stale versions, bad lines),
and the invariants every way of loading it must leave."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import Engine, text

from app_fixtures import FIXED_NOW, make_health_record
from childindex.domain.errors import Conflict, NotFound, PermissionDenied
from childindex.domain.ids import ChildId
from childindex.domain.review import ReviewAction
from childindex.domain.source_record import Source
from childindex.matching.engine import ModelMatchEngine
from childindex.services import areas, rescore, review, shielding
from childindex.services.review import MAX_PER_PAGE
from feed_state import delete_all_rows, load_lines, valid_nhs
from first_load_helpers import Links, current_links, factory_for, screened_again
from matching_model import hand_model
from shield_fixtures import ADMIN, officer, pairs

NHS = valid_nhs(4)
# Identities a letter or a sound apart, so that the clusters and the screen both have work.
NAMES = [
    ("Amara", "Okafor"),
    ("Amara", "Okafur"),
    ("Amarah", "Okafor"),
    ("Amara", "Okafor-Reid"),
    ("Bram", "Zimmer"),
]
# Postcode districts and the authorities whose officers decide their children's items.
AREAS = {"ZZ1": "901", "ZZ2": "902"}
# What the officers' rules need there to be (as the tail of a query).
OPEN_ITEMS = (
    "FROM (SELECT id FROM review_items WHERE status = 'open' "
    "UNION ALL SELECT id FROM caution_items WHERE status = 'open') AS open_items"
)
MERGED = "FROM children WHERE status = 'merged'"


@st.composite
def health_record(draw: st.DrawFn) -> dict[str, Any]:
    given_name, family_name = draw(st.sampled_from(NAMES))
    record_id = draw(st.integers(1, 9))
    record = make_health_record(
        record_id=f"H{record_id}",
        given_name=given_name,
        family_name=family_name,
        birth_date=draw(st.sampled_from(["2015-03-14", "2015-04-03", "2014-03-14"])),
        postcode=draw(st.sampled_from(["ZZ1 1AA", "ZZ2 2BB"])),
        address_line1=draw(st.sampled_from(["12 Testing Row", "4 Other Way"])),
        sensitive=draw(st.integers(0, 3)) == 0,
        updated_at=f"2026-0{draw(st.integers(1, 3))}-01T00:00:00Z",
    )
    # Each record id keeps one NHS number (a health record needs one); ids share them.
    record["nhs_number"] = NHS[record_id % len(NHS)]
    return record


def lines_of(records: list[dict[str, Any] | str]) -> list[str]:
    return [r if isinstance(r, str) else json.dumps(r) for r in records]


files = st.lists(st.one_of(health_record(), st.just("{not json")), min_size=1, max_size=14)


def ever_shielded(
    records: list[dict[str, Any] | str], released: Mapping[str, int] | None = None
) -> set[str]:
    """Record ids whose current version, at some point of loading ``records`` in order,
    asked for a shield: a later version never lifts it, and one older than the version held
    is kept as history only (contract.md). Only an officer does: ``released`` holds the ids
    of the records on each child an officer lifted the shield of, each with the number of
    ``records`` loaded by then, whose versions before it no longer count."""
    released = released or {}
    current: dict[str, str] = {}
    flagged: set[str] = set()
    for position, r in enumerate(records):
        if isinstance(r, str):
            continue
        held = current.get(r["record_id"])
        if held is None or r["updated_at"] >= held:
            current[r["record_id"]] = r["updated_at"]
            if r["sensitive"] and position >= released.get(r["record_id"], 0):
                flagged.add(r["record_id"])
    return flagged


def check_loaded(
    engine: Engine,
    model: dict[str, Any],
    records: list[dict[str, Any] | str],
    released: Mapping[str, int] | None = None,
) -> None:
    """The end state's invariants, for ``records`` loaded so far (in any way), and the
    records an officer ``released`` (``ever_shielded``)."""
    links = current_links(engine)
    sent = {("health", r["record_id"]) for r in records if isinstance(r, dict)}
    assert set(links) == sent
    flagged = {("health", record_id) for record_id in ever_shielded(records, released)}
    assert all(links[k][1] for k in flagged), "a record a source shielded is on a visible child"
    assert screened_again(factory_for(engine, model), engine) == []
    assert undecidable_items(engine) == [], "an open item an officer cannot decide"


def undecidable_items(engine: Engine) -> list[Any]:
    """Open items (of either kind) whose two children are one, or one not active: a merge
    answers or moves them (``merging._retire``), so an officer never meets one."""
    with engine.connect() as connection:
        return list(
            connection.execute(
                text(
                    "SELECT i.kind, i.a, i.b FROM ("
                    "SELECT 'match' AS kind, record_child_id AS a, candidate_child_id AS b "
                    "FROM review_items WHERE status = 'open' UNION ALL "
                    "SELECT 'caution', child_id, shielded_child_id FROM caution_items "
                    "WHERE status = 'open') AS i "
                    "WHERE i.a = i.b OR EXISTS (SELECT 1 FROM children c "
                    "WHERE c.child_id IN (i.a, i.b) AND c.status <> 'active')"
                )
            )
        )


class FeedLoads(RuleBasedStateMachine):
    """Feed loads of drawn files onto an index emptied for each example, and officers'
    actions (lifts of shields, review decisions, splits, undone merges) and rescores, with
    the end state's invariants after every step; machines that also load at once add
    their rules."""

    engine: Engine
    model: dict[str, Any]

    def __init__(self) -> None:
        super().__init__()
        delete_all_rows(self.engine)
        areas.load_areas(uow=self._uow(), areas=AREAS, actor="model", now=FIXED_NOW)
        self.records: list[dict[str, Any] | str] = []
        self.released: dict[str, int] = {}
        # Records seen on a shielded child since an officer last lifted a shield of theirs.
        self.covered: set[str] = set()
        # Pairs of records an officer set apart (a split, an undone merge, not a match) and
        # has not joined since.
        self.apart: set[frozenset[str]] = set()

    def _set_apart(self, ones: Iterable[str], others: Iterable[str]) -> None:
        self.apart |= pairs(ones, others)

    def _joined(self, ones: Iterable[str], others: Iterable[str]) -> None:
        self.apart -= pairs(ones, others)

    def _uow(self) -> Any:
        return factory_for(self.engine, self.model)()

    def _count(self, rows: str) -> int:
        with self.engine.connect() as connection:
            return int(connection.scalar(text(f"SELECT COUNT(*) {rows}")) or 0)

    @rule(records=files)
    def feed(self, records: list[dict[str, Any] | str]) -> None:
        load_lines(
            factory_for(self.engine, self.model),
            lines_of(records),
            batch_size=5,
            engine=ModelMatchEngine(self.model),
        )
        self.records += records

    @rule(pick=st.integers(0, 8), then_rescore=st.booleans())
    def officer_lifts(self, pick: int, then_rescore: bool) -> None:
        """An officer lifts the shield of a shielded child no source flags: they have judged
        it is none of the shielded children it was queued against, and every open item of
        it is cleared (``shielding.lift_shield``). Loads and screens after it must keep to
        that judgement, and to nothing more."""
        links = current_links(self.engine)
        shielded = _named(links, shielded=True)
        if not shielded:
            return
        child_id = shielded[pick % len(shielded)]
        with self.engine.connect() as connection:
            queued_against = connection.scalars(
                text(
                    "SELECT shielded_child_id FROM caution_items "
                    "WHERE child_id = :child AND status = 'open'"
                ),
                {"child": child_id},
            ).all()
        try:
            shielding.lift_shield(
                uow=self._uow(),
                viewer=ADMIN,
                child_id=ChildId(child_id),
                reason="model: not the shielded child",
                now=FIXED_NOW,
            )
        except Conflict:
            return  # a source still flags it: refused, nothing changed
        # The officer released the records on it (a lift moves none) from their sources'
        # earlier flags.
        for (_, record_id), (on, _) in links.items():
            if on == child_id:
                self.released[record_id] = len(self.records)
                self.covered.discard(record_id)
        # The officer judged it is none of the shielded children it was queued against.
        for other in queued_against:
            self._set_apart(_records_of(links, child_id), _records_of(links, other))
        self._rescore_after(then_rescore)

    @precondition(lambda self: self._count(OPEN_ITEMS) > 0)
    @rule(pick=st.integers(0, 8), action=st.sampled_from(ReviewAction), then_rescore=st.booleans())
    def officer_decides(self, pick: int, action: ReviewAction, then_rescore: bool) -> None:
        """An officer of the responsible authority decides an open item of either kind:
        link, not a match, or merge (``review.decide_review``)."""
        first = _first_records(current_links(self.engine))
        items = []
        for la_code in sorted(set(AREAS.values())):
            listed = review.list_review(
                uow=self._uow(), viewer=officer(la_code), now=FIXED_NOW, per_page=MAX_PER_PAGE
            )
            items += [(la_code, item) for item in listed.items if item.may_decide]
        if not items:
            return
        # Each item named by its kind, its record and its children's first records.
        items.sort(
            key=lambda found: (
                found[1].kind,
                found[1].record_id or "",
                first.get(ChildId.parse(found[1].record_child_id).value, ""),
                first.get(ChildId.parse(found[1].candidate_child_id).value, ""),
            )
        )
        la_code, item = items[pick % len(items)]
        links = current_links(self.engine)
        sides = [
            _records_of(links, ChildId.parse(c).value)
            for c in (item.record_child_id, item.candidate_child_id)
        ]
        try:
            review.decide_review(
                uow=self._uow(),
                viewer=officer(la_code),
                item_id=item.item_id,
                action=action,
                now=FIXED_NOW,
            )
        except Conflict:
            return  # a side was merged away since the item was queued: refused, nothing changed
        if action is not ReviewAction.NOT_A_MATCH:
            self._joined(*sides)
        elif item.kind == "match" and item.record_id is not None:
            self._set_apart([item.record_id], sides[1])  # the record is not that child
        else:
            self._set_apart(*sides)  # the child is not that shielded child
        self._rescore_after(then_rescore)

    @rule(pick=st.integers(0, 8), moved=st.integers(0, 8), then_rescore=st.booleans())
    def officer_splits(self, pick: int, moved: int, then_rescore: bool) -> None:
        """An officer splits one record off a child of their authority (``review.split``)."""
        links = current_links(self.engine)
        held: dict[str, list[str]] = {}
        for (_, record_id), (child_id, _) in links.items():
            held.setdefault(child_id, []).append(record_id)
        splittable = [c for c in _named(links) if len(held[c]) > 1]
        if not splittable:
            return
        child_id = splittable[pick % len(splittable)]
        with self._uow() as uow:
            child = uow.children.get(ChildId(child_id))
        if child is None or child.la_code is None:
            return  # no authority's officer may split it
        record_id = sorted(held[child_id])[moved % len(held[child_id])]
        self._set_apart([record_id], set(held[child_id]) - {record_id})
        review.split(
            uow=self._uow(),
            viewer=officer(child.la_code),
            child_id=ChildId(child_id),
            records=[(Source.HEALTH, record_id)],
            now=FIXED_NOW,
        )
        self._rescore_after(then_rescore)

    @precondition(lambda self: self._count(MERGED) > 0)
    @rule(pick=st.integers(0, 8), then_rescore=st.booleans())
    def officer_undoes_a_merge(self, pick: int, then_rescore: bool) -> None:
        """An officer undoes a merge, an officer's or a load's (``review.undo_merge_child``),
        whose records have not moved on since."""
        with self.engine.connect() as connection:
            merges = connection.execute(text(f"SELECT child_id, merged_into {MERGED}")).all()
        with self._uow() as uow:
            merged = {
                child_id: min(record_id for _, record_id in moved)
                for child_id, into in merges
                if (
                    moved := uow.records.moved_by_merge(
                        merged=ChildId(child_id), into=ChildId(into)
                    )
                )
            }
        if not merged:
            return
        child_id = sorted(merged, key=merged.__getitem__)[pick % len(merged)]
        into = str(dict(merges)[child_id])
        with self._uow() as uow:
            moved = uow.records.moved_by_merge(merged=ChildId(child_id), into=ChildId(into))
        back = {record_id for _, record_id in moved}
        for la_code in sorted(set(AREAS.values())):
            try:
                review.undo_merge_child(
                    uow=self._uow(),
                    viewer=officer(la_code),
                    child_id=ChildId(child_id),
                    now=FIXED_NOW,
                )
            except (PermissionDenied, NotFound):
                continue  # another authority's officer decides it
            self._set_apart(back, _records_of(current_links(self.engine), into))
            self._rescore_after(then_rescore)
            return

    def _rescore_after(self, then_rescore: bool) -> None:
        """A rescore with a model that links more, straight after an officer's action: a
        run of steps rarely draws the two together (stop 41), and the rescore is what
        could undo the action (issue 5, item 8)."""
        if then_rescore:
            self.rescore(changed=True)

    @rule(changed=st.booleans())
    def rescore(self, changed: bool) -> None:
        """Matching run again over every record held (``matching rescore``), with the
        loads' model or, as after a change of model, a hand-made one of names and dates
        that links more."""
        rescore.rescore(
            uow_factory=factory_for(self.engine, self.model),
            engine=ModelMatchEngine(hand_model() if changed else self.model),
            actor="model-rescore",
        )

    @invariant()
    def holds(self) -> None:
        if self.records:
            check_loaded(self.engine, self.model, self.records, self.released)

    @invariant()
    def shields_only_spread(self) -> None:
        """A record once on a shielded child stays on one, whatever moves it (a later
        version, a bulk load, a merge, a split, an undone merge) until an officer lifts
        the shield of the child it is on (invariant 2: ``merging``'s "shields only
        spread")."""
        links = current_links(self.engine)
        uncovered = sorted(r for (_, r), (_, shielded) in links.items() if not shielded)
        assert not self.covered.intersection(uncovered), "a shielded record is on a visible child"
        self.covered |= {r for (_, r), (_, shielded) in links.items() if shielded}

    @invariant()
    def officers_decisions_stand(self) -> None:
        """No two records an officer set apart are on one child, whatever ran since (a
        load, a rescore), until an officer joins them (issue 5, items 7 and 8)."""
        child_of = {r: c for (_, r), (c, _) in current_links(self.engine).items()}
        together = [sorted(p) for p in self.apart if len({child_of.get(r) for r in p}) == 1]
        assert not together, f"records an officer set apart are on one child again: {together}"

    @classmethod
    def run(cls, engine: Engine, model: dict[str, Any], *, examples: int) -> None:
        """Run the machine on ``engine`` with ``model``, six steps an example."""
        cls.engine, cls.model = engine, model
        case = cls.TestCase()
        case.settings = settings(
            max_examples=examples,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        case.runTest()


def _first_records(links: Links) -> dict[str, str]:
    """Each child's first record (child ids are random: draws name children by this)."""
    first: dict[str, str] = {}
    for (_, record_id), (child_id, _) in links.items():
        first[child_id] = min(first.get(child_id, record_id), record_id)
    return first


def _named(links: Links, *, shielded: bool | None = None) -> list[str]:
    """The active children holding records (only the shielded or the visible ones if
    ``shielded`` says), in the order of their first records."""
    first = _first_records(links)
    kept = {c for c, s in links.values() if shielded is None or s == shielded}
    return sorted(kept, key=first.__getitem__)


def _records_of(links: Links, child_id: str) -> set[str]:
    return {r for (_, r), (c, _) in links.items() if c == child_id}
