"""The operator's whole path, through the CLI, scored from ``childindex export links``.

Three ways into a new index, side by side on the same synthetic country (SQLite):

* **train first**: ``matching train --from DIR``, then ``feeds load`` for the four feeds;
* **load first**: ``feeds load`` without a model (identifiers only), then ``matching train``
  on the records held and ``matching rescore``;
* **first load**: ``matching train --from DIR``, then ``feeds first-load`` of the four feeds
  at once (ADR 0026);
* **bulk**: ``matching train --from DIR``, ``feeds first-load`` of the health feed, then
  ``feeds bulk-load`` of the other three at once onto the children it made (ADR 0027).

Prints a Markdown table: seconds per step, the records per second of the feeds after the
first (each record matched against the index the feeds before it built, with the model when
it is trained first), children, pairwise precision, recall and F1 of the exported links
against ``truth.csv``, twin pairs wrongly merged (different children with the same birth
date and surname in one exported child), the share of records waiting in the review
queue, and the records of children the country shields (``shielded.csv``) that are on a
visible child (the seed's flaw: goal 0).

    uv run python benchmarks/bench_pipeline.py [--children N] [--seed S] [--ways "train first"]
"""

from __future__ import annotations

import argparse
import csv
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench_matching import count_twin_merges

from childindex.linkage.feed_files import read_country, read_truth
from childindex.linkage.training import feature_rows

FEEDS = (
    ("health", "health.jsonl"),
    ("school", "school.csv"),
    ("benefit", "benefit.csv"),
    ("la", "la.jsonl"),
)


