"""Benchmark ``feeds load`` end to end: N synthetic health records, SQLite and PostgreSQL.

For each database: a fresh schema, then the real path (read, validate, store raw, version,
link, index) through ``services.ingest.load_feed``, streaming the file as the CLI does;
beside it, in the same run, two floors to compare with: a raw bulk insert of the same lines
(``executemany`` into a bare table, the issue's comparison), and the *schema floor*: every
row the load wrote copied by the database itself (``INSERT ... SELECT``, no Python, one
transaction, in the order they were written) into empty tables with the same indexes: what
writing those rows costs the database alone, which no loader of this schema can beat.
Prints Markdown rows: database, records, seconds, records/s, bulk-insert records/s, ratio,
schema-floor records/s, this process's CPU per record during the load (user + system; not
the PostgreSQL server's: on a shared machine a steadier figure than wall time), peak RSS of
the process, machine and date.

    uv run python benchmarks/bench_feeds.py [--records N] [--postgres URL] [--no-sqlite]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sqlite3
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, Table, Text, create_engine, insert
from sqlalchemy.engine import make_url

from childindex.cli.data import scan
from childindex.domain.identifiers import nhs_check_digit
from childindex.domain.source_record import Source
from childindex.feeds.health import read_health
from childindex.services import ingest
from childindex.storage.cipher import FieldCipher, new_key
from childindex.storage.database import SQLITE_PRAGMAS, make_engine
from childindex.storage.migrate import upgrade
from childindex.storage.models import Base
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
GIVEN = ("Amara", "Oliver", "Sofia", "Filip", "Leanne", "David", "Maya", "Noah", "Isla", "Leo")
FAMILY = ("Okafor", "Watson", "Ward", "Wieczorek", "Patel", "Jones", "Khan", "Evans", "Nowak")


def _machine() -> str:
    cpu = platform.machine()
    for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{cpu}, {len(os.sched_getaffinity(0))} CPUs, Python {platform.python_version()}"


def write_health(path: Path, records: int) -> None:
    """``records`` valid synthetic health records (NHS numbers from the 9 range only)."""
    with path.open("w", encoding="utf-8") as out:
        n = 0
        body = 990_000_000
        while n < records:
            body += 1
            check = nhs_check_digit(str(body))
            if check is None:
                continue
            record = {
                "record_id": f"H{n}",
                "given_name": GIVEN[n % len(GIVEN)],
                "family_name": FAMILY[(n // 7) % len(FAMILY)],
                "sex": "FM"[n % 2],
                "birth_date": f"{2010 + n % 15}-{1 + n % 12:02d}-{1 + n % 28:02d}",
                "address_line1": f"{1 + n % 200} Testing Row",
                "town": "Exampleton",
                "postcode": f"ZZ{1 + n % 9} {n % 10}AA",
                "nhs_number": f"{body}{check}",
                "updated_at": "2026-01-01T00:00:00Z",
            }
            out.write(json.dumps(record) + "\n")
            n += 1


def bulk_insert(url: str, path: Path) -> float:
    """Seconds to insert every line raw into a bare table, in batches of 2,000."""
    engine = make_engine(url)
    table = Table(
        f"bench_raw_{uuid.uuid4().hex[:8]}",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("line_no", Integer),
        Column("text", Text),
    )
    table.create(engine)
    started = time.perf_counter()
    with path.open("rb") as lines, engine.begin() as connection:
        batch: list[dict[str, object]] = []
        for number, line in enumerate(lines, start=1):
            batch.append({"line_no": number, "text": line.decode("utf-8")})
            if len(batch) == 2000:
                connection.execute(insert(table), batch)
                batch = []
        if batch:
            connection.execute(insert(table), batch)
    elapsed = time.perf_counter() - started
    table.drop(engine)
    engine.dispose()
    return elapsed


def load(url: str, path: Path) -> tuple[float, float]:
    """Seconds for the real load of ``path`` into a fresh schema at ``url``, and the CPU
    seconds this process spent on it."""
    upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    cpu = time.process_time()
    # As ``childindex feeds load`` does: hash in one streaming pass, then read the stream.
    content_sha256, _ = scan(path)
    with path.open("rb") as stream:
        report = ingest.load_feed(
            uow_factory=SqlUnitOfWorkFactory(engine, cipher=FieldCipher(new_key())),
            source=Source.HEALTH,
            filename=path.name,
            content_sha256=content_sha256,
            lines=read_health(stream, file=path.name, now=NOW),
            actor="bench",
            now=NOW,
        )
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    engine.dispose()
    if report.accepted != report.read:
        raise SystemExit(f"benchmark data rejected: {report.counts()}")
    return elapsed, cpu


# The schema's tables in foreign-key order, less the migration bookkeeping.
_TABLES = [t.name for t in Base.metadata.sorted_tables if t.name != "alembic_version"]


def _copies(source: str, into: str, verb: str = "INSERT") -> list[tuple[str, str]]:
    """Each table's name and the statement copying its rows from the schema (or attached
    database) ``source`` into ``into``. The names are the schema's own, never input."""
    return [(n, f'{verb} INTO {into}."{n}" SELECT * FROM {source}."{n}"') for n in _TABLES]  # noqa: S608


