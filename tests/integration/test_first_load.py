"""A first load (``services/first_load.py``, ADR 0026) of a synthetic country: every record
on one child, none of a shielded person's records on a visible child, no visible child the
screen would still caution, quality as the feed path's; refused on a non-empty index or
during a halt, changing nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from app_fixtures import FIXED_NOW, make_health_record
from childindex.domain.errors import Halted
from childindex.domain.halt import HaltState
from childindex.domain.source_record import Source
from childindex.linkage.feed_files import read_truth
from childindex.services.first_load import FirstLoadRefused
from childindex.services.ports import UnitOfWorkFactory
from feed_state import forget_planner_statistics, load_lines, planner_rows, state, valid_nhs
from first_load_helpers import (
    FILES,
    current_links,
    factory_for,
    precision_recall,
    review_items,
    rows_a_save_rewrites,
    run_first_load,
    schema_differences,
    screened_again,
    shielded_peoples_records,
    trained_country,
)


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    directory = tmp_path_factory.mktemp("first_load_country")
    return directory, trained_country(directory, 1200, 5)


def _files(directory: Path) -> dict[Source, bytes]:
    return {source: (directory / name).read_bytes() for source, name in FILES.items()}


def test_a_first_load_puts_every_record_on_one_child_and_leaves_no_shielded_person_visible(
    engine: Engine, uow_factory: UnitOfWorkFactory, country: tuple[Path, dict[str, Any]]
) -> None:
    directory, model = country
    factory = factory_for(engine, model)
    files = _files(directory)
    report = run_first_load(factory, model, files)

    truth = read_truth(directory)
    links = current_links(engine)
    # Every record of every file is held, each on exactly one child (``current_links``).
    assert {f"{s}:{r}" for s, r in links} == set(truth)
    lines = sum(len(data.splitlines()) for data in files.values())
    with engine.connect() as connection:
        raw = connection.execute(text("SELECT count(*) FROM raw_records")).scalar_one()
    assert raw == lines - 2  # the two CSV files' headers are not records
    # Fail closed: every record of a shielded person is on a shielded child.
    of_shielded = shielded_peoples_records(directory, links, truth)
    assert of_shielded
    assert all(links[k][1] for k in of_shielded)
    # No visible child left that the screen would caution against a shielded one.
    assert screened_again(factory, engine) == []
    # Every index the load dropped to write its rows faster is there again.
    assert schema_differences(engine) == []
    # The files' counts add up, and the children match the report.
    for _, counts in report.files:
        assert counts.accepted == counts.linked + counts.review + counts.new
        assert counts.read == counts.accepted + counts.rejected
    assert len({child for child, _ in links.values()}) == report.children
    # Each pair queued for review: a record on its child against another child, explained.
    items = review_items(engine)
    assert len(items) == report.review_items > 0
    for source, record_id, record_child, candidate, weights in items:
        assert links[(source, record_id)][0] == record_child != candidate
        assert weights
    # Quality: the clusters against the country's truth.
    precision, recall = precision_recall(links, truth)
    assert precision >= 0.999
    assert recall >= 0.99
    # Each child's rows are those the feed path's write of it makes (last: it saves them).
    assert rows_a_save_rewrites(factory, engine) == []


def test_a_first_load_is_refused_on_an_index_holding_records_and_changes_nothing(
    engine: Engine, uow_factory: UnitOfWorkFactory, country: tuple[Path, dict[str, Any]]
) -> None:
    directory, model = country
    factory = factory_for(engine, model)
    load_lines(factory, [json.dumps(make_health_record())], batch_size=10)
    before = state(engine)
    with pytest.raises(FirstLoadRefused, match="already holds source records"):
        run_first_load(factory, model, _files(directory))
    assert state(engine) == before


def test_a_first_load_is_refused_while_updates_are_halted(
    engine: Engine, uow_factory: UnitOfWorkFactory, country: tuple[Path, dict[str, Any]]
) -> None:
    directory, model = country
    factory = factory_for(engine, model)
    with factory() as uow:
        uow.system.set_halt(HaltState(reason="go-live rehearsal", set_by="test", since=FIXED_NOW))
        uow.commit()
    with pytest.raises(Halted, match="go-live rehearsal"):
        run_first_load(factory, model, _files(directory))
    assert current_links(engine) == {}


def test_a_first_load_rejects_bad_lines_by_file_line_and_field_and_loads_later_versions(
    engine: Engine, uow_factory: UnitOfWorkFactory, country: tuple[Path, dict[str, Any]]
) -> None:
    _, model = country
    factory = factory_for(engine, model)
    first = make_health_record(record_id="H1", updated_at="2026-01-01T00:00:00Z")
    later = dict(first, address_line1="3 New Street", updated_at="2026-02-01T00:00:00Z")
    bad = dict(make_health_record(record_id="H2"), birth_date="2015-02-30")
    data = "\n".join(json.dumps(r) for r in (first, bad, later)).encode() + b"\n"
    errors: list[Any] = []
    report = run_first_load(factory, model, {Source.HEALTH: data}, errors=errors)

    (_, counts), *_ = report.files
    assert (counts.read, counts.accepted, counts.rejected, counts.warnings) == (3, 2, 1, 1)
    assert (counts.new, counts.linked) == (1, 1)  # the later version, linked as held
    rejected = [e for e in errors if e.field == "birth_date"]
    assert [(e.file, e.line) for e in rejected] == [("health.jsonl", 2)]
    assert [(e.line, e.field) for e in errors if e.field == "record_id"] == [(3, "record_id")]
    with engine.connect() as connection:
        versions = connection.execute(
            text("SELECT count(*) FROM source_record_versions")
        ).scalar_one()
    assert versions == 2
    assert list(current_links(engine)) == [("health", "H1")]


def test_a_load_leaves_planner_statistics_that_count_every_row_it_wrote(
    engine: Engine, uow_factory: UnitOfWorkFactory, country: tuple[Path, dict[str, Any]]
) -> None:
    # The statistics are taken once every incoming record is written (the screens need
    # them), and again at the end only when later versions of records added rows since.
    _, model = country
    factory = factory_for(engine, model)
    forget_planner_statistics(engine)
    nhs = valid_nhs(3)
    first = make_health_record(record_id="H1", nhs_number=nhs[0], updated_at="2026-01-01T00:00:00Z")
    later = dict(first, address_line1="3 New Street", updated_at="2026-02-01T00:00:00Z")
    other = make_health_record(record_id="H2", given_name="Zara", nhs_number=nhs[1])
    data = "\n".join(json.dumps(r) for r in (first, other, later)).encode() + b"\n"
    run_first_load(factory, model, {Source.HEALTH: data})
    _assert_planner_counts(engine, versions=3)

    more = make_health_record(record_id="H3", given_name="Kwame", sex="M", nhs_number=nhs[2])
    run_first_load(factory, model, {Source.HEALTH: json.dumps(more).encode() + b"\n"}, bulk=True)
    _assert_planner_counts(engine, versions=4)


def _assert_planner_counts(engine: Engine, *, versions: int) -> None:
    with engine.connect() as connection:
        for table in ("source_records", "source_record_versions", "links", "children"):
            held = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            assert planner_rows(connection, table) == held, table
        assert planner_rows(connection, "source_record_versions") == versions
