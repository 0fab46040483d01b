"""How often an online record's blocking keys reach more stored records than are compared
(``CANDIDATE_LIMIT``), and whether its own child is then left out (ADR 0049).

Every record of a synthetic country is a probe against all the others, in memory: the keys
it looks up (``query_keys``), the records stored under them (``index_keys``), and, past the
limit, which records the store keeps, by the rule before ADR 0049 (children in a random ID
order) and by the rule now (a shared NHS number or UPN key, then the most keys shared, then
source and record id). A probe's own child is left out when records of the same person
(``truth.csv``) share a key with it but none is kept.

    uv run python benchmarks/candidate_reach.py DIR [--limit 36] [--no-birth-date]

``--limit`` below 400 stands for a bigger country: a name-and-month key grows with the
country, so 36 at 1,000,000 children is 400 at England's 11 million. ``--no-birth-date``
takes every probe's birth date away (it then stands for every month).
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from dataclasses import replace
from pathlib import Path

from childindex.linkage.feed_files import read_country, read_truth
from childindex.matching.blocking import IDENTIFIER_KEYS, index_keys, query_keys
from childindex.matching.engine import CANDIDATE_LIMIT
from childindex.matching.features import features_of


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dir", type=Path)
    parser.add_argument("--limit", type=int, default=CANDIDATE_LIMIT)
    parser.add_argument("--no-birth-date", action="store_true")
    args = parser.parse_args()
    limit: int = args.limit
    truth = read_truth(args.dir)
    uids: list[tuple[str, str]] = []
    probes = []
    by_key: dict[str, list[int]] = {}
    for n, (source, rid, payload) in enumerate(read_country(args.dir)):
        uids.append((source, rid))
        features = features_of(payload)
        for key in index_keys(features):
            by_key.setdefault(key, []).append(n)
        if args.no_birth_date:
            features = replace(features, dob=None, dob_swap=None)
        probes.append(query_keys(features))
    person = [truth[f"{source}:{rid}"] for source, rid in uids]
    rank = random.Random(1)
    child_id = {p: rank.random() for p in sorted(set(person))}  # a random ID per child
    over = reached = lost_before = lost_now = 0
    for n, keys in enumerate(probes):
        if sum(len(by_key.get(k, ())) for k in keys) <= limit + 1:  # cannot pass the limit
            continue
        shared: Counter[int] = Counter()
        identified: set[int] = set()
        for key in keys:
            for r in by_key.get(key, ()):
                shared[r] += 1
                if key.startswith(IDENTIFIER_KEYS):
                    identified.add(r)
        shared.pop(n, None)
        if len(shared) <= limit:
            continue
        over += 1
        own = {r for r in shared if person[r] == person[n]}
        if not own:
            continue
        reached += 1
        before = sorted(shared, key=lambda r: (child_id[person[r]], uids[r]))[:limit]
        now = sorted(shared, key=lambda r: (r not in identified, -shared[r], uids[r]))[:limit]
        lost_before += not own.intersection(before)
        lost_now += not own.intersection(now)
    born = "taken away" if args.no_birth_date else "kept"
    print(f"| {args.dir} | limit {limit} | birth dates {born} |")
    print(f"| probes | {len(probes):,} |")
    print(f"| past the limit | {over:,} ({over / len(probes):.1%}) |")
    print(f"| of which records of the same child share a key | {reached:,} |")
    print(f"| its child left out: by child ID (before) | {lost_before:,} |")
    print(f"| its child left out: by identifier, keys shared (ADR 0049) | {lost_now:,} |")


if __name__ == "__main__":
    main()
