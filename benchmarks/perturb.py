"""Add to a synthetic country noise its generator never makes, to test matching on it.

    uv run python benchmarks/perturb.py COUNTRY OUT --kind swap_names --rate 0.02

Writes OUT as a copy of the country directory (truth.csv, shielded.csv and areas.csv
unchanged) whose feed records each get, with probability ``rate``, one imperfection of
the chosen kind. Record IDs are kept, so the copy is scored against the same truth.
All data is synthetic. Kinds:

- ``swap_names``: given and family name entered the wrong way round;
- ``initial``: the given name reduced to its initial;
- ``short_form``: the given name cut to its first three or four letters ("Tobias" ->
  "Tobi"), a short form no nickname table holds;
- ``year_typo``: the birth year one off;
- ``sex_flip``: the other sex recorded;
- ``no_address``: no address and no postcode;
- ``moved``: the address and postcode of another record in the same feed (a move the
  source has not seen, or a mistaken household);
- ``hyphen_part``: a double-barrelled family name given as one of its parts, or two
  parts joined without a hyphen ("Smith-Jones" -> "Jones", "Smith Jones");
- ``other_carers``: the carers (health) or the claimant (benefit) of another record in the
  same feed: a carer the other sources do not list (a new partner, a grandparent, a foster
  carer), or a source's mistake.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path

Record = dict[str, object]
FEEDS = ("health.jsonl", "school.csv", "benefit.csv", "la.jsonl")


def _swap_names(record: Record, _rng: random.Random, _pool: list[Record]) -> None:
    if record.get("given_name") and record.get("family_name"):
        record["given_name"], record["family_name"] = record["family_name"], record["given_name"]


def _initial(record: Record, _rng: random.Random, _pool: list[Record]) -> None:
    given = str(record.get("given_name") or "")
    if given:
        record["given_name"] = given[0]


def _short_form(record: Record, rng: random.Random, _pool: list[Record]) -> None:
    given = str(record.get("given_name") or "")
    if len(given) >= 6:
        record["given_name"] = given[: rng.choice((3, 4))]


def _year_typo(record: Record, rng: random.Random, _pool: list[Record]) -> None:
    born = str(record.get("birth_date") or "")
    if len(born) == 10:
        day = "28" if born[5:] == "02-29" else born[8:]  # no 29 February in the year beside
        record["birth_date"] = f"{int(born[:4]) + rng.choice((-1, 1)):04d}{born[4:8]}{day}"


def _sex_flip(record: Record, _rng: random.Random, _pool: list[Record]) -> None:
    record["sex"] = {"M": "F", "F": "M"}.get(str(record.get("sex")), record.get("sex"))


_ADDRESS = ("address_line1", "address_line2", "town", "postcode")


def _no_address(record: Record, _rng: random.Random, _pool: list[Record]) -> None:
    for key in _ADDRESS:
        if key in record:
            record[key] = None if key != "address_line1" else ""


def _moved(record: Record, rng: random.Random, pool: list[Record]) -> None:
    other = rng.choice(pool)
    for key in _ADDRESS:
        if key in record:
            record[key] = other.get(key)


_CLAIMANT = ("claimant_given_name", "claimant_family_name", "claimant_phone")


def _other_carers(record: Record, rng: random.Random, pool: list[Record]) -> None:
    other = rng.choice(pool)
    for key in ("carers", *_CLAIMANT):
        if key in record:
            record[key] = other.get(key)


def _hyphen_part(record: Record, rng: random.Random, _pool: list[Record]) -> None:
    family = str(record.get("family_name") or "")
    if "-" in family:
        parts = family.split("-")
        record["family_name"] = rng.choice([*parts, " ".join(parts)])


KINDS: dict[str, Callable[[Record, random.Random, list[Record]], None]] = {
    "swap_names": _swap_names,
    "initial": _initial,
    "short_form": _short_form,
    "year_typo": _year_typo,
    "sex_flip": _sex_flip,
    "no_address": _no_address,
    "moved": _moved,
    "hyphen_part": _hyphen_part,
    "other_carers": _other_carers,
}


def _read(path: Path) -> tuple[list[Record], list[str] | None]:
    if path.suffix == ".jsonl":
        with path.open(encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.strip()], None
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader), list(reader.fieldnames or [])


def _write(path: Path, records: list[Record], header: list[str] | None) -> None:
    if header is None:
        with path.open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows({key: ("" if v is None else v) for key, v in r.items()} for r in records)


def perturb(country: Path, out: Path, kind: str, rate: float, seed: int) -> dict[str, int]:
    """Write the perturbed copy; returns how many records of each feed were changed."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ("truth.csv", "shielded.csv", "areas.csv"):
        if (country / name).exists():
            shutil.copy(country / name, out / name)
    rng = random.Random(seed)
    change = KINDS[kind]
    changed: dict[str, int] = {}
    for name in FEEDS:
        records, header = _read(country / name)
        pool = [dict(record) for record in records]
        count = 0
        for record in records:
            if rng.random() < rate:
                before = dict(record)
                change(record, rng, pool)
                count += record != before
        _write(out / name, records, header)
        changed[name] = count
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("country", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--kind", choices=sorted(KINDS), required=True)
    parser.add_argument("--rate", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    changed = perturb(args.country, args.out, args.kind, args.rate, args.seed)
    print(json.dumps({"kind": args.kind, "rate": args.rate, "changed": changed}))


if __name__ == "__main__":
    main()