def schema_floor_sqlite(loaded: Path) -> dict[str, float]:
    """Seconds for SQLite to copy each table of ``loaded`` into a fresh copy of the schema
    (the service's pragmas, but foreign keys unchecked: the rows were checked when loaded,
    and records and their versions refer to each other), by ``INSERT ... SELECT`` in one
    transaction; the commit under ``"(commit)"``."""
    target = loaded.with_name("floor.db")
    upgrade(f"sqlite:///{target}")
    connection = sqlite3.connect(target, isolation_level=None)
    seconds: dict[str, float] = {}
    try:
        for pragma in SQLITE_PRAGMAS:
            connection.execute(pragma.replace("foreign_keys=ON", "foreign_keys=OFF"))
        connection.execute("ATTACH DATABASE ? AS loaded", (str(loaded),))
        connection.execute("BEGIN IMMEDIATE")
        for name, statement in _copies("loaded", "main", verb="INSERT OR IGNORE"):
            started = time.perf_counter()
            connection.execute(statement)
            seconds[name] = time.perf_counter() - started
        started = time.perf_counter()
        connection.execute("COMMIT")
        seconds["(commit)"] = time.perf_counter() - started
    finally:
        connection.close()
        for leftover in target.parent.glob("floor.db*"):
            leftover.unlink()
    return seconds


def schema_floor_postgres(url: str) -> dict[str, float]:
    """Seconds for PostgreSQL to copy each table's loaded rows into a table created ``LIKE``
    it (``INCLUDING ALL``: the same indexes, without foreign keys) in another schema, by
    ``INSERT ... SELECT`` in one transaction; the commit under ``"(commit)"``."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("CREATE SCHEMA floor")
            for name in _TABLES:
                connection.exec_driver_sql(
                    f'CREATE TABLE floor."{name}" (LIKE public."{name}" INCLUDING ALL)'
                )
            connection.commit()
            seconds: dict[str, float] = {}
            transaction = connection.begin()
            for name, statement in _copies("public", "floor"):
                started = time.perf_counter()
                connection.exec_driver_sql(statement)
                seconds[name] = time.perf_counter() - started
            started = time.perf_counter()
            transaction.commit()
            seconds["(commit)"] = time.perf_counter() - started
            return seconds
    finally:
        engine.dispose()


def fresh_postgres(server: str) -> tuple[str, str]:
    name = f"bench_feeds_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False), name


def drop_postgres(server: str, name: str) -> None:
    admin = create_engine(make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark feeds load.")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    print(
        f"`uv run python benchmarks/bench_feeds.py --records {args.records}` on {_machine()}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
    )
    print(
        "| database | records | load s | records/s | bulk insert records/s | ratio "
        "| schema floor records/s | load CPU µs/record | peak RSS MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="bench-feeds-") as tmp:
        path = Path(tmp) / "health.jsonl"
        write_health(path, args.records)
        targets: list[tuple[str, str, str | None]] = []
        if not args.no_sqlite:
            targets.append(("SQLite", f"sqlite:///{tmp}/bench.db", None))
        if args.postgres:
            url, name = fresh_postgres(args.postgres)
            targets.append(("PostgreSQL", url, name))
        floors: list[str] = []
        for label, url, pg_name in targets:
            try:
                seconds, cpu = load(url, path)
                floor = bulk_insert(url, path)
                if pg_name:
                    by_table = schema_floor_postgres(url)
                else:
                    by_table = schema_floor_sqlite(Path(tmp) / "bench.db")
                rows_floor = sum(by_table.values())
            finally:
                if pg_name:
                    drop_postgres(args.postgres, pg_name)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"| {label} | {args.records:,} | {seconds:,.1f} | {args.records / seconds:,.0f} | "
                f"{args.records / floor:,.0f} | {floor / seconds:.3f} | "
                f"{args.records / rows_floor:,.0f} | "
                f"{cpu / args.records * 1e6:,.0f} | {rss:,.0f} |",
                flush=True,
            )
            slowest = sorted(by_table.items(), key=lambda item: -item[1])[:6]
            floors.append(
                f"<!-- {label} schema floor, seconds by table: "
                + ", ".join(f"{name} {spent:.1f}" for name, spent in slowest)
                + " -->"
            )
        print("\n".join(floors))


if __name__ == "__main__":
    main()
