"""The review queue at national scale (issue 5 item 7): one page of an officer's queue with
``--items`` open items in the store spread over ``--authorities`` authorities, listed the old
way (every open item read, the rule applied to each: ``list_review(narrow=False)``) and the
new way (storage narrows in SQL to the items that could be routed to the viewer, then the
same rule: ``narrow=True``), side by side on the same store, on SQLite and, when it answers
at 127.0.0.1:5432, PostgreSQL.

The store is written with bulk inserts (children, one source record per item, items; 1% of
children shielded by an officer, 2% of items queued for no authority, 1% caution items), not
through ingest: this measures listing, not loading. Times are the median of ``--runs``.

    uv run python benchmarks/bench_review.py [--items N] [--authorities A] [--runs R]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.engine import make_url

from childindex.domain.ids import ChildId
from childindex.domain.permissions import Role, permissions_for
from childindex.policy.viewer import Viewer
from childindex.services.review import list_review
from childindex.storage.cipher import FieldCipher, new_key
from childindex.storage.database import make_engine
from childindex.storage.migrate import upgrade
from childindex.storage.models import (
    CautionItemRow,
    ChildRow,
    ReviewItemRow,
    ShieldRow,
    SourceRecordRow,
)
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BATCH = 5_000


def _chunks(rows: list[dict[str, object]]) -> Iterator[list[dict[str, object]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def fill(engine: Engine, *, items: int, authorities: int, seed: int) -> list[str]:
    """Write the store; return the authority codes."""
    pick = random.Random(seed)
    codes = [str(801 + n) for n in range(authorities)]
    children: list[dict[str, object]] = []
    by_code: dict[str, list[str]] = {code: [] for code in codes}
    for number in range(items + items // 5):
        # 2% with no authority yet (no la record, district not mapped): the national queue's.
        code = codes[number % authorities]
        home: str | None = None if pick.random() < 0.02 else code
        child_id = ChildId.new().value
        children.append(
            {
                "child_id": child_id,
                "status": "active",
                "la_code": home,
                "shielded": pick.random() < 0.01,
                "details": "-",  # never opened by listing
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
        by_code[code].append(child_id)
    shields = [
        {
            "child_id": c["child_id"],
            "origin": "officer",
            "reason": "bench",
            "set_by": "bench",
            "set_at": NOW,
        }
        for c in children
        if c["shielded"]
    ]
    records = [
        {"id": n + 1, "source": "la", "record_id": f"B{n}", "shielded": False, "created_at": NOW}
        for n in range(items)
    ]
    matches: list[dict[str, object]] = []
    cautions: list[dict[str, object]] = []
    for number in range(items):
        code = codes[number % authorities]
        # Mostly pairs within one authority; one in ten across two.
        other = pick.choice(codes) if pick.random() < 0.1 else code
        first, second = pick.choice(by_code[code]), pick.choice(by_code[other])
        queued: str | None = None if pick.random() < 0.02 else code
        if number % 100 == 0:
            cautions.append(
                {
                    "kind": "caution",
                    "child_id": first,
                    "shielded_child_id": second,
                    "la_code": queued,
                    "score": 0.4,
                    "status": "open",
                    "created_at": NOW,
                }
            )
            continue
        matches.append(
            {
                "source_record_id": number + 1,
                "record_child_id": first,
                "candidate_child_id": second,
                "probability": 0.5,
                "weights": {"forename": 1.5, "dob": -2.0},
                "la_code": queued,
                "status": "open",
                "created_at": NOW,
            }
        )
    with engine.begin() as connection:
        for table, rows in (
            (ChildRow, children),
            (ShieldRow, shields),
            (SourceRecordRow, records),
            (ReviewItemRow, matches),
            (CautionItemRow, cautions),
        ):
            for chunk in _chunks(rows):
                connection.execute(insert(table), chunk)
        connection.execute(text("ANALYZE"))  # as a long-running store would have
    return codes


def _median_ms(call: Callable[[], object], runs: int) -> tuple[float, object]:
    times = []
    result: object = None
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def measure(url: str, label: str, args: argparse.Namespace) -> list[str]:
    """Fill a store at ``url`` and time both listings for an officer and an admin."""
    upgrade(url)
    engine = make_engine(url)
    started = time.perf_counter()
    codes = fill(engine, items=args.items, authorities=args.authorities, seed=args.seed)
    filled = time.perf_counter() - started
    factory = SqlUnitOfWorkFactory(engine, cipher=FieldCipher(new_key()))
    officer = Viewer(
        user_id=1,
        username="officer",
        role=Role.LA_OFFICER,
        la_code=codes[0],
        permissions=permissions_for(Role.LA_OFFICER),
        shield_clearance_las=frozenset({codes[0]}),
    )
    admin = Viewer(
        user_id=2,
        username="admin",
        role=Role.ADMIN,
        la_code=None,
        permissions=permissions_for(Role.ADMIN),
    )
    lines = []
    for who, viewer in (("officer of one authority", officer), ("national admin", admin)):
        timed = {}
        for narrow in (False, True):
            call = partial(list_review, viewer=viewer, now=NOW, narrow=narrow)

            def page(call: Callable[..., object] = call) -> object:
                return call(uow=factory())

            ms, listed = _median_ms(page, args.runs)
            timed[narrow] = (ms, listed)
        (before, old), (after, new) = timed[False], timed[True]
        if old != new:
            raise SystemExit("the narrowed page differs from the rule applied to every item")
        total = getattr(new, "total", 0)
        lines.append(
            f"| {label} | {who} | {total:,} | {before:,.0f} | {after:,.0f} "
            f"| {before / after:,.1f} x |"
        )
    engine.dispose()
    print(f"<!-- {label}: store filled in {filled:.0f} s -->")
    return lines


@contextmanager
def scratch_postgres() -> Iterator[str | None]:
    """A fresh database on the local PostgreSQL, dropped afterwards (None if none answers)."""
    name = f"bench_review_{random.randrange(10**9)}"
    try:
        server = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:  # noqa: BLE001 - no server: the SQLite figures stand alone
        yield None
        return
    try:
        yield make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def main() -> None:
    """Build both stores, time both listings, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--authorities", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    lines = []
    with tempfile.TemporaryDirectory() as directory:
        lines += measure(f"sqlite:///{Path(directory) / 'review.db'}", "SQLite", args)
    with scratch_postgres() as url:
        if url is not None:
            lines += measure(url, "PostgreSQL", args)
    print(
        "| database | viewer | items they may know of | before: rule over every open item, "
        "ms | after: narrowed in SQL, then the rule, ms | speed-up |"
    )
    print("|---|---|---:|---:|---:|---:|")
    for line in lines:
        print(line)
    print(
        f"\n{args.items:,} open items ({args.items // 100:,} of them caution items) over "
        f"{args.authorities} authorities, {args.items + args.items // 5:,} children (1% "
        "shielded, 2% with no authority), 2% of items queued for none; one page (50 items) "
        f"of `list_review`, median of {args.runs} runs, each in its own unit of work with "
        "its audit entry. Both ways give the same page (checked)."
    )


if __name__ == "__main__":
    main()
