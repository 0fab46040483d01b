"""Helpers for the first-load tests: a trained model, running a first load of files, and the
end state's invariants read back from the database."""

from __future__ import annotations

import csv
import hashlib
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text

from app_fixtures import FIXED_NOW, TEST_CIPHER
from childindex.domain.ids import ChildId
from childindex.domain.source_record import RecordError, Source
from childindex.feeds.formats import FORMATS
from childindex.linkage.batch import cluster_features
from childindex.linkage.feed_files import read_country
from childindex.linkage.training import feature_rows, train
from childindex.matching.engine import ModelMatchEngine
from childindex.services import first_load
from childindex.services.shield_screen import DEFAULT_RULE, screen_child
from childindex.storage.models import Base
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory
from childindex.synth import generate

FILES = {
    Source.HEALTH: "health.jsonl",
    Source.SCHOOL: "school.csv",
    Source.BENEFIT: "benefit.csv",
    Source.LA: "la.jsonl",
}

# Each source record -> its current child, and whether that child is shielded.
Links = dict[tuple[str, str], tuple[str, bool]]


class Model(dict[str, Any]):
    """A trained model document, shown by its version only (Hypothesis shows a test's
    arguments with each example)."""

    def __repr__(self) -> str:
        return f"Model({self.get('model_version')!r})"


def trained_country(directory: Path, children: int, seed: int) -> Model:
    """Write a synthetic country into ``directory`` (more shielded children than the
    default, so the screen has work) and return a model trained on it."""
    generate(children, seed, directory, shielded_rate=0.04)
    return Model(train(feature_rows(read_country(directory)), seed=seed))


def factory_for(engine: Engine, model: dict[str, Any]) -> SqlUnitOfWorkFactory:
    """Units of work whose shield screen asks the trained model, as the service's do."""
    return SqlUnitOfWorkFactory(engine, cipher=TEST_CIPHER, weigher=ModelMatchEngine(model))


def run_first_load(
    factory: SqlUnitOfWorkFactory,
    model: dict[str, Any],
    files: dict[Source, bytes],
    *,
    errors: list[RecordError] | None = None,
    bulk: bool = False,
    screen_ahead_from: int = first_load.SCREEN_AHEAD_FROM,
    write_ahead: bool = False,
    wait_ahead: bool = False,
) -> first_load.FirstLoadReport:
    """A first load of ``files`` (source -> content), through the real readers; a bulk load
    (onto whatever the index holds) if ``bulk``. ``screen_ahead_from``: as
    ``load_at_once``'s (0: a second process rules out screens however few there are).
    ``write_ahead``: second processes work out the rows of every chunk written and (in a
    bulk load) the features of every incoming record, and the load waits for each chunk
    (``services/work_ahead.py``); else the load works them out itself. ``wait_ahead`` (or
    ``write_ahead``): the load waits for each answer of the screens' second process too,
    however busy the machine."""
    feeds = [
        first_load.FeedFile(
            source,
            FILES[source],
            hashlib.sha256(data).hexdigest(),
            FORMATS[source].read_file(data, file=FILES[source], now=FIXED_NOW),
        )
        for source, data in files.items()
    ]
    found = errors if errors is not None else []
    return first_load.load_at_once(
        uow_factory=factory,
        onto_held=bulk,
        files=feeds,
        cluster=lambda features, placed: cluster_features(features, model, placed),
        engine=ModelMatchEngine(model),
        actor="test",
        now=FIXED_NOW,
        on_error=found.append,
        on_warning=found.append,
        screen_ahead_from=screen_ahead_from,
        write_ahead_from=0 if write_ahead else sys.maxsize,
        features_ahead_from=0 if write_ahead else sys.maxsize,
        wait_for_ahead=write_ahead or wait_ahead,
    )


