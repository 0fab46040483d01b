"""A synthetic country: realistic, deterministic feeds with ground truth.

``generate(children, seed, out)`` writes into ``out``:

* ``health.jsonl``, ``school.csv``, ``benefit.csv``, ``la.jsonl`` - the four feeds in the
  formats of ``contract.md``, with the errors, gaps, staleness and duplicates real feeds have;
* ``truth.csv`` (``source,record_id,person_key``) - which records are the same child;
* ``shielded.csv`` (``person_key``) - the children some source asks to shield;
* ``areas.csv`` (``postcode_district,la_code``) - which local authority each postcode
  district belongs to, for ``childindex admin areas load`` (routing children with no
  la record).

Households are made and written one at a time, so memory stays small whatever the size of
the country, and the same ``(children, seed)`` always gives byte-identical files. Everyone
in it is invented; NHS numbers, postcodes, phone numbers and e-mail domains come from ranges
that are never issued to real people.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from childindex.synth.parts import Country, write_country
from childindex.synth.places import REFERENCE_DATE, Geography

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["AREAS_FILE", "REFERENCE_DATE", "SynthSummary", "generate", "write_areas"]

AREAS_FILE = "areas.csv"


@dataclass(frozen=True, slots=True)
class SynthSummary:
    """What a run wrote."""

    out: Path
    children: int
    households: int
    records: Mapping[str, int]  # source -> number of records written
    shielded: int
    twins: int  # children born as one of twins
    duplicate_registrations: int

    def counts(self) -> dict[str, int]:
        """The figures as one flat mapping (records per source by the source's name)."""
        return {
            "children": self.children,
            "households": self.households,
            **self.records,
            "shielded": self.shielded,
            "twins": self.twins,
            "duplicate_registrations": self.duplicate_registrations,
        }


def generate(
    children: int,
    seed: int,
    out: Path,
    *,
    shielded_rate: float = 0.005,
    progress: Callable[[int], None] | None = None,
) -> SynthSummary:
    """Write a synthetic country of ``children`` children into the directory ``out``.

    ``shielded_rate`` is the expected share of children that some source shields.
    ``progress``, if given, is called with the number of children written so far (every
    thousand or so, and at the end). Large countries are made by several processes, one
    local authority at a time; the output is the same either way.
    """
    if children < 0:
        message = "the number of children cannot be negative"
        raise ValueError(message)
    if not 0.0 <= shielded_rate <= 1.0:
        message = "shielded_rate must be between 0 and 1"
        raise ValueError(message)
    out = Path(out)
    tally = write_country(Country(children, seed, shielded_rate), out, progress=progress)
    write_areas(children, seed, out)
    if progress is not None:
        progress(tally.children)
    return SynthSummary(
        out=out,
        children=tally.children,
        households=tally.households,
        records=tally.records,
        shielded=tally.shielded,
        twins=tally.twins,
        duplicate_registrations=tally.duplicates,
    )


def write_areas(children: int, seed: int, out: Path) -> Path:
    """Write ``areas.csv`` (``postcode_district,la_code``) for the country of ``children``
    and ``seed``; return its path."""
    rows = "".join(f"{d},{la}\n" for d, la in Geography(children, seed).areas())
    path = Path(out) / AREAS_FILE
    path.write_text("postcode_district,la_code\n" + rows, encoding="utf-8")
    return path
