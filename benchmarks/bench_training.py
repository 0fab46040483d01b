"""Benchmark ``childindex matching train --from``: training time, peak memory and the weights
that say whether the model is sound, on a synthetic country.

Each size is synthesised into a temporary directory (or ``--dir`` is used as it is) and
trained on in a process of its own, so its peak RSS (``ru_maxrss`` of that child) is the
training's alone. Prints a Markdown table: children, records, seconds, peak RSS, and the
weights (bits) of a different birth date and a different NHS number, which a model swamped
by namesakes gets wrong (about -7 and -2 in a sound one; see BENCHMARKS.md).

    uv run python benchmarks/bench_training.py [--children 100000,1000000] [--dir DIR]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def _bits(level: dict[str, float]) -> float:
    return math.log2(level["m"] / level["u"])


def _run(*args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "childindex", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"childindex {' '.join(args)} failed:\n{done.stderr[-2000:]}")


def _peak_of(command: list[str]) -> tuple[float, float]:
    """Run ``command`` (in a process of its own); its wall seconds and peak RSS in GiB."""
    code = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "t = time.perf_counter() - t\n"
        "if done.returncode: sys.exit(done.stderr[-2000:])\n"
        "print(t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *command], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    seconds, peak_kib = done.stdout.split()
    return float(seconds), int(peak_kib) / 2**20


def _row(country: Path, children: str) -> str:
    with tempfile.TemporaryDirectory(prefix="bench-training-model-") as tmp:
        out = Path(tmp) / "model.json"
        train = ["matching", "train", "--from", str(country), "--out", str(out)]
        seconds, peak = _peak_of([sys.executable, "-m", "childindex", *train])
        model = json.loads(out.read_text(encoding="utf-8"))
    levels = model["levels"]
    return (
        f"| {children} | {model['records']:,} | {seconds:,.0f} | {peak:.1f} "
        f"| {_bits(levels['dob']['else']):.1f} | {_bits(levels['nhs_number']['else']):.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", default="100000", help="comma-separated sizes")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, help="train on this country instead")
    args = parser.parse_args()
    print(f"Load average at start: {os.getloadavg()[0]:.1f}.")
    print()
    print(
        "| children | records | train s | peak RSS GiB "
        "| a different birth date, bits | a different NHS number, bits |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    if args.dir is not None:
        print(_row(args.dir, args.dir.name), flush=True)
        return
    for size in (int(s) for s in args.children.split(",")):
        with tempfile.TemporaryDirectory(prefix="bench-training-") as tmp:
            _run("synth", "--children", str(size), "--seed", str(args.seed), "--out", tmp)
            print(_row(Path(tmp), f"{size:,}"), flush=True)


if __name__ == "__main__":
    main()
