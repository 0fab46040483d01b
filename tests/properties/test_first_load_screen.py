"""Whatever a first load's files hold (look-alikes of shielded children, a source's shield
flag on some records and not others, later versions, bad lines), it ends with every record on
one child, every record a source shielded on a shielded child, and no visible child the
shield screen would caution if it were written now (ADR 0026); and feed loads after it keep
that so."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import Engine

from app_fixtures import make_health_record
from childindex.domain.source_record import Source
from childindex.matching.engine import ModelMatchEngine
from feed_state import delete_all_rows, load_lines, valid_nhs
from first_load_helpers import (
    current_links,
    factory_for,
    run_first_load,
    screened_again,
    trained_country,
)

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


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return trained_country(tmp_path_factory.mktemp("first_load_model"), 800, 9)


def ever_shielded(records: list[dict[str, Any] | str]) -> set[str]:
    """Record ids whose current version, at some point of loading ``records`` in order,
    asked for a shield: a later version never lifts it, and one older than the version held
    is kept as history only (contract.md)."""
    current: dict[str, str] = {}
    flagged: set[str] = set()
    for r in records:
        if isinstance(r, str):
            continue
        held = current.get(r["record_id"])
        if held is None or r["updated_at"] >= held:
            current[r["record_id"]] = r["updated_at"]
            if r["sensitive"]:
                flagged.add(r["record_id"])
    return flagged


def _check(engine: Engine, model: dict[str, Any], records: list[dict[str, Any] | str]) -> None:
    """The end state's invariants, for ``records`` loaded so far (in any way)."""
    links = current_links(engine)
    sent = {("health", r["record_id"]) for r in records if isinstance(r, dict)}
    assert set(links) == sent
    flagged = {("health", record_id) for record_id in ever_shielded(records)}
    assert all(links[k][1] for k in flagged), "a record a source shielded is on a visible child"
    assert screened_again(factory_for(engine, model), engine) == []


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(records=files)
def test_a_first_load_leaves_no_visible_child_the_screen_would_caution(
    engine: Engine, model: dict[str, Any], records: list[dict[str, Any] | str]
) -> None:
    delete_all_rows(engine)
    data = "\n".join(lines_of(records)).encode() + b"\n"
    run_first_load(factory_for(engine, model), model, {Source.HEALTH: data})
    _check(engine, model, records)


class FirstLoadThenFeeds(RuleBasedStateMachine):
    """A first load, then feed loads and more first-load attempts (refused, changing
    nothing): the invariants hold after every step."""

    engine: Engine
    model: dict[str, Any]

    def __init__(self) -> None:
        super().__init__()
        self.records: list[dict[str, Any] | str] = []

    @initialize(records=files)
    def first_load(self, records: list[dict[str, Any] | str]) -> None:
        delete_all_rows(self.engine)
        data = "\n".join(lines_of(records)).encode() + b"\n"
        run_first_load(factory_for(self.engine, self.model), self.model, {Source.HEALTH: data})
        self.records = list(records)

    @rule(records=files)
    def feed(self, records: list[dict[str, Any] | str]) -> None:
        load_lines(
            factory_for(self.engine, self.model),
            lines_of(records),
            batch_size=5,
            engine=ModelMatchEngine(self.model),
        )
        self.records += records

    @invariant()
    def holds(self) -> None:
        if self.records:
            _check(self.engine, self.model, self.records)


def test_feed_loads_after_a_first_load_keep_its_invariants(
    engine: Engine, model: dict[str, Any], tmp_path: Path
) -> None:
    FirstLoadThenFeeds.engine = engine
    FirstLoadThenFeeds.model = model
    run = FirstLoadThenFeeds.TestCase()
    run.settings = settings(
        max_examples=10,
        stateful_step_count=4,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    run.runTest()
