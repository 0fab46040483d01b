"""Whatever a first load's files hold (look-alikes of shielded children, a source's shield
flag on some records and not others, later versions, bad lines), it ends with every record on
one child, every record a source shielded on a shielded child, and no visible child the
shield screen would caution if it were written now (ADR 0026); and feed loads after it keep
that so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import Engine

from childindex.domain.source_record import Source
from childindex.matching.engine import ModelMatchEngine
from feed_state import delete_all_rows, load_lines
from first_load_helpers import factory_for, run_first_load, trained_country
from loaded_state import check_loaded, files, lines_of


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return trained_country(tmp_path_factory.mktemp("first_load_model"), 800, 9)


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
    check_loaded(engine, model, records)


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
            check_loaded(self.engine, self.model, self.records)


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
