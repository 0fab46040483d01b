"""Loading health lines into a real database and reading back the whole state a load
leaves, with random child IDs named by the records on them: shared by the tests that
compare two loads (``tests/integration/test_feed_batches.py``,
``tests/integration/test_screen_order.py``)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, text

from app_fixtures import FIXED_NOW, TEST_CIPHER, load_health_records, make_health_record
from childindex.bootstrap import Container
from childindex.domain.errors import InvalidChildId
from childindex.domain.identifiers import nhs_check_digit
from childindex.domain.ids import ALPHABET, PAYLOAD_LENGTH, ChildId
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


def valid_nhs(count: int) -> list[str]:
    found, body = [], 999_000_000
    while len(found) < count:
        body += 1
        check = nhs_check_digit(str(body))
        if check is not None:
            found.append(f"{body}{check}")
    return found


NHS = valid_nhs(5)
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


def load_lines(
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


def _records(connection: Connection) -> dict[Any, str]:
    """Each source record's database key -> ``source/record_id``."""
    return {
        key: f"{source}/{record_id}"
        for key, source, record_id in connection.execute(
            text("SELECT id, source, record_id FROM source_records")
        )
    }


def _namer(connection: Connection, records: dict[Any, str]) -> Callable[[Any], Any]:
    """A function that replaces every child ID in a value by ``<the records on it>`` (or
    ``<held the records it once held>``)."""
    on_child: dict[str, list[str]] = {}
    for key, child in connection.execute(
        text("SELECT source_record_id, child_id FROM links WHERE ended_at IS NULL")
    ):
        on_child.setdefault(child, []).append(records[key])
    label = {child: "+".join(sorted(held)) for child, held in on_child.items()}
    # A child that holds no record now (merged away) by the records it once held.
    once: dict[str, set[str]] = {}
    for key, child in connection.execute(
        text("SELECT source_record_id, child_id FROM links WHERE ended_at IS NOT NULL")
    ):
        if child not in on_child:
            once.setdefault(child, set()).add(records[key])
    label |= {child: "held " + "+".join(sorted(held)) for child, held in once.items()}
    ids = re.compile("|".join(map(re.escape, label)) or "^$")

    def named(value: Any) -> Any:
        if isinstance(value, str) and label:
            return ids.sub(lambda m: f"<{label[m.group(0)]}>", value)
        return value

    return named


def _screen(connection: Connection, named: Callable[[Any], Any]) -> dict[str, Any]:
    """What the shield screen left, in full: every shield (child, origin, strength, reason
    naming the child it might be, who set it, lifted or not) and every caution item (child,
    the shielded child it might be, score, status). None of it depends on which child IDs
    children drew (ADR 0011, order; ``tests/integration/test_screen_order.py``)."""
    shields = connection.execute(
        text("SELECT child_id, origin, strength, reason, set_by, lifted_at IS NULL FROM shields")
    )
    cautions = connection.execute(
        text("SELECT kind, child_id, shielded_child_id, la_code, score, status FROM caution_items")
    )
    return {
        "shields": sorted(
            (
                (named(child), origin, round(strength, 4), named(reason), by, bool(active))
                for child, origin, strength, reason, by, active in shields
            ),
            key=repr,
        ),
        "cautions": sorted(
            (
                (kind, named(child), named(shielded), la, round(score, 4), status)
                for kind, child, shielded, la, score, status in cautions
            ),
            key=repr,
        ),
    }


def state(engine: Engine, *, scored: bool = False) -> dict[str, Any]:
    """The whole state a load leaves, with random child IDs named by the records on them
    and database ids, times and encryption nonces left out. ``scored``: matching was by
    score, where a review item between equally good candidates names one by (random) child
    ID, so only the child each item is for is compared. Shields and caution items are
    compared in full either way."""
    with engine.connect() as connection:
        records = _records(connection)
        named = _namer(connection, records)

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
                "school_urn, shielded, la_code, birth_year, given_sound, family_sound, "
                "initials, birth_day_month, sex FROM child_search_keys"
            ),
            "identities": rows(
                "SELECT child_id, given_key, family_key, birth_date, postcode, nhs_number, upn, "
                "birth_year, given_sound, family_sound, initials, birth_day_month, sex "
                "FROM shield_identities"
            ),
            "reviews": rows(
                "SELECT record_child_id FROM review_items"
                if scored
                else "SELECT record_child_id, candidate_child_id FROM review_items"
            ),
            "raw": rows("SELECT line_no, rejected, errors FROM raw_records"),
            **_screen(connection, named),
        }


