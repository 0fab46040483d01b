"""``make bench``: run every ``benchmarks/bench_*.py`` and write ``BENCHMARKS.md``.

Each benchmark is a script that prints Markdown (a heading-free table or lines). They run one
after another, never at the same time (the machine has two shared cores), and the file records
the machine, the date and the command of each.

    uv run python benchmarks/run.py [--only synth,feeds] [--quick]

With ``--only``, the other sections already in ``BENCHMARKS.md`` are kept as they were (each
section carries its own date), so one benchmark can be re-run without re-running them all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "BENCHMARKS.md"
# Arguments for a quick run (a smoke test of the benchmarks themselves, not for figures).
QUICK = {
    "synth": ["--children", "20000"],
    "review": ["--items", "5000", "--authorities", "10", "--runs", "2"],
}


def machine() -> str:
    """CPU model, cores visible, memory and Python version."""
    cpu = platform.machine()
    for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {len(os.sched_getaffinity(0))} cores, {memory:.0f} GiB, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def kept_sections(wanted: set[str]) -> dict[str, str]:
    """The sections of the existing report that are not being re-run, by name."""
    if not OUT.is_file():
        return {}
    parts = re.split(r"^## ", OUT.read_text(encoding="utf-8"), flags=re.MULTILINE)[1:]
    sections = {part.split("\n", 1)[0].strip(): "## " + part.rstrip() + "\n" for part in parts}
    return {name: text for name, text in sections.items() if name not in wanted}


def main() -> None:
    """Run the benchmarks and write the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help="comma-separated names (the part after bench_)")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    args = parser.parse_args()
    wanted = set(args.only.split(",")) if args.only else None
    sections: dict[str, str] = kept_sections(wanted) if wanted else {}
    for script in sorted(HERE.glob("bench_*.py")):
        name = script.stem.removeprefix("bench_")
        if wanted is not None and name not in wanted:
            continue
        command = [sys.executable, str(script), *(QUICK.get(name, []) if args.quick else [])]
        shown = " ".join(["uv run python", f"benchmarks/{script.name}", *command[2:]])
        print(f"== {shown}", flush=True)
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        took = time.perf_counter() - started
        body = (
            done.stdout.strip()
            if done.returncode == 0
            else f"FAILED:\n```\n{done.stderr[-2000:]}\n```"
        )
        print(body, flush=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        sections[name] = (
            f"## {name}\n\nCommand: `{shown}` ({took:.0f} s), run {stamp} on this machine.\n\n"
            f"{body}\n"
        )
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = (
        "# Benchmarks\n\n"
        f"Written by `make bench` on {stamp} (each section says when it last ran).\n\n"
        f"Machine: {machine()}.\n\n"
        "The machine is shared and noisy (2 cores): compare ratios measured in the same run, "
        "not absolute figures across runs.\n"
    )
    ordered = [sections[name] for name in sorted(sections)]
    OUT.write_text(header + "\n" + "\n".join(ordered), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