def run(workdir: Path, database: Path, *args: str) -> float:
    """Run ``childindex ARGS`` in ``workdir`` against ``database``; return the seconds."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHILDINDEX_")}
    env["CHILDINDEX_DATABASE_URL"] = f"sqlite:///{database}"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "childindex", *args],
        cwd=workdir,
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def pair_count(groups: Counter[object]) -> int:
    return sum(n * (n - 1) // 2 for n in groups.values())


def read_links(links_path: Path) -> dict[str, str]:
    """``"source:record_id"`` -> child ID, from an exported links file."""
    with links_path.open(encoding="utf-8") as handle:
        return {f"{r['source']}:{r['record_id']}": r["child_id"] for r in csv.DictReader(handle)}


def score(truth: dict[str, str], links: dict[str, str]) -> tuple[float, float, float, int]:
    """Pairwise precision, recall, F1 of the exported links (``read_links``) against the
    truth (``read_truth``), and the number of children."""
    both = truth.keys() & links.keys()
    true_pairs = pair_count(Counter(truth[k] for k in both))
    found_pairs = pair_count(Counter(links[k] for k in both))
    agreed = pair_count(Counter((truth[k], links[k]) for k in both))
    precision = agreed / found_pairs if found_pairs else 1.0
    recall = agreed / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, len(set(links.values()))


def twins_merged(country: Path, truth: dict[str, str], links: dict[str, str]) -> int:
    """Pairs of different children (truth) with the same birth date and surname on their
    records that the exported links put in one child."""
    rows = [row for row in feature_rows(read_country(country)) if row["unique_id"] in links]
    return count_twin_merges(rows, truth, links, show=False)


def in_review(database: Path) -> int:
    """Source records with an open item in the review queue (a count read off the store)."""
    with sqlite3.connect(database) as connection:
        (count,) = connection.execute(
            "SELECT COUNT(DISTINCT source_record_id) FROM review_items WHERE status = 'open'"
        ).fetchone()
    return int(count)


def flow(name: str, country: Path, root: Path) -> str:
    """One way in, in its own directory and database; a Markdown row."""
    workdir = root / name.replace(" ", "-")
    workdir.mkdir()
    database = workdir / "index.db"
    times: dict[str, float] = {"train": 0.0, "load": 0.0, "rescore": 0.0}
    run(workdir, database, "db", "upgrade")
    if name in {"train first", "first load", "bulk"}:
        times["train"] += run(workdir, database, "matching", "train", "--from", str(country))
    later_seconds, later_records = 0.0, 0
    if name == "first load":
        files = [arg for source, file in FEEDS for arg in (f"--{source}", str(country / file))]
        times["load"] += run(workdir, database, "feeds", "first-load", *files)
    if name == "bulk":
        (first, file), *others = FEEDS
        times["load"] += run(
            workdir, database, "feeds", "first-load", f"--{first}", str(country / file)
        )
        files = [arg for source, file in others for arg in (f"--{source}", str(country / file))]
        later_seconds = run(workdir, database, "feeds", "bulk-load", *files)
        later_records = sum(records_in(country / file) for _, file in others)
        times["load"] += later_seconds
    for source, file in FEEDS if name not in {"first load", "bulk"} else ():
        seconds = run(workdir, database, "feeds", "load", source, str(country / file))
        times["load"] += seconds
        if source != FEEDS[0][0]:  # matched against the index the first feed built
            later_seconds += seconds
            later_records += records_in(country / file)
    if name == "load first":
        times["train"] += run(workdir, database, "matching", "train")
        times["rescore"] += run(workdir, database, "matching", "rescore")
    links = workdir / "links.csv"
    run(workdir, database, "export", "links", "--out", str(links))
    truth, child_of = read_truth(country), read_links(links)
    precision, recall, f1, children = score(truth, child_of)
    twins = twins_merged(country, truth, child_of)
    review = in_review(database) / len(truth)
    total = sum(times.values())
    later = f"{later_records / later_seconds:,.0f}" if later_seconds else "—"
    return (
        f"| {name} | {times['train']:.1f} | {times['load']:.1f} | "
        f"{len(truth) / times['load']:,.0f} | {later} | {times['rescore']:.1f} | "
        f"{total:.1f} | {children:,} | {precision:.5f} | {recall:.5f} | {f1:.5f} | "
        f"{twins} | {review:.2%} | {visible_shielded(country, database, truth)} |"
    )


def visible_shielded(country: Path, database: Path, truth: dict[str, str]) -> int:
    """Records of children the country shields (``shielded.csv``) on a visible child."""
    with (country / "shielded.csv").open(encoding="utf-8") as handle:
        secret = {row["person_key"] for row in csv.DictReader(handle)}
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT s.source, s.record_id FROM links l "
            "JOIN source_records s ON s.id = l.source_record_id "
            "JOIN children c ON c.child_id = l.child_id "
            "WHERE l.ended_at IS NULL AND NOT c.shielded"
        ).fetchall()
    return sum(truth.get(f"{source}:{record_id}") in secret for source, record_id in rows)


def records_in(path: Path) -> int:
    """Records in a feed file: its lines, less the header of a CSV file."""
    with path.open("rb") as handle:
        lines = sum(1 for line in handle if line.strip())
    return lines - 1 if path.suffix == ".csv" else lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--ways",
        nargs="+",
        choices=("train first", "load first", "first load", "bulk"),
        default=["train first", "load first", "first load", "bulk"],
        help="Which ways in to run (load first is the slow one on a big country).",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        root = Path(tmp)
        country = root / "country"
        run(
            root,
            root / "unused.db",
            "synth",
            "--children",
            str(args.children),
            "--seed",
            str(args.seed),
            "--out",
            str(country),
        )
        with (country / "truth.csv").open(encoding="utf-8") as handle:
            records = sum(1 for _ in handle) - 1
        print(
            f"{args.children:,} children, {records:,} records over the four feeds "
            f"(seed {args.seed}); SQLite; every step is the CLI.\n"
        )
        print(
            "| way in | train s | load s | records/s | later feeds records/s | rescore s | "
            "total s | children | precision | recall | F1 | twins merged | in review | "
            "shielded people's records on visible children |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name in args.ways:
            print(flow(name, country, root), flush=True)
        print(
            "\nScored from `childindex export links` against `truth.csv`, as an outside check "
            "would. *Records/s*: every record of the four feeds over the load seconds. "
            "*Twins merged*: pairs of different children with the same birth date and "
            "surname in one exported child (goal 0). *In review*: records with an open review "
            "item, as a share of all records (goal at most 1%). *Later feeds records/s*: the "
            "school, benefit and LA feeds' records over "
            "their load seconds, each record matched against the index the feeds before it "
            "built (with the trained model when it was trained first); CLI start-up (about "
            "1.5 s a command here) included."
        )


if __name__ == "__main__":
    main()