def _valid_child_id(payload: str) -> ChildId:
    """The child ID made of ``payload`` and the one check character that fits it."""
    for check in ALPHABET:
        try:
            return ChildId(payload + check)
        except InvalidChildId:
            continue
    raise AssertionError(payload)  # pragma: no cover - one of the 31 always fits


@contextmanager
def ordered_child_ids(*, descending: bool) -> Iterator[None]:
    """While the block runs, ``ChildId.new`` hands out valid IDs (check character and all)
    in ascending or descending order instead of at random: two loads of the same lines,
    one each way, meet children in opposite ID orders."""
    top = len(ALPHABET) ** PAYLOAD_LENGTH - 1
    counter = iter(range(top + 1))
    original = ChildId.__dict__["new"]

    def new(cls: type[ChildId]) -> ChildId:
        number = top - next(counter) if descending else next(counter)
        symbols = []
        for _ in range(PAYLOAD_LENGTH):
            number, digit = divmod(number, len(ALPHABET))
            symbols.append(ALPHABET[digit])
        # Most significant symbol first, so that the IDs sort as they were counted.
        return _valid_child_id("".join(reversed(symbols)))

    ChildId.new = classmethod(new)  # type: ignore[assignment,method-assign]
    try:
        yield
    finally:
        ChildId.new = original  # type: ignore[method-assign]


def planner_rows(connection: Connection, table: str) -> int:
    """How many rows the planner's statistics say ``table`` holds; -1 if it was never
    analysed (as PostgreSQL says it)."""
    if connection.dialect.name == "postgresql":
        estimate = connection.scalar(
            text("SELECT reltuples FROM pg_class WHERE relname = :table"), {"table": table}
        )
        return int(estimate)
    if not connection.scalar(text("SELECT name FROM sqlite_master WHERE name='sqlite_stat1'")):
        return -1
    stat = connection.scalar(
        text("SELECT stat FROM sqlite_stat1 WHERE tbl = :table LIMIT 1"), {"table": table}
    )
    return -1 if stat is None else int(str(stat).split()[0])


def forget_planner_statistics(engine: Engine) -> None:
    """On SQLite, forget what earlier tests' loads analysed (PostgreSQL keeps no such table:
    its estimates are only ever replaced)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as connection:
        if connection.scalar(text("SELECT name FROM sqlite_master WHERE name='sqlite_stat1'")):
            connection.execute(text("DELETE FROM sqlite_stat1"))


def load_look_alike_of_two_shielded(container: Container) -> dict[str, ChildId]:
    """Shielded child A (health record ``A``); a look-alike ``L`` the screen shields against
    A; then shielded child C (``C``), like both, whose walk queues an item about L. The
    child of each record, by record id: L's is one an officer judging it apart from A alone
    may not leave visible (ADR 0034)."""
    nhs = valid_nhs(3)
    for record_id, given, family, number, sensitive in [
        ("A", "Amara", "Okafor", nhs[0], True),
        ("L", "Amara", "Okafur", nhs[1], False),
        ("C", "Amarah", "Okafor", nhs[2], True),
    ]:
        record = make_health_record(
            record_id=record_id,
            given_name=given,
            family_name=family,
            birth_date="2015-03-14",
            nhs_number=number,
            sensitive=sensitive,
        )
        load_health_records(container, [record])
    children = {}
    with container.uow_factory() as uow:
        for record_id in "ALC":
            found = uow.records.linked_child(source=Source.HEALTH, record_id=record_id)
            assert found is not None
            children[record_id] = found
    return children
