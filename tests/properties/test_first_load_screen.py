"""Whatever a first load's files hold (look-alikes of shielded children, a source's shield
flag on some records and not others, later versions, bad lines), it ends with every record on
one child, every record a source shielded on a shielded child, and no visible child the
shield screen would caution if it were written now (ADR 0026); and feed loads after it keep
that so."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis.stateful import initialize
from sqlalchemy import Engine

from childindex.domain.source_record import Source
from feed_state import delete_all_rows
from first_load_helpers import factory_for, run_first_load, trained_country
from loaded_state import FeedLoads, check_loaded, files, lines_of


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


class FirstLoadThenFeeds(FeedLoads):
    """A first load, then feed loads: the invariants hold after every step."""

    @initialize(records=files)
    def first_load(self, records: list[dict[str, Any] | str]) -> None:
        data = "\n".join(lines_of(records)).encode() + b"\n"
        run_first_load(factory_for(self.engine, self.model), self.model, {Source.HEALTH: data})
        self.records = list(records)


def test_feed_loads_after_a_first_load_keep_its_invariants(
    engine: Engine, model: dict[str, Any]
) -> None:
    FirstLoadThenFeeds.run(engine, model, examples=20)
