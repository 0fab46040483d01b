"""Time the shield screen's candidate query (``ShieldStore.candidates``) on a loaded index.

Every write path asks it for each child it touches (shielded candidates), and a shielded
child's writes ask it for visible ones too. Picks children at random (seeded) from the
database named by ``CHILDINDEX_DATABASE_URL`` (or ``--database-url``), asks for each one's
candidates both ways, and prints a Markdown row. To compare two versions of the code, run
it twice on the same database, with ``PYTHONPATH`` pointing at each one's ``src``.

    uv run python benchmarks/bench_screen_query.py --database-url sqlite:///var/childindex.db
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

from sqlalchemy import select

from childindex.bootstrap import build
from childindex.config import Settings
from childindex.domain.shield import blocking_keys
from childindex.storage.models import SearchKeyRow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("CHILDINDEX_DATABASE_URL"))
    parser.add_argument("--asks", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    settings = Settings() if not args.database_url else Settings(database_url=args.database_url)
    container = build(settings)
    with container.uow_factory.engine.connect() as connection:  # type: ignore[attr-defined]
        ids = sorted(connection.scalars(select(SearchKeyRow.child_id)))
    with container.uow_factory() as uow:
        chosen = random.Random(args.seed).sample(ids, min(args.asks, len(ids)))
        profiles = [p for p in (uow.shields.profile(c) for c in chosen) if p is not None]
        cells = []
        for shielded in (True, False):
            uow.shields.candidates(blocking_keys(profiles[0]), shielded=shielded)  # warm
            times, found = [], 0
            for profile in profiles:
                keys = blocking_keys(profile)
                start = time.perf_counter()
                found += len(uow.shields.candidates(keys, shielded=shielded))
                times.append((time.perf_counter() - start) * 1000)
            times.sort()
            cells += [
                f"{statistics.median(times):.2f}",
                f"{times[int(0.99 * (len(times) - 1))]:.2f}",
                f"{found / len(profiles):.1f}",
            ]
    print(
        "| children | asks | shielded: p50 ms | p99 ms | found | visible: p50 ms | p99 ms "
        "| found |\n|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    print(f"| {len(ids):,} | {len(profiles):,} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
