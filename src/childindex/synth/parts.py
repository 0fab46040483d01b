"""The country is made one local authority at a time, each from its own random stream.

A part's output depends only on the seed, the country's size and the part's number: its
children, NHS numbers and record ids come from stretches of each sequence reserved for it.
So parts can be made in any order, in parallel, and concatenated in order, always giving
the same bytes.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from childindex.synth.people import People
from childindex.synth.places import Geography
from childindex.synth.sources import Sources
from childindex.synth.writer import OUTPUT_FILES, FeedWriter

if TYPE_CHECKING:
    from collections.abc import Callable

_PROGRESS_EVERY = 1000
_PARALLEL_FROM = 100_000  # below this many children, worker start-up costs more than it saves


@dataclass(frozen=True, slots=True)
class Country:
    """What to make: how many children, from which seed, with what share shielded."""

    children: int
    seed: int
    shielded_rate: float = 0.005


@dataclass(frozen=True, slots=True)
class Part:
    """Children ``first`` to ``first + size - 1``: those of one local authority."""

    index: int
    first: int
    size: int

    def nhs_range(self) -> tuple[int, int]:
        """Start and length of this part's stretch of the NHS number sequence."""
        return self.first * 5 // 4 + 64 * self.index, self.size * 5 // 4 + 64

    def record_range(self) -> tuple[int, int]:
        """Start and length of this part's record ids (at most two per child per source)."""
        return 2 * self.first + 64 * self.index, 2 * self.size + 64


@dataclass(slots=True)
class Tally:
    """What has been made so far."""

    children: int = 0
    households: int = 0
    shielded: int = 0
    twins: int = 0
    duplicates: int = 0
    records: dict[str, int] = field(default_factory=dict)

    def add(self, other: Tally) -> None:
        """Add another part's tally to this one."""
        self.children += other.children
        self.households += other.households
        self.shielded += other.shielded
        self.twins += other.twins
        self.duplicates += other.duplicates
        for source, count in other.records.items():
            self.records[source] = self.records.get(source, 0) + count


def plan(children: int, seed: int) -> list[Part]:
    """The non-empty parts of a country, in order."""
    geography = Geography(children, seed)
    parts: list[Part] = []
    for index in range(geography.authorities):
        first = geography.first_child_in(index)
        size = geography.first_child_in(index + 1) - first
        if size > 0:
            parts.append(Part(index, first, size))
    return parts


def make_part(
    part: Part,
    country: Country,
    writer: FeedWriter,
    progress: Callable[[int], None] | None = None,
) -> Tally:
    """Write one part's records through ``writer``; report progress as children done."""
    rng = random.Random(f"{country.seed}/{part.index}")  # reproducible data, not security
    geography = Geography(country.children, country.seed)
    people = People(rng, geography, country.children, country.seed, part.nhs_range())
    people.shielded_rate = country.shielded_rate
    sources = Sources(people, writer, seed=country.seed, ids=part.record_range())
    tally = Tally()
    done, end = part.first, part.first + part.size
    reported = done
    while done < end:
        home = people.household(done, end - done)
        sources.emit(home)
        tally.households += 1
        done += len(home.children)
        for child in home.children:
            tally.shielded += child.shielded
            tally.twins += child.twin
        if progress is not None and done - reported >= _PROGRESS_EVERY:
            progress(done)
            reported = done
    tally.children = part.size
    tally.duplicates = sources.duplicates
    return tally


def make_part_files(job: tuple[Part, Country, str]) -> Tally:
    """In a worker process: write one part into its own directory, without headers."""
    part, country, directory = job
    with FeedWriter(Path(directory), header=False) as writer:
        tally = make_part(part, country, writer)
        tally.records = dict(writer.counts)
    return tally


def append_part(out: Path, directory: Path) -> None:
    """Append a part's files to the country's files, then remove them."""
    for name in OUTPUT_FILES:
        with (directory / name).open("rb") as source, (out / name).open("ab") as target:
            shutil.copyfileobj(source, target, 1 << 20)
    shutil.rmtree(directory)


def write_country(
    country: Country,
    out: Path,
    *,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> Tally:
    """Write every part of ``country`` into ``out``, in order.

    ``workers`` processes share the work (default: one for small countries, else the CPUs
    available); the bytes written are the same whatever their number.
    """
    parts = plan(country.children, country.seed)
    if workers is None:
        workers = 1 if country.children < _PARALLEL_FROM else len(os.sched_getaffinity(0))
    workers = max(1, min(workers, len(parts)))
    tally = Tally()
    if workers == 1:
        with FeedWriter(out) as writer:
            for part in parts:
                tally.add(make_part(part, country, writer, progress))
            tally.records = dict(writer.counts)
        return tally
    staging = out / ".synth-parts"
    jobs = [(part, country, str(staging / f"{part.index:05d}")) for part in parts]
    FeedWriter(out).close()  # the files, with their headers; parts are appended
    try:
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            for (part, _, directory), part_tally in zip(
                jobs, pool.imap(make_part_files, jobs), strict=True
            ):
                append_part(out, Path(directory))
                tally.add(part_tally)
                if progress is not None:
                    progress(part.first + part.size)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return tally
