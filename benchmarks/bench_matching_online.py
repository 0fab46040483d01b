"""Online single-record matching latency against an index held in the store.

Loads a synthetic country's health feed through ingest with the trained engine (so the
store holds children, links and blocking keys), then times ``engine.decide`` for records
of the other feeds: candidates from the indexed blocking keys, scored in-process.

    uv run python benchmarks/bench_matching_online.py        # a 20,000-child country, trained
    uv run python benchmarks/bench_matching_online.py --dir var/c20k --model var/models/m.json

``--loaded`` times against a database that already holds the country's health feed
(``--database-url``), loaded by ``childindex feeds load`` with the same data key: a big index
is loaded once. ``--no-birth-date`` takes the probes' birth dates away: each then looks up
its name for every month, which on a big index reaches ``CANDIDATE_LIMIT`` (ADR 0049).
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bench_shield import timed_health_load
from sqlalchemy import text

from childindex import bootstrap
from childindex.config import Settings
from childindex.domain.source_record import Source, SourceRecord
from childindex.linkage.feed_files import read_feed
from childindex.storage.database import make_engine
from childindex.storage.migrate import upgrade


def _country(children: int, seed: int) -> tuple[Path, Path]:
    """A synthetic country in a temporary directory, and a model trained on its feeds."""
    directory = Path(tempfile.mkdtemp(prefix="bench-online-"))
    model = directory / "model.json"
    cli = [sys.executable, "-m", "childindex"]
    subprocess.run(
        [*cli, "synth", "--children", str(children), "--seed", str(seed), "--out", str(directory)],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [*cli, "matching", "train", "--from", str(directory)],
        check=True,
        capture_output=True,
        env={**os.environ, "CHILDINDEX_MODEL_PATH": str(model)},
    )
    return directory, model


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, default=None, help="an existing country")
    parser.add_argument("--model", type=Path, default=None, help="a model trained on it")
    parser.add_argument("--children", type=int, default=20_000, help="without --dir")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--probes", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--no-birth-date", action="store_true", help="probes without one")
    parser.add_argument(
        "--loaded", action="store_true", help="the database already holds the health feed"
    )
    args = parser.parse_args()
    if args.loaded and not args.database_url:
        parser.error("--loaded needs --database-url")
    if (args.dir is None) != (args.model is None):
        parser.error("--dir and --model go together")
    directory, model = (args.dir, args.model) if args.dir else _country(args.children, args.seed)
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/online.db"
    if not args.loaded:
        upgrade(url)
    container = bootstrap.build(Settings(database_url=url, model_path=model))
    factory, engine = container.uow_factory, container.engine
    if args.loaded:
        with make_engine(url).connect() as connection:
            held = connection.scalar(text("SELECT count(*) FROM source_records"))
        loaded_line = f"| health records held (loaded before) | {held:,} |"
    else:
        data = (directory / "health.jsonl").read_bytes()
        loaded, report = timed_health_load(factory, data, engine=engine)
        loaded_line = (
            f"| health records loaded with the engine | {report.accepted:,} in {loaded:.1f} s |"
        )
    school = read_feed("school", directory / "school.csv")
    probes = [
        SourceRecord(
            Source.SCHOOL,
            rid,
            {**fields, "birth_date": None} if args.no_birth_date else fields,
            None,
        )
        for _, rid, fields in itertools.islice(school, args.probes)
    ]
    timings: list[float] = []
    kinds: Counter[str] = Counter()
    compared: list[int] = []
    with factory() as uow:
        for probe in probes:
            t0 = time.perf_counter()
            decision = engine.decide(probe, uow.children)
            timings.append((time.perf_counter() - t0) * 1000)
            kinds[decision.kind.value] += 1
            compared.append(len(decision.candidates))
    timings.sort()
    p50 = statistics.median(timings)
    p99 = timings[int(len(timings) * 0.99) - 1]
    machine = f"{platform.machine()}, {os.cpu_count()} cores"
    print(f"| date | {datetime.now(UTC):%Y-%m-%d %H:%M} UTC | machine | {machine} |")
    print(f"| command | `{' '.join(sys.argv)}` | database | {url.split(':')[0]} |")
    print(loaded_line)
    print(
        f"| online decide, {len(timings):,} school probes | p50 {p50:.2f} ms | p99 {p99:.2f} ms |"
    )
    # A check on the figures: probes that found no candidate would be quick and wrong.
    print(f"| decisions | {', '.join(f'{k} {n:,}' for k, n in sorted(kinds.items()))} |")
    median, most = statistics.median(compared), max(compared)
    print(f"| children compared by a decision | median {median:g}, max {most} |")


if __name__ == "__main__":
    main()
