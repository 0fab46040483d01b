"""Reading a directory of feed files (the contract's formats) for training and evaluation.

This is not the ingest path (``feeds/`` validates and stores); it only yields each record's
fields so the model can be trained or measured on a synthetic country.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FILES = (("health", "health.jsonl"), ("school", "school.csv"), ("benefit", "benefit.csv"))
FILES_LA = (("la", "la.jsonl"),)


def read_feed(source: str, path: Path) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(source, record_id, fields)`` for every record of one feed file."""
    with path.open(encoding="utf-8", newline="") as handle:
        if path.suffix == ".csv":
            for row in csv.DictReader(handle):
                yield source, row["record_id"], dict(row)
        else:
            for line in handle:
                if line.strip():
                    fields = json.loads(line)
                    yield source, str(fields["record_id"]), fields


def read_country(directory: Path) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every record of every feed file present in ``directory``."""
    for source, name in FILES + FILES_LA:
        path = directory / name
        if path.exists():
            yield from read_feed(source, path)


def read_truth(directory: Path) -> dict[str, str]:
    """``"source:record_id"`` → person key, from ``truth.csv``."""
    with (directory / "truth.csv").open(encoding="utf-8", newline="") as handle:
        return {f"{r['source']}:{r['record_id']}": r["person_key"] for r in csv.DictReader(handle)}
