"""How far a shield spreads through a synthetic country: the literal transitive screen
(ADR 0004) beside the chained one (ADR 0011), taking the first chain met or the strongest,
on the same children, in one run.

For every child its source shields, the screen shields each visible child scoring at or above
CAUTION against it, then against each child shielded so, and so on. The literal rule scores
every link at full strength; the chained rule multiplies the scores along the chain. Uses the
screen's own pure functions (``domain/shield.py``) and its blocking keys, on the health feed of
``childindex synth`` (one record per child, postcode in clear: this is a measurement, not a
store). Cascades are cut at ``--cap`` children.

    uv run python benchmarks/bench_shield_cascade.py [--children N] [--seed S] [--cap C]
"""

from __future__ import annotations

import argparse
import heapq
import json
import tempfile
import time
from collections import defaultdict
from collections.abc import Hashable
from datetime import date
from functools import partial
from pathlib import Path

from childindex.domain.shield import ScreenProfile, ShieldRule, blocking_keys
from childindex.matching.thresholds import CAUTION
from childindex.synth import generate


def _profiles(path: Path) -> list[ScreenProfile]:
    found = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            try:
                born: date | None = date.fromisoformat(record.get("birth_date") or "")
            except ValueError:
                born = None
            found.append(
                ScreenProfile(
                    child_id=record["record_id"],
                    given_name=record.get("given_name") or "",
                    family_name=record.get("family_name") or "",
                    birth_date=born,
                    nhs_number=record.get("nhs_number"),
                    postcode=(record.get("postcode") or "").replace(" ", "").upper() or None,
                    sex=record.get("sex") if record.get("sex") in {"F", "M"} else None,
                    shielded=bool(record.get("sensitive")),
                )
            )
    return found


def _keys(profile: ScreenProfile) -> list[Hashable]:
    """The screen's candidate rule (``storage/repositories/shields.py``) as lookup keys."""
    keys = blocking_keys(profile)
    out: list[Hashable] = [("d", day) for day in keys.birth_dates]
    for kind, value in (("g", keys.given_sound), ("f", keys.family_sound), ("i", keys.initials)):
        if value:
            out.append((kind, keys.birth_year, value))
    for kind, exact in (("n", keys.nhs_number), ("p", keys.postcode)):
        if exact:
            out.append((kind, exact))
    if keys.birth_day_month:
        out.append(("md", keys.birth_day_month, keys.sex))
    return out


def _cascade(
    start: int, profiles: list[ScreenProfile], near: dict[int, set[int]], *, chained: bool, cap: int
) -> int:
    rule = ShieldRule(caution=CAUTION)
    strength = {start: 1.0}
    pending = [start]
    while pending and len(strength) <= cap:
        current = pending.pop()
        shielded = ScreenProfile(
            **{
                **{f: getattr(profiles[current], f) for f in ScreenProfile.__dataclass_fields__},
                "shielded": True,
                "strength": strength[current] if chained else 1.0,
            }
        )
        for other in near[current]:
            if profiles[other].shielded or other in strength:
                continue
            hits = rule.cautions(profiles[other], [shielded])
            if hits:
                strength[other] = hits[0].score
                pending.append(other)
    return len(strength) - 1


def _strongest(
    start: int, profiles: list[ScreenProfile], near: dict[int, set[int]], *, cap: int
) -> int:
    """The chained rule as the screen walks it since ADR 0011's order rule: strongest chain
    first (best-first), so each child gets the strongest product over chains, whatever
    order children are met in."""
    rule = ShieldRule(caution=CAUTION)
    strength = {start: 1.0}
    queue = [(-1.0, start)]
    walked: set[int] = set()
    while queue and len(strength) <= cap:
        score, current = heapq.heappop(queue)
        if current in walked:
            continue
        walked.add(current)
        shielded = ScreenProfile(
            **{
                **{f: getattr(profiles[current], f) for f in ScreenProfile.__dataclass_fields__},
                "shielded": True,
                "strength": -score,
            }
        )
        for other in near[current]:
            if profiles[other].shielded or other in walked:
                continue
            hits = rule.cautions(profiles[other], [shielded])
            if hits and hits[0].score > strength.get(other, 0.0):
                strength[other] = hits[0].score
                heapq.heappush(queue, (-hits[0].score, other))
    return len(strength) - 1


def main() -> None:
    """Synthesise, index, measure both rules, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--cap", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory)
        generate(args.children, args.seed, out)
        profiles = _profiles(out / "health.jsonl")
    index: dict[Hashable, set[int]] = defaultdict(set)
    for number, profile in enumerate(profiles):
        for key in _keys(profile):
            index[key].add(number)
    near: dict[int, set[int]] = defaultdict(set)
    for members in index.values():
        if len(members) < 5_000:  # keys shared by thousands are not how the screen finds twins
            for number in members:
                near[number] |= members - {number}
    roots = [n for n, p in enumerate(profiles) if p.shielded]
    print(
        "| rule | shielded by source | shielded by the screen (sum of the cascades) "
        "| largest cascade | cascades cut at cap | s |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    rules = (
        ("literal (ADR 0004)", partial(_cascade, chained=False)),
        (
            "chained, first chain met (ADR 0011 before its order rule)",
            partial(_cascade, chained=True),
        ),
        ("chained, strongest chain (ADR 0011, order)", _strongest),
    )
    for name, cascade in rules:
        started = time.perf_counter()
        sizes = [cascade(r, profiles, near, cap=args.cap) for r in roots]
        took = time.perf_counter() - started
        capped = sum(1 for s in sizes if s >= args.cap)
        print(
            f"| {name} | {len(roots)} | {sum(sizes):,} | {max(sizes, default=0):,} "
            f"| {capped} | {took:.1f} |"
        )
    country = f"`synth --children {args.children} --seed {args.seed}`"
    print(
        f"\n{len(profiles):,} health records ({country}), CAUTION {CAUTION}; "
        f"cascades cut at {args.cap:,} children."
    )


if __name__ == "__main__":
    main()
