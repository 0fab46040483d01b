"""Set-based batches (``services/ingest_batch.py``) end exactly where loading the same lines
one at a time would: same records, versions, links, children, shields, review items and
counts, whatever mix of new children, updates, duplicates within a batch, shared
identifiers, source shield flags, look-alikes of shielded children and bad lines arrives.
"""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from app_fixtures import FIXED_NOW, TEST_CIPHER, make_health_record
from childindex.domain.identifiers import nhs_check_digit
from childindex.domain.source_record import Source
from childindex.feeds.health import read_health
from childindex.matching.engine import ModelMatchEngine
from childindex.matching.ports import MatchEngine
from childindex.services import ingest
from childindex.storage.models import Base
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory
from matching_model import hand_model


def delete_all_rows(engine: Engine) -> None:
    """Empty every table (as the ``uow_factory`` fixture does after a test)."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


def _valid_nhs(count: int) -> list[str]:
    found, body = [], 999_000_000
    while len(found) < count:
        body += 1
        check = nhs_check_digit(str(body))
        if check is not None:
            found.append(f"{body}{check}")
    return found


NHS = _valid_nhs(5)
RECORD_NHS = {"H1": NHS[0], "H2": NHS[1], "H3": NHS[0], "H4": NHS[2], "H5": None, "H6": NHS[1]}
# Look-alike identities: a shielded child and near twins the shield screen must catch.
NAMES = [("Amara", "Okafor"), ("Amara", "Okafur"), ("Amarah", "Okafor"), ("Bram", "Zimmer")]


@st.composite
def health_line(draw: st.DrawFn) -> str:
    """One line of a health file: mostly valid, from small pools so that ids, NHS numbers
    and identities repeat within a file."""
    if draw(st.integers(0, 12)) == 0:
        return draw(st.sampled_from(["{not json", '{"record_id": "H1"}', "[]"]))
    given_name, family_name = draw(st.sampled_from(NAMES))
    record = make_health_record(
        record_id=f"H{draw(st.integers(1, 6))}",
        given_name=given_name,
        family_name=family_name,
        birth_date=draw(st.sampled_from(["2015-03-14", "2013-06-01", "2015-04-03"])),
        postcode=draw(st.sampled_from(["ZZ1 1AA", "ZZ2 2BB"])),
        sensitive=draw(st.integers(0, 5)) == 0,
        updated_at=f"2026-0{draw(st.integers(1, 3))}-01T00:00:00Z",
    )
    # Each record id keeps its NHS number (two ids share one), so no two children ever
    # hold the same number: the engine would pick between them by their random IDs.
    nhs = RECORD_NHS[record["record_id"]]
    if nhs is None:
        del record["nhs_number"]
    else:
        record["nhs_number"] = nhs
    return json.dumps(record)


# The trained engine finds candidates by blocking keys (answered from memory in a batch) and
# links by score as well as by identifier.
TRAINED = ModelMatchEngine(hand_model())


def _load(
    factory: SqlUnitOfWorkFactory,
    lines: list[str],
    batch_size: int,
    engine: MatchEngine | None = None,
) -> dict[str, int]:
    data = ("\n".join(lines) + "\n").encode()
    report = ingest.load_feed(
        uow_factory=factory,
        source=Source.HEALTH,
        filename="batch.jsonl",
        data=data,
        lines=read_health(data, file="batch.jsonl", now=FIXED_NOW),
        actor="test",
        now=FIXED_NOW,
        batch_size=batch_size,
        engine=engine,
    )
    counts = report.counts()
    del counts["load_id"]
    return counts


def state(engine: Engine, *, scored: bool = False) -> dict[str, Any]:
    """The whole state a load leaves, with random child IDs named by the records on them
    and database ids, times and encryption nonces left out. ``scored``: matching was by
    score, where a review item between equally good candidates names one by (random) child
    ID, so only the child each item is for is compared (and see the cautions below)."""
    with engine.connect() as connection:
        records = {
            key: f"{source}/{record_id}"
            for key, source, record_id in connection.execute(
                text("SELECT id, source, record_id FROM source_records")
            )
        }
        on_child: dict[str, list[str]] = {}
        for key, child in connection.execute(
            text("SELECT source_record_id, child_id FROM links WHERE ended_at IS NULL")
        ):
            on_child.setdefault(child, []).append(records[key])
        label = {child: "+".join(sorted(held)) for child, held in on_child.items()}
        ids = re.compile("|".join(map(re.escape, label)) or "^$")

        def named(value: Any) -> Any:
            if isinstance(value, str) and label:
                return ids.sub(lambda m: f"<{label[m.group(0)]}>", value)
            return value

        def rows(sql: str) -> list[tuple[Any, ...]]:
            return sorted(
                (tuple(named(v) for v in row) for row in connection.execute(text(sql))), key=repr
            )

        children = []
        for child, status, shielded, details in connection.execute(
            text("SELECT child_id, status, shielded, details FROM children")
        ):
            opened = json.dumps(TEST_CIPHER.open_json(details), sort_keys=True)
            children.append((named(child), status, bool(shielded), named(opened)))
        versions = sorted(
            (
                records[key],
                number,
                content_hash,
                str(updated),
                json.dumps(TEST_CIPHER.open_json(payload), sort_keys=True),
            )
            for key, number, content_hash, updated, payload in connection.execute(
                text(
                    "SELECT source_record_id, version_no, content_hash, source_updated_at, "
                    "payload FROM source_record_versions"
                )
            )
        )
        cautions = rows("SELECT kind, child_id, la_code, status FROM caution_items")
        return {
            "records": rows(
                "SELECT r.source, r.record_id, r.shielded, v.version_no FROM source_records r "
                "JOIN source_record_versions v ON v.id = r.current_version_id"
            ),
            "versions": versions,
            "links": sorted(
                (records[key], named(child), decided_by, ended is None, reason)
                for key, child, decided_by, ended, reason in connection.execute(
                    text(
                        "SELECT source_record_id, child_id, decided_by, ended_at, end_reason "
                        "FROM links"
                    )
                )
            ),
            "blocking_keys": sorted(
                (records[key], digest)
                for key, digest in connection.execute(
                    text("SELECT source_record_id, key FROM record_blocking_keys")
                )
            ),
            "children": sorted(children, key=repr),
            "search_keys": rows(
                "SELECT child_id, given_key, family_key, birth_date, postcode, nhs_number, upn, "
                "shielded, la_code, birth_year, given_sound, family_sound, initials "
                "FROM child_search_keys"
            ),
            # A caution names the best-scoring shielded child; ties go by (random) child ID,
            # and so does the score (below): who is shielded, and how, is compared.
            "shields": sorted(
                (
                    named(child),
                    origin,
                    re.sub(r"child <[^>]*> \(score [0-9.]*\)", "child <?>", named(reason)),
                    by,
                )
                for child, origin, reason, by in connection.execute(
                    text("SELECT child_id, origin, reason, set_by FROM shields")
                )
            ),
            # (Which shielded child a tied caution names goes by random child IDs too, and so
            # does its score: under ADR 0011 a near twin shielded by the screen passes on the
            # score it was shielded at, which depends on which shielded child the screen met
            # first. Loading the same lines one at a time twice can differ there.)
            # By score, how many items a child gets (one per shielded child it reaches at
            # caution) goes by that order too: which children are queued is compared.
            "cautions": sorted(set(cautions)) if scored else cautions,
            "reviews": rows(
                "SELECT record_child_id FROM review_items"
                if scored
                else "SELECT record_child_id, candidate_child_id FROM review_items"
            ),
            "raw": rows("SELECT line_no, rejected, errors FROM raw_records"),
        }


def _same_both_ways(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    lines: list[str],
    matcher: MatchEngine | None,
) -> None:
    # Each file is loaded twice (a re-load is a no-op unless the file itself holds several
    # versions of one record), both ways; every step must end in the same state.
    delete_all_rows(engine)
    scored = matcher is not None
    one_at_a_time = [_load(uow_factory, lines, batch_size=1, engine=matcher)]
    expected = [state(engine, scored=scored)]
    one_at_a_time.append(_load(uow_factory, lines, batch_size=1, engine=matcher))
    expected.append(state(engine, scored=scored))
    delete_all_rows(engine)
    in_one_batch = [_load(uow_factory, lines, batch_size=1000, engine=matcher)]
    assert in_one_batch[0] == one_at_a_time[0]
    assert state(engine, scored=scored) == expected[0]
    in_one_batch.append(_load(uow_factory, lines, batch_size=1000, engine=matcher))
    assert in_one_batch[1] == one_at_a_time[1]
    assert state(engine, scored=scored) == expected[1]


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(health_line(), min_size=1, max_size=10))
def test_one_batch_ends_where_one_record_at_a_time_ends(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory, lines: list[str]
) -> None:
    _same_both_ways(engine, uow_factory, lines, None)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(health_line(), min_size=1, max_size=12))
def test_one_batch_ends_where_one_record_at_a_time_ends_with_a_trained_engine(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory, lines: list[str]
) -> None:
    # Records linked by score to children held or made in the batch, look-alikes of
    # shielded children, and updates that move a record between blocking keys.
    _same_both_ways(engine, uow_factory, lines, TRAINED)


def test_two_records_of_one_new_child_in_one_batch_link_to_one_child(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory
) -> None:
    lines = [
        json.dumps(make_health_record(record_id="A1", nhs_number=NHS[0])),
        json.dumps(make_health_record(record_id="B1", given_name="Bram", nhs_number=NHS[1])),
        json.dumps(make_health_record(record_id="A2", nhs_number=NHS[0])),
    ]
    counts = _load(uow_factory, lines, batch_size=1000)
    assert (counts["new"], counts["linked"]) == (2, 1)
    links = state(engine)["links"]
    assert {(record, child) for record, child, *_ in links} == {
        ("health/A1", "<health/A1+health/A2>"),
        ("health/A2", "<health/A1+health/A2>"),
        ("health/B1", "<health/B1>"),
    }


def test_a_record_id_twice_in_one_batch_is_a_later_version(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory
) -> None:
    first = make_health_record(record_id="A1", updated_at="2026-01-01T00:00:00Z")
    second = make_health_record(
        record_id="A1", address_line1="3 New Row", updated_at="2026-02-01T00:00:00Z"
    )
    counts = _load(uow_factory, [json.dumps(first), json.dumps(second)], batch_size=1000)
    assert (counts["new"], counts["linked"], counts["warnings"]) == (1, 1, 1)
    assert [(r, n) for r, n, *_ in state(engine)["versions"]] == [
        ("health/A1", 1),
        ("health/A1", 2),
    ]


def test_a_big_load_refreshes_the_planner_statistics(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory
) -> None:
    if engine.dialect.name == "sqlite":  # forget what earlier tests' loads analysed
        with engine.begin() as connection:
            if connection.scalar(text("SELECT name FROM sqlite_master WHERE name='sqlite_stat1'")):
                connection.execute(text("DELETE FROM sqlite_stat1"))
    lines = [json.dumps(make_health_record(record_id=f"R{n}", nhs_number=NHS[n])) for n in range(3)]
    _load(uow_factory, lines, batch_size=2)
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            analysed = connection.scalar(
                text("SELECT reltuples FROM pg_class WHERE relname = 'source_records'")
            )
            assert analysed is not None
            assert analysed >= 2  # -1 (never analysed) until the first batch's ANALYZE
        else:
            known = connection.scalars(text("SELECT DISTINCT tbl FROM sqlite_stat1")).all()
            assert {"source_records", "child_search_keys"} <= set(known)


def test_a_near_twin_the_screen_shields_mid_batch_is_screened_against_later_records(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory
) -> None:
    # V is visible until S arrives shielded; the screen then shields V as S's near twin.
    # N, later in the same batch, resembles V more than S: the batch must know V is now
    # shielded (its in-memory index of shielded children is brought up to date), or N would
    # be written visible where loading one record at a time shields it.
    nhs = _valid_nhs(8)[5:]
    lines = [
        make_health_record(record_id="V", nhs_number=nhs[0], postcode="ZZ2 2BB"),
        make_health_record(
            record_id="S",
            nhs_number=nhs[1],
            family_name="Okafur",
            sensitive=True,
            birth_date="2015-03-04",
        ),
        make_health_record(
            record_id="N",
            nhs_number=nhs[2],
            given_name="Amarah",
            postcode="ZZ2 2BB",
            birth_date="2016-03-14",
        ),
    ]
    text_lines = [json.dumps(line) for line in lines]
    _same_both_ways(engine, uow_factory, text_lines, None)
    shielded = {child for child, origin, *_ in state(engine)["shields"]}
    assert {"<health/S>", "<health/V>", "<health/N>"} <= shielded
