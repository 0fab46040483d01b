"""Benchmark ``childindex synth``: a 1,000,000-child country into a temporary directory.

Prints a Markdown table row: children, worker processes, records, wall time, children per
second, CPU time (this process and its workers), peak RSS of this process and of the
largest worker (``resource.getrusage`` ``ru_maxrss``), output size and the machine.

    uv run python benchmarks/bench_synth.py [--children N] [--seed S] [--workers W]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

from childindex.synth.parts import Country, write_country


def _machine() -> str:
    cpu = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cpus = len(os.sched_getaffinity(0))
    return f"{cpu}, {cpus} CPUs, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark childindex synth.")
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None, help="default: automatic")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as tmp:
        out = Path(tmp)
        started = time.perf_counter()
        tally = write_country(Country(args.children, args.seed), out, workers=args.workers)
        elapsed = time.perf_counter() - started
        size = sum(path.stat().st_size for path in out.iterdir() if path.is_file())
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime
    records = sum(tally.records.values())
    print(
        "| children | workers | records | wall time | children/s | CPU time "
        "| peak RSS (main) | peak RSS (worker) | output | machine |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {tally.children:,} | {args.workers or 'auto'} | {records:,} | {elapsed:.1f} s "
        f"| {tally.children / elapsed:,.0f} | {cpu:.1f} s | {own.ru_maxrss / 1024:.0f} MiB "
        f"| {workers.ru_maxrss / 1024:.0f} MiB | {size / 2**20:,.0f} MiB | {_machine()} |"
    )


if __name__ == "__main__":
    main()
