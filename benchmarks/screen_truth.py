"""What the shield screen's shields catch, against a synthetic country's ``truth.csv``.

For a database a country's feeds were loaded into: each child the screen shielded (origin
``caution``, not lifted), its strongest caution, and whether it truly is the shielded child it
might be (it holds a record of the same person: a duplicate matching did not join). Prints a
Markdown table by caution band; with ``--model``, another by the trained model's match weight
between the two children (their best pair of records), to show what a screen gated by the
model would keep. First, what matters most: how many children a practitioner sees in full
hold a record of a child the country shields (``shielded.csv`` beside ``truth.csv``): the
seed's flaw, counted. Not a ``bench_*`` script: ``make bench`` does not run it.

    uv run python benchmarks/screen_truth.py --database-url sqlite:///var/c.db \
        --truth DIR/truth.csv [--model var/models/model.json]
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import text

from childindex import bootstrap
from childindex.config import Settings
from childindex.domain.ids import ChildId
from childindex.matching.features import features_of
from childindex.matching.scoring import TrainedScorer
from childindex.storage.database import make_engine

_LINKS = (
    "SELECT l.child_id, s.source, s.record_id FROM links l"
    " JOIN source_records s ON s.id = l.source_record_id WHERE l.ended_at IS NULL"
)
_SCREENED = "SELECT DISTINCT child_id FROM shields WHERE origin = 'caution' AND lifted_at IS NULL"
_CAUTIONS = "SELECT child_id, shielded_child_id, score FROM caution_items"
_VISIBLE = "SELECT child_id FROM children WHERE status = 'active' AND NOT shielded"
_BY_SOURCE = "SELECT DISTINCT child_id FROM shields WHERE origin = 'source' AND lifted_at IS NULL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--truth", type=Path, required=True)
    parser.add_argument("--model", type=Path, default=None, help="also bands of match weight")
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
        visible = {child for (child,) in connection.execute(text(_VISIBLE))}
        by_source = {child for (child,) in connection.execute(text(_BY_SOURCE))}
        for child, shielded, score in connection.execute(text(_CAUTIONS)):
            if child in screened and (child not in best or score > best[child][1]):
                best[child] = (shielded, float(score))
    _leaks(args.truth.with_name("shielded.csv"), persons, visible, by_source)
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
    if args.model is not None:
        _by_model(args.database_url, args.model, best, persons)


def _leaks(
    shielded_csv: Path, persons: dict[str, set[str]], visible: set[str], by_source: set[str]
) -> None:
    """Visible children holding a record of a child the country shields (the seed's flaw);
    and, for a database only part of the feeds went into, of a child a source shielded in it
    (a record of a child whose shield is in a feed not loaded yet is rightly visible)."""
    with shielded_csv.open(encoding="utf-8", newline="") as f:
        secret = {row["person_key"] for row in csv.DictReader(f)}
    told = {p for child in by_source for p in persons.get(child, set())}
    for label, hidden in (("shielded in the country", secret), ("shielded by a source", told)):
        leaking = sorted(c for c in visible if persons.get(c, set()) & hidden)
        print(
            f"{label}: {len(hidden):,} children; visible children holding a record of one: "
            f"{len(leaking):,} {leaking[:10]}"
        )


_WEIGHT_BANDS = ((0.0, "0 bits or more"), (-10.0, "-10 to 0"), (-20.0, "-20 to -10"))


def _by_model(
    url: str,
    model: Path,
    best: dict[str, tuple[str, float]],
    persons: defaultdict[str, set[str]],
) -> None:
    """The screen's shields by the model's match weight between the two children."""
    scorer = TrainedScorer(json.loads(model.read_text(encoding="utf-8")))
    container = bootstrap.build(Settings(database_url=url, model_path=model))
    shielded_by: Counter[str] = Counter()
    truly: Counter[str] = Counter()
    with container.uow_factory() as uow:
        for child, (shielded, _) in best.items():
            mine = [features_of(r.payload) for r in uow.records.current_records(ChildId(child))]
            theirs = [
                features_of(r.payload) for r in uow.records.current_records(ChildId(shielded))
            ]
            weight = max(
                (scorer.score(a, b).match_weight for a in mine for b in theirs),
                default=-float("inf"),
            )
            band = next((label for floor, label in _WEIGHT_BANDS if weight >= floor), "under -20")
            shielded_by[band] += 1
            truly[band] += bool(persons[child] & persons[shielded])
    print()
    print("| match weight between the two | shielded by the screen | truly the shielded child |")
    print("|---|---:|---:|")
    for label in [*(label for _, label in _WEIGHT_BANDS), "under -20"]:
        print(f"| {label} | {shielded_by[label]:,} | {truly[label]:,} |")


if __name__ == "__main__":
    main()
