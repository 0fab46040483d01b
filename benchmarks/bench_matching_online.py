"""Online single-record matching latency against an index held in the store.

Loads a synthetic country's health feed through ingest with the trained engine (so the
store holds children, links and blocking keys), then times ``engine.decide`` for records
of the other feeds: candidates from the indexed blocking keys, scored in-process.

    uv run python benchmarks/bench_matching_online.py --dir var/c20k --model var/models/m.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from childindex.config import Settings
from childindex.domain.source_record import Source, SourceRecord
from childindex.feeds.health import read_health
from childindex.linkage.feed_files import read_feed
from childindex.matching.engine import ModelMatchEngine
from childindex.services import ingest
from childindex.storage.database import make_engine
from childindex.storage.migrate import upgrade
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--probes", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/online.db"
    upgrade(url)
    settings = Settings(database_url=url)
    factory = SqlUnitOfWorkFactory(make_engine(settings.database_url))
    engine = ModelMatchEngine(json.loads(args.model.read_text(encoding="utf-8")))
    data = (args.dir / "health.jsonl").read_bytes()
    now = datetime.now(UTC)
    started = time.perf_counter()
    report = ingest.load_feed(
        uow_factory=factory,
        source=Source.HEALTH,
        filename="health.jsonl",
        data=data,
        lines=read_health(data, file="health.jsonl", now=now),
        actor="bench",
        now=now,
        engine=engine,
    )
    loaded = time.perf_counter() - started
    probes = [
        SourceRecord(Source.SCHOOL, rid, fields, None)
        for _, rid, fields in read_feed("school", args.dir / "school.csv")
    ][: args.probes]
    timings: list[float] = []
    with factory() as uow:
        for probe in probes:
            t0 = time.perf_counter()
            engine.decide(probe, uow.children)
            timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p99 = timings[int(len(timings) * 0.99) - 1]
    machine = f"{platform.machine()}, {os.cpu_count()} cores"
    print(f"| date | {datetime.now(UTC):%Y-%m-%d %H:%M} UTC | machine | {machine} |")
    print(f"| command | `{' '.join(sys.argv)}` | database | {url.split(':')[0]} |")
    print(f"| health records loaded with the engine | {report.accepted:,} in {loaded:.1f} s |")
    print(
        f"| online decide, {len(timings):,} school probes | p50 {p50:.2f} ms | p99 {p99:.2f} ms |"
    )


if __name__ == "__main__":
    main()
