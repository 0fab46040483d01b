"""What a feed file drawn for the load tests holds (look-alikes of shielded children, a
source's shield flag on some records and not others, later and stale versions, bad lines),
and the invariants every way of loading it must leave."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import Engine

from app_fixtures import FIXED_NOW, make_health_record
from childindex.domain.errors import Conflict
from childindex.domain.ids import ChildId
from childindex.matching.engine import ModelMatchEngine
from childindex.services import shielding
from feed_state import delete_all_rows, load_lines, valid_nhs
from first_load_helpers import current_links, factory_for, screened_again
from shield_fixtures import ADMIN

NHS = valid_nhs(4)
# Identities a letter or a sound apart, so that the clusters and the screen both have work.
NAMES = [
    ("Amara", "Okafor"),
    ("Amara", "Okafur"),
    ("Amarah", "Okafor"),
    ("Amara", "Okafor-Reid"),
    ("Bram", "Zimmer"),
]


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


class FeedLoads(RuleBasedStateMachine):
    """Feed loads of drawn files onto an index emptied for each example, and officers'
    lifts of shields, with the end state's invariants after every step; machines that also
    load at once add their rules."""

    engine: Engine
    model: dict[str, Any]

    def __init__(self) -> None:
        super().__init__()
        delete_all_rows(self.engine)
        self.records: list[dict[str, Any] | str] = []
        self.released: dict[str, int] = {}

    @rule(records=files)
    def feed(self, records: list[dict[str, Any] | str]) -> None:
        load_lines(
            factory_for(self.engine, self.model),
            lines_of(records),
            batch_size=5,
            engine=ModelMatchEngine(self.model),
        )
        self.records += records

    @rule(pick=st.integers(0, 8))
    def officer_lifts(self, pick: int) -> None:
        """An officer lifts the shield of a shielded child no source flags: they have judged
        it is none of the shielded children it was queued against, and every open item of
        it is cleared (``shielding.lift_shield``). Loads and screens after it must keep to
        that judgement, and to nothing more."""
        # Each shielded child named by its first record (child ids are random).
        links = current_links(self.engine)
        first: dict[str, str] = {}
        for (_, record_id), (child_id, is_shielded) in links.items():
            if is_shielded:
                first[child_id] = min(first.get(child_id, record_id), record_id)
        shielded = sorted(first, key=first.__getitem__)
        if not shielded:
            return
        child_id = shielded[pick % len(shielded)]
        try:
            shielding.lift_shield(
                uow=factory_for(self.engine, self.model)(),
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

    @invariant()
    def holds(self) -> None:
        if self.records:
            check_loaded(self.engine, self.model, self.records, self.released)

    @classmethod
    def run(cls, engine: Engine, model: dict[str, Any], *, examples: int) -> None:
        """Run the machine on ``engine`` with ``model``, four steps an example."""
        cls.engine, cls.model = engine, model
        case = cls.TestCase()
        case.settings = settings(
            max_examples=examples,
            stateful_step_count=4,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        case.runTest()
