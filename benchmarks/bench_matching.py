"""Matching quality and batch speed on a synthetic country: prints Markdown rows.

    uv run python benchmarks/bench_matching.py --children 100000 --seed 7

Generates the country (all four feeds), trains the model, clusters every record
(identifier rules + model + thresholds) and scores the clustering against truth.csv.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from childindex.linkage.batch import cluster
from childindex.linkage.feed_files import read_country, read_truth
from childindex.linkage.training import feature_rows, train, write_model
from childindex.matching.thresholds import LINK, MODEL_VERSION, REVIEW


def pairs(groups: Counter[Any]) -> int:
    return sum(n * (n - 1) // 2 for n in groups.values())


_SHOWN = ("unique_id", "forename", "forenames", "surname", "dob", "sex", "postcode", "address",
          "nhs_number", "upn")  # fmt: skip


def _show_twins(left: list[dict[str, object]], right: list[dict[str, object]]) -> None:
    """Print both children's records (synthetic data) so a wrong merge can be explained."""
    print("twin merge:", file=sys.stderr)
    for side, records in (("A", left), ("B", right)):
        for row in records:
            print(f"  {side}", *(f"{key}={row[key]}" for key in _SHOWN), file=sys.stderr)


def count_twin_merges(
    rows: list[dict[str, object]],
    truth: dict[str, str],
    cluster_of: dict[str, str],
    *,
    show: bool,
) -> int:
    """Pairs of different children with the same birth date and family name on their
    records, wrongly put in one cluster (each printed to stderr when ``show``)."""
    births: defaultdict[str, set[tuple[object, object]]] = defaultdict(set)
    records_of: defaultdict[str, list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        person = truth[str(row["unique_id"])]
        births[person].add((row["dob"] or "", row["surname"] or ""))
        records_of[person].append(row)
    persons_in: defaultdict[str, set[str]] = defaultdict(set)
    for uid, c in cluster_of.items():
        persons_in[c].add(truth[uid])
    merges = 0
    for persons in persons_in.values():
        listed = sorted(persons)
        for i, a in enumerate(listed):
            for b in listed[i + 1 :]:
                if births[a] & births[b]:
                    merges += 1
                    if show:
                        _show_twins(records_of[a], records_of[b])
    return merges


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=None, help="an existing country")
    parser.add_argument(
        "--model", type=Path, default=None,
        help="a model file: read it if it exists (no training), else train and write it",
    )  # fmt: skip
    parser.add_argument("--show-twins", action="store_true", help="print each twin merge")
    args = parser.parse_args()
    directory = args.dir or Path(tempfile.mkdtemp(prefix="bench-matching-"))
    if args.dir is None:
        subprocess.run(
            [sys.executable, "-m", "childindex", "synth", "--children", str(args.children),
             "--seed", str(args.seed), "--out", str(directory)],
            check=True, capture_output=True,
        )  # fmt: skip
    truth = read_truth(directory)
    started = time.perf_counter()
    rows = feature_rows(read_country(directory))
    if args.model is not None and args.model.exists():
        model = json.loads(args.model.read_text(encoding="utf-8"))
    else:
        model = train(rows, seed=args.seed)
        if args.model is not None:
            write_model(model, args.model)
    trained = time.perf_counter()
    result = cluster(rows, model)
    clustered = time.perf_counter()

    predicted = Counter(result.cluster_of.values())
    true = Counter(truth[uid] for uid in result.cluster_of)
    both = Counter((c, truth[uid]) for uid, c in result.cluster_of.items())
    tp, pp, ap = pairs(both), pairs(predicted), pairs(true)
    precision, recall = tp / pp if pp else 1.0, tp / ap if ap else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    twin_merges = count_twin_merges(rows, truth, result.cluster_of, show=args.show_twins)
    in_review = {uid for a, b, _ in result.review_pairs for uid in (a, b)}

    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    print(f"| date | {datetime.now(UTC):%Y-%m-%d %H:%M} UTC | machine | {machine} |")
    print(f"| command | `{' '.join(sys.argv)}` | model | {MODEL_VERSION} |")
    print(f"| children (truth persons) | {len(set(truth.values())):,} | records | {len(rows):,} |")
    print(f"| thresholds | LINK {LINK}, REVIEW {REVIEW} | scored pairs | {result.scored_pairs:,} |")
    print(f"| pairwise precision | {precision:.5f} | recall | {recall:.5f} |")
    print(f"| F1 | {f1:.5f} | twin pairs wrongly merged | {twin_merges} |")
    share = len(in_review) / len(rows)
    print(f"| review queue (records) | {len(in_review):,} | share | {share:.3%} |")
    print(
        f"| train (s) | {trained - started:.1f} | batch cluster (s) | {clustered - trained:.1f} |"
    )
    rate = len(rows) / (clustered - trained)
    print(f"| batch throughput (records/s) | {rate:,.0f} | | |")


if __name__ == "__main__":
    main()
