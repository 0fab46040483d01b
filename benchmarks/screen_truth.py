"""What the shield screen's shields catch, against a synthetic country's ``truth.csv``.

For a database a country's feeds were loaded into: each child the screen shielded (origin
``caution``, not lifted), its strongest caution, and whether it truly is the shielded child it
might be (it holds a record of the same person: a duplicate matching did not join). Prints a
Markdown table by caution band. Not a ``bench_*`` script: ``make bench`` does not run it.

    uv run python benchmarks/screen_truth.py --database-url sqlite:///var/c.db --truth DIR/truth.csv
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import text

from childindex.storage.database import make_engine

_LINKS = (
    "SELECT l.child_id, s.source, s.record_id FROM links l"
    " JOIN source_records s ON s.id = l.source_record_id WHERE l.ended_at IS NULL"
)
_SCREENED = "SELECT DISTINCT child_id FROM shields WHERE origin = 'caution' AND lifted_at IS NULL"
_CAUTIONS = "SELECT child_id, shielded_child_id, score FROM caution_items"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--truth", type=Path, required=True)
    args = parser.parse_args()
    with args.truth.open(encoding="utf-8", newline="") as f:
        truth = {(row["source"], row["record_id"]): row["person_key"] for row in csv.DictReader(f)}
    persons: defaultdict[str, set[str]] = defaultdict(set)
    best: dict[str, tuple[str, float]] = {}
    with make_engine(args.database_url).connect() as connection:
        for child, source, record_id in connection.execute(text(_LINKS)):
            if (source, record_id) in truth:
                persons[child].add(truth[(source, record_id)])
        screened = {child for (child,) in connection.execute(text(_SCREENED))}
        for child, shielded, score in connection.execute(text(_CAUTIONS)):
            if child in screened and (child not in best or score > best[child][1]):
                best[child] = (shielded, float(score))
    bands: Counter[float] = Counter()
    truly: Counter[float] = Counter()
    for child, (shielded, score) in best.items():
        band = min(int(score * 10) / 10, 1.0)
        bands[band] += 1
        truly[band] += bool(persons[child] & persons[shielded])
    print(f"children shielded by the screen: {len(screened):,} ({len(best):,} with a caution)")
    print("| strongest caution | shielded by the screen | truly the shielded child |")
    print("|---|---:|---:|")
    for band in sorted(bands):
        label = "1.0 (an identifier)" if band == 1.0 else f"{band:.1f} to {band + 0.1:.1f}"
        print(f"| {label} | {bands[band]:,} | {truly[band]:,} |")


if __name__ == "__main__":
    main()
