"""Benchmark the shield screen's cost on a health load, and the nightly monitor.

Synthesises a country (``childindex synth``, shielded rate 0.5%), loads its health feed
into a fresh SQLite database twice — once with the caution rule, once with it switched off
— and runs ``shield monitor``'s service on the first. Prints Markdown rows with the
machine, date and command.

    uv run python benchmarks/bench_shield.py [--children N] [--seed S]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from childindex.domain.shield import ShieldRule
from childindex.domain.source_record import Source
from childindex.feeds.health import read_health
from childindex.matching.ports import MatchEngine
from childindex.services import ingest, shield_monitor
from childindex.services.ports import UnitOfWorkFactory
from childindex.services.shield_screen import DEFAULT_RULE
from childindex.storage.cipher import FieldCipher, new_key
from childindex.storage.database import make_engine
from childindex.storage.migrate import upgrade
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory
from childindex.synth import generate


def _machine() -> str:
    cpu = platform.machine()
    for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{cpu}, {len(os.sched_getaffinity(0))} CPUs, Python {platform.python_version()}"


def timed_health_load(
    factory: UnitOfWorkFactory,
    data: bytes,
    *,
    rule: ShieldRule = DEFAULT_RULE,
    engine: MatchEngine | None = None,
) -> tuple[float, ingest.LoadReport]:
    """Load a health feed's bytes as the CLI does; the seconds it took, and its report."""
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
        rule=rule,
        engine=engine,
    )
    return time.perf_counter() - started, report


def _load(
    directory: Path, data: bytes, rule: ShieldRule, name: str
) -> tuple[float, tuple[ingest.LoadReport, SqlUnitOfWorkFactory]]:
    url = f"sqlite:///{directory / name}"
    upgrade(url)
    factory = SqlUnitOfWorkFactory(make_engine(url), cipher=FieldCipher(new_key()))
    took, report = timed_health_load(factory, data, rule=rule)
    return took, (report, factory)


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the shield screen.")
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-shield-") as tmp:
        out = Path(tmp)
        generate(args.children, args.seed, out / "feeds", shielded_rate=0.005)
        data = (out / "feeds" / "health.jsonl").read_bytes()
        with_screen, (report, factory) = _load(out, data, DEFAULT_RULE, "with.db")
        without, _ = _load(out, data, ShieldRule(caution=None), "without.db")
        started = time.perf_counter()
        monitored = shield_monitor.monitor(
            uow=factory(),
            actor="bench",
            now=datetime.now(UTC),
        )
        monitor_time = time.perf_counter() - started
    records = report.read
    print(f"<!-- {datetime.now(UTC):%Y-%m-%d}, {_machine()}, `{' '.join(sys.argv)}` -->")
    print(
        "| children | health records | load with screen | load without | overhead "
        "| shielded | cautioned | monitor: shielded / compared / hits / time |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {args.children:,} | {records:,} | {with_screen:.1f} s ({records / with_screen:,.0f}/s) "
        f"| {without:.1f} s ({records / without:,.0f}/s) | {with_screen / without - 1:+.0%} "
        f"| {report.shielded:,} | {report.cautioned:,} "
        f"| {monitored.shielded:,} / {monitored.compared:,} / {len(monitored.hits)} "
        f"/ {monitor_time:.2f} s |"
    )


if __name__ == "__main__":
    main()
