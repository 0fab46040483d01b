"""A bulk load (``services/first_load.py``, ADR 0027) onto an index a first load filled with
the health feed: the other feeds' records join the children held, or make new ones; no held
record moves and no two held children are joined; nothing a shielded person's is left
visible; the same files again change nothing."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from app_fixtures import FIXED_NOW, make_health_record
from childindex.domain.errors import Halted
from childindex.domain.halt import HaltState
from childindex.domain.ids import ChildId
from childindex.domain.source_record import Source
from childindex.linkage.feed_files import read_truth
from childindex.services import shielding
from childindex.services.ports import UnitOfWorkFactory
from feed_state import delete_all_rows, load_lines, state, valid_nhs
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
from shield_fixtures import ADMIN, la_record


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    directory = tmp_path_factory.mktemp("bulk_load_country")
    return directory, trained_country(directory, 1200, 8)


def _files(directory: Path, *sources: Source) -> dict[Source, bytes]:
    return {source: (directory / FILES[source]).read_bytes() for source in sources}


OTHERS = (Source.SCHOOL, Source.BENEFIT, Source.LA)


def test_a_bulk_load_grows_the_children_held_and_leaves_no_shielded_person_visible(
    engine: Engine, uow_factory: UnitOfWorkFactory, country: tuple[Path, dict[str, Any]]
) -> None:
    directory, model = country
    factory = factory_for(engine, model)
    run_first_load(factory, model, _files(directory, Source.HEALTH))
    before = current_links(engine)
    report = run_first_load(factory, model, _files(directory, *OTHERS), bulk=True)

    truth = read_truth(directory)
    links = current_links(engine)  # each record on exactly one child
    assert {f"{s}:{r}" for s, r in links} == set(truth)
    # Every health record stays on its child: none moved, no two health children joined.
    assert {k: links[k][0] for k in before} == {k: v[0] for k, v in before.items()}
    assert report.grown_children > 0
    assert report.children > 0
    for _, counts in report.files:
        assert counts.accepted == counts.linked + counts.review + counts.new
    # Fail closed: every record of a shielded person is on a shielded child.
    of_shielded = shielded_peoples_records(directory, links, truth)
    assert of_shielded
    assert all(links[k][1] for k in of_shielded)
    assert screened_again(factory, engine) == []
    assert schema_differences(engine) == []
    # Each pair queued: an incoming record on its child against another child, explained.
    items = review_items(engine)
    assert len(items) >= report.review_items > 0  # the health load's own, and these
    for source, record_id, record_child, candidate, weights in items:
        assert links[(source, record_id)][0] == record_child != candidate
        assert weights
    # Quality against the country's truth, every record of all four feeds.
    precision, recall = precision_recall(links, truth)
    assert precision >= 0.999
    assert recall >= 0.99
    # Each child's rows are those the feed path's write of it makes (last: it saves them).
    assert rows_a_save_rewrites(factory, engine) == []


def test_the_same_files_again_change_nothing(
    engine: Engine, uow_factory: UnitOfWorkFactory, country: tuple[Path, dict[str, Any]]
) -> None:
    directory, model = country
    factory = factory_for(engine, model)
    files = _files(directory, Source.HEALTH, *OTHERS)
    run_first_load(factory, model, files)
    before = current_links(engine)
    with engine.connect() as connection:
        queued = connection.execute(text("SELECT count(*) FROM review_items")).scalar_one()
    report = run_first_load(factory, model, files, bulk=True)
    assert current_links(engine) == before
    for _, counts in report.files:
        assert counts.unchanged == counts.accepted > 0
    assert (report.children, report.grown_children, report.review_items) == (0, 0, 0)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM review_items")).scalar_one() == queued


def test_a_held_record_updated_in_a_bulk_load_is_loaded_as_a_feed_loads_it(
    engine: Engine, uow_factory: UnitOfWorkFactory, country: tuple[Path, dict[str, Any]]
) -> None:
    _, model = country
    factory = factory_for(engine, model)
    first = make_health_record(record_id="H1", updated_at="2026-01-01T00:00:00Z")
    load_lines(factory, [json.dumps(first)], batch_size=10)
    before = current_links(engine)
    moved = dict(first, address_line1="3 New Street", updated_at="2026-02-01T00:00:00Z")
    other = make_health_record(record_id="H2", given_name="Bram", nhs_number=valid_nhs(3)[2])
    data = "\n".join(json.dumps(r) for r in (moved, other)).encode() + b"\n"
    report = run_first_load(factory, model, {Source.HEALTH: data}, bulk=True)

    (_, counts), *_ = report.files
    assert (counts.accepted, counts.linked, counts.new, counts.unchanged) == (2, 1, 1, 0)
    links = current_links(engine)
    assert links[("health", "H1")] == before[("health", "H1")]
    assert ("health", "H2") in links
    with engine.connect() as connection:
        versions = connection.execute(
            text("SELECT count(*) FROM source_record_versions")
        ).scalar_one()
    assert versions == 3


def test_a_visible_child_given_another_identity_is_screened_against_the_shielded_not_walked(
    engine: Engine, uow_factory: UnitOfWorkFactory, country: tuple[Path, dict[str, Any]]
) -> None:
    """A council record joins a visible child by its NHS number under another child's names:
    that identity is stored beside the one the child shows, and it is what resembles a
    shielded child the load gives no record, so no walk meets them. The comparison after
    the walks must ask it, not only the identity shown."""
    _, model = country
    factory = factory_for(engine, model)
    nhs = valid_nhs(2)
    katherine = {"given_name": "Katherine", "family_name": "Quennell", "birth_date": "2016-07-21"}
    home = {"address_line1": "9 Other Road", "postcode": "ZZ7 7AB"}
    shielded = make_health_record(record_id="H1", **katherine, nhs_number=nhs[0], sensitive=True)
    visible = make_health_record(
        record_id="H2",
        given_name="Oliver",
        family_name="Brant",
        birth_date="2016-07-21",
        nhs_number=nhs[1],
        **home,
    )
    health = "\n".join(json.dumps(r) for r in (shielded, visible)).encode() + b"\n"
    run_first_load(factory, model, {Source.HEALTH: health})
    held = current_links(engine)
    assert (held[("health", "H1")][1], held[("health", "H2")][1]) == (True, False)
    named = la_record(record_id="L1", **katherine, nhs_number=nhs[1], **home)
    run_first_load(factory, model, {Source.LA: json.dumps(named).encode() + b"\n"}, bulk=True)

    links = current_links(engine)
    assert links[("la", "L1")][0] == links[("health", "H2")][0], "joined by its NHS number"
    assert links[("health", "H2")][1], "the child given that identity must be shielded"
    assert screened_again(factory, engine) == []


def test_a_walk_in_a_bulk_load_leaves_visible_a_child_an_officer_judged_apart(
    engine: Engine, uow_factory: UnitOfWorkFactory, country: tuple[Path, dict[str, Any]]
) -> None:
    """An officer judged look-alike L is not shielded child A and lifted L's shield. A bulk
    load then gives A a record, and the walk from A meets L: it must leave L visible, as
    the walk of any other write would. The load reads the officers' decisions once; none
    can change while it holds the screen lock (ADR 0013)."""
    _, model = country
    factory = factory_for(engine, model)
    nhs = valid_nhs(2)
    amara = {"given_name": "Amara", "birth_date": "2015-03-14"}
    lines = [
        make_health_record(
            record_id="A", family_name="Okafor", nhs_number=nhs[0], sensitive=True, **amara
        ),
        make_health_record(record_id="L", family_name="Okafur", nhs_number=nhs[1], **amara),
    ]
    load_lines(factory, [json.dumps(line) for line in lines], batch_size=10)
    held = current_links(engine)
    (a, a_shielded), (look_alike, shielded) = held[("health", "A")], held[("health", "L")]
    assert a != look_alike
    assert a_shielded
    assert shielded, "the screen shields the look-alike"
    lifted = shielding.lift_shield(
        uow=factory(),
        viewer=ADMIN,
        child_id=ChildId(look_alike),
        reason="not the shielded child it was queued against",
        now=FIXED_NOW,
    )
    assert not lifted.shielded

    named = la_record(record_id="LA1", family_name="Okafor", nhs_number=nhs[0], **amara)
    report = run_first_load(
        factory, model, {Source.LA: json.dumps(named).encode() + b"\n"}, bulk=True
    )

    links = current_links(engine)
    assert links[("la", "LA1")][0] == a, "the record joins A, so A's walk runs"
    assert report.screened_children == 0
    assert links[("health", "L")] == (look_alike, False), "an officer judged L is not A"


def test_a_bulk_load_is_refused_while_updates_are_halted(
    engine: Engine, uow_factory: UnitOfWorkFactory, country: tuple[Path, dict[str, Any]]
) -> None:
    directory, model = country
    factory = factory_for(engine, model)
    load_lines(factory, [json.dumps(make_health_record())], batch_size=10)
    before = current_links(engine)
    with factory() as uow:
        uow.system.set_halt(HaltState(reason="feeds rehearsal", set_by="test", since=FIXED_NOW))
        uow.commit()
    with pytest.raises(Halted, match="feeds rehearsal"):
        run_first_load(factory, model, _files(directory, Source.SCHOOL), bulk=True)
    assert current_links(engine) == before


def _outcome(engine: Engine) -> tuple[list[Any], ...]:
    """Links, shields and caution items, each child named by its first record (child IDs are
    random)."""
    links = current_links(engine)
    name: dict[str, str] = {}
    for (source, record_id), (child_id, _) in links.items():
        name[child_id] = min(name.get(child_id, "~"), f"{source}:{record_id}")
    with engine.connect() as connection:
        shields = connection.execute(
            text("SELECT child_id, origin, strength, lifted_at FROM shields")
        ).all()
        items = connection.execute(
            text("SELECT child_id, shielded_child_id, score, status FROM caution_items")
        ).all()
    return (
        sorted((f"{s}:{r}", name[c]) for (s, r), (c, _) in links.items()),
        sorted((name[c], o, round(s, 6), lifted is None) for c, o, s, lifted in shields),
        sorted((name[c], name[sc], round(s, 6), st) for c, sc, s, st in items),
    )


def test_rows_a_second_process_works_out_are_the_rows_the_load_works_out(
    engine: Engine, country: tuple[Path, dict[str, Any]]
) -> None:
    """A second process works out the rows of every chunk a first load and a bulk load write
    (``services/work_ahead.py``), and the features of the bulk load's incoming records, and
    each load waits for them: the index ends row for row as loads working out their own
    rows and features leave it (sealed values opened; ids, times and nonces aside)."""
    directory, model = country
    factory = factory_for(engine, model)
    states, written = [], []
    for ahead in (False, True):
        delete_all_rows(engine)
        first = run_first_load(factory, model, _files(directory, Source.HEALTH), write_ahead=ahead)
        bulk = run_first_load(
            factory, model, _files(directory, *OTHERS), bulk=True, write_ahead=ahead
        )
        states.append(state(engine))
        written.append((first.written_ahead, bulk.written_ahead, bulk.standardised_ahead))
    assert states[0] == states[1]
    assert written[0] == (0, 0, 0)
    # Each load's writing had chunks of each kind, and each chunk's rows crossed from the
    # second process: new children, records, other identities (and held children).
    assert written[1][0] >= 3
    assert written[1][1] >= 4
    # The features of every incoming record of the bulk load crossed too.
    assert written[1][2] >= 1


def test_walks_stepping_first_from_a_second_process_end_as_walks_stepping_alone(
    engine: Engine, uow_factory: UnitOfWorkFactory, country: tuple[Path, dict[str, Any]]
) -> None:
    """A second process works out the first step of each walk ahead (``screen_ahead``), the
    model's gate asked: the load ends as one whose walks take every step themselves."""
    directory, model = country
    factory = factory_for(engine, model)
    outcomes, ahead = [], []
    for ahead_from in (sys.maxsize, 0):
        delete_all_rows(engine)
        run_first_load(factory, model, _files(directory, Source.HEALTH))
        report = run_first_load(
            factory,
            model,
            _files(directory, *OTHERS),
            bulk=True,
            screen_ahead_from=ahead_from,
            wait_ahead=True,  # every answer crosses, however busy the machine
        )
        outcomes.append(_outcome(engine))
        ahead.append((report.screens_ahead, report.compared_ahead))
    assert outcomes[0] == outcomes[1]
    # The fork gave first steps, and answered for visible children compared after the walks.
    assert ahead[0] == (0, 0)
    assert all(ahead[1])
    # Screens that were run found children to shield, as they might be shielded ones.
    assert any(origin == "caution" for _, origin, _, _ in outcomes[1][1])