def current_links(engine: Engine) -> Links:
    """Each source record's current child, and whether that child is shielded; a record
    with two current links fails here."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT s.source, s.record_id, c.child_id, c.shielded FROM links l "
                "JOIN source_records s ON s.id = l.source_record_id "
                "JOIN children c ON c.child_id = l.child_id "
                "WHERE l.ended_at IS NULL AND c.status = 'active'"
            )
        ).all()
    found: dict[tuple[str, str], tuple[str, bool]] = {}
    for source, record_id, child_id, shielded in rows:
        assert (source, record_id) not in found, f"{source}/{record_id} is on two children"
        found[(source, record_id)] = (child_id, bool(shielded))
    return found


def schema_differences(engine: Engine) -> list[object]:
    """How the database's schema differs from the models (and so from the migrations,
    ``test_migrations.py``): a first load drops indexes and must make every one again."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def visible_children(engine: Engine) -> Iterator[str]:
    with engine.connect() as connection:
        yield from connection.execute(
            text("SELECT child_id FROM children WHERE status = 'active' AND NOT shielded")
        ).scalars()


def screened_again(factory: SqlUnitOfWorkFactory, engine: Engine) -> list[str]:
    """Every visible child the shield screen would caution if it were written now (each
    screened in a unit of work rolled back): what the load should have left none of."""
    cautioned = []
    with factory() as uow:
        for child_id in list(visible_children(engine)):
            outcome = screen_child(uow, ChildId(child_id), rule=DEFAULT_RULE)
            if outcome.shielded or outcome.cautions:
                cautioned.append(child_id)
        uow.rollback()
    return cautioned


def rows_a_save_rewrites(factory: SqlUnitOfWorkFactory, engine: Engine) -> list[str]:
    """Each child whose search keys, other identities or records' shield ``save`` (the feed
    path's write of a child) writes otherwise than they were held: every child is saved
    again, and committed (so call it last). A first load writes them its own way, and must
    leave none."""
    queries = {
        "child_search_keys": "SELECT * FROM child_search_keys",
        "shield_identities": (
            "SELECT child_id, given_key, family_key, birth_date, nhs_number, upn, postcode, "
            "birth_year, given_sound, family_sound, initials, birth_day_month, sex "
            "FROM shield_identities"
        ),
        "source_records": (
            "SELECT l.child_id, s.source, s.record_id, s.shielded FROM source_records s "
            "JOIN links l ON l.source_record_id = s.id AND l.ended_at IS NULL"
        ),
    }

    def rows(connection: Any) -> dict[str, Counter[tuple[Any, ...]]]:
        return {
            table: Counter(tuple(row) for row in connection.execute(text(query)))
            for table, query in queries.items()
        }

    with engine.connect() as connection:
        held = rows(connection)
        children = list(connection.execute(text("SELECT child_id FROM children")).scalars())
    with factory() as uow:
        for child_id in children:
            child = uow.children.get(ChildId(child_id))
            assert child is not None
            uow.children.save(child)
        uow.commit()
    with engine.connect() as connection:
        saved = rows(connection)
    return sorted(
        {
            str(row[0])
            for table in queries
            for row in (held[table] - saved[table]) + (saved[table] - held[table])
        }
    )


def shielded_peoples_records(directory: Path, links: Links, truth: dict[str, str]) -> list[Any]:
    """The records (``current_links`` keys) of the people the country shields
    (``shielded.csv``): fail closed, each must be on a shielded child."""
    with (directory / "shielded.csv").open(encoding="utf-8") as handle:
        shielded_people = {row["person_key"] for row in csv.DictReader(handle)}
    return [k for k in links if truth[f"{k[0]}:{k[1]}"] in shielded_people]


def review_items(engine: Engine) -> list[Any]:
    """Each review item: its record's source and id, the record's child, the candidate
    child and the explanation's weights."""
    with engine.connect() as connection:
        return list(
            connection.execute(
                text(
                    "SELECT s.source, s.record_id, r.record_child_id, r.candidate_child_id, "
                    "r.weights FROM review_items r "
                    "JOIN source_records s ON s.id = r.source_record_id"
                )
            )
        )


def precision_recall(links: Links, truth: dict[str, str]) -> tuple[float, float]:
    """Pairwise precision and recall of the children against the country's truth."""

    def pairs(groups: Counter[Any]) -> int:
        return sum(n * (n - 1) // 2 for n in groups.values())

    together = pairs(Counter((links[k][0], truth[f"{k[0]}:{k[1]}"]) for k in links))
    predicted = pairs(Counter(child for child, _ in links.values()))
    actual = pairs(Counter(truth.values()))
    return together / predicted, together / actual
