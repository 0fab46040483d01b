"""The shield screen's shielded candidates held in memory for one batch of a feed load.

``ShieldStore.candidates(keys, shielded=True)`` is one query per record; a bulk load asks
it for every new child. Shielded children are few (about 0.5%), so a batch reads them all
once (``ShieldStore.shielded_entries``) and answers the same question here, by the
query's keys (``storage/repositories/shields.py``): a shielded child is a candidate when it
shares a birth date (or the day/month swap), an identifier or the postcode digest, or, within
the birth year (any year where either year is unknown), the sound of either name or the
initials, or, in any year, the day and month of birth with sex (either unknown matches).
A key of None matches nothing, as a SQL NULL does. Of what those last two keys find, as in
the query, only children whose birth date could make them resemble the profile at all: within
the year, the same month or the same day; in another year, one of ``near_years``. The rest
resemble it 0 whatever their names (the query's docstring holds the argument), and at a
national size they are most of what the name keys find.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from datetime import date
from operator import attrgetter

from childindex.domain.shield import BlockingKeys, ScreenProfile, day_month
from childindex.domain.similarity import near_years
from childindex.services.ports import ScreenEntry

_CHILD_ID = attrgetter("profile.child_id")


class ShieldedIndex:
    """Children by each screen key, for :meth:`candidates`: the shielded ones, for a batch
    of a feed load; both, for the screen of a first or a bulk load (``services/first_load.py``)."""

    def __init__(self, entries: Iterable[ScreenEntry]) -> None:
        self.size = 0
        self._dates: dict[date, list[ScreenEntry]] = {}
        self._exact: dict[tuple[str, str], list[ScreenEntry]] = {}
        # By name key, then birth year (None: unknown). At a national size a common name's
        # year holds hundreds of children, of whom ``_by_names`` wants only those born in the
        # same month or on the same day: a year's list is sorted so (``_Year``) when first
        # asked for. Most are never asked for, so building them all would cost more.
        self._names: dict[tuple[str, str], dict[int | None, list[ScreenEntry] | _Year]] = {}
        # By day and month; sorted by birth year and sex (``_DayMonth``) when first asked for.
        self._day_month: dict[str, list[ScreenEntry] | _DayMonth] = {}
        self._by_child: dict[str, list[ScreenEntry]] = {}
        # Entries replaced since: skipped when found (held here so their ids stay unique).
        self._replaced: dict[int, ScreenEntry] = {}
        for entry in entries:
            self._add(entry)

    def _add(self, entry: ScreenEntry) -> None:
        self.size += 1
        profile = entry.profile
        self._by_child.setdefault(profile.child_id, []).append(entry)
        if profile.birth_date is not None:
            self._dates.setdefault(profile.birth_date, []).append(entry)
            key = str(day_month(profile.birth_date))
            same = self._day_month.get(key)
            if same is None:
                self._day_month[key] = [entry]
            else:
                same.append(entry)
        for kind, value in (
            ("n", profile.nhs_number),
            ("u", profile.upn),
            ("p", profile.postcode),
        ):
            if value is not None:
                self._exact.setdefault((kind, value), []).append(entry)
        for kind, value in (
            ("g", entry.given_sound),
            ("f", entry.family_sound),
            ("i", entry.initials),
        ):
            if value is not None:
                years = self._names.setdefault((kind, value), {})
                held = years.get(entry.birth_year)
                if held is None:
                    years[entry.birth_year] = [entry]
                else:
                    held.append(entry)

    def holds(self, child_id: str) -> bool:
        """Whether any entry of ``child_id`` is held."""
        return child_id in self._by_child

    def profiles_of(self, child_id: str) -> list[ScreenProfile]:
        """The profiles held for ``child_id``: as read, the identity it shows first."""
        return [entry.profile for entry in self._by_child.get(child_id, ())]

    def profiles(self) -> Iterator[ScreenProfile]:
        """Every profile held, child by child."""
        for entries in self._by_child.values():
            for entry in entries:
                yield entry.profile

    def without(self, child_ids: Collection[str]) -> ShieldedIndex:
        """An index of what this one holds for every child but ``child_ids``."""
        return ShieldedIndex(
            entry
            for child_id, entries in self._by_child.items()
            if child_id not in child_ids
            for entry in entries
        )

    def replace(self, child_ids: Iterable[str], entries: Iterable[ScreenEntry]) -> None:
        """Forget what was held for ``child_ids`` and hold ``entries`` (theirs as stored
        now: a child newly shielded, or one whose keys changed)."""
        for child_id in child_ids:
            for entry in self._by_child.pop(child_id, ()):
                self._replaced[id(entry)] = entry
                self.size -= 1
        for entry in entries:
            self._add(entry)

    def candidates(self, keys: BlockingKeys, *, dates_alone: bool = False) -> list[ScreenProfile]:
        """Children held here sharing a blocking key with ``keys``, in child ID order: what
        ``ShieldStore.candidates(keys, shielded=...)`` returns of them
        (``tests/properties/test_screen_candidates.py``). ``dates_alone``: only those
        sharing a birth date (or its day/month swap) or an identifier, for a caller that
        needs more than ``APART_CEILING`` of the others (``domain/shield.py``)."""
        if not self.size:
            return []
        # Keyed by entry: a shielded child may be found by several of its identities.
        found: dict[int, ScreenEntry] = {}
        for day in keys.birth_dates:
            for entry in self._dates.get(day, ()):
                found[id(entry)] = entry
        exact = [("n", keys.nhs_number), ("u", keys.upn)]
        if not dates_alone:
            exact.append(("p", keys.postcode))
        for kind, value in exact:
            if value is not None:
                for entry in self._exact.get((kind, value), ()):
                    found[id(entry)] = entry
        if not dates_alone:
            born = keys.birth_dates[0] if keys.birth_dates else None
            for entry in self._same_day_and_month(keys, born):
                found[id(entry)] = entry
            for entry in self._by_names(keys, born):
                found[id(entry)] = entry
        return [
            e.profile for e in sorted(found.values(), key=_CHILD_ID) if id(e) not in self._replaced
        ]

    def _by_names(self, keys: BlockingKeys, born: date | None) -> Iterator[ScreenEntry]:
        """Sharing the sound of either name (read either way round: ADR 0021) or the
        initials, within the birth year (any year where either is unknown) and, within it,
        the same month or the same day (or a birth date unknown). An entry may come twice."""
        year = keys.birth_year
        for kind, name in (
            ("g", keys.given_sound),
            ("f", keys.family_sound),
            ("f", keys.given_sound),
            ("g", keys.family_sound),
            ("i", keys.initials or None),
        ):
            years = self._names.get((kind, name)) if name is not None else None
            if not years:
                continue
            if year is None:  # every year
                for entries in years.values():
                    yield from _entries(entries)
                continue
            yield from _entries(years.get(None, ()))  # a year unknown
            held = years.get(year)
            if held is None:
                continue
            if born is None:
                yield from _entries(held)
                continue
            if isinstance(held, list):
                held = years[year] = _Year(held)
            yield from held.undated
            yield from held.by_month.get(born.month, ())
            yield from held.by_day.get(born.day, ())

    def _same_day_and_month(self, keys: BlockingKeys, born: date | None) -> Iterator[ScreenEntry]:
        """Born on the same day and month in any year near ``born``'s, of the same sex unless
        either is unknown (ADR 0008)."""
        if keys.birth_day_month is None or born is None:
            return
        same = self._day_month.get(keys.birth_day_month)
        if same is None:
            return
        if isinstance(same, list):
            same = self._day_month[keys.birth_day_month] = _DayMonth(same)
        sexes = None if keys.sex is None else (keys.sex, None)
        for year in (None, *near_years(born)):
            by_sex = same.by_year.get(year)
            if by_sex is None:
                continue
            if sexes is None:
                for entries in by_sex.values():
                    yield from entries
            else:
                for sex in sexes:
                    yield from by_sex.get(sex, ())


def _entries(held: Iterable[ScreenEntry] | _Year) -> Iterable[ScreenEntry]:
    return held.entries if isinstance(held, _Year) else held


class _Year:
    """The entries of one name key and birth year: all of them, and by what ``_by_names``
    asks of them (the month, the day of the month; no birth date, which matches either)."""

    __slots__ = ("by_day", "by_month", "entries", "undated")

    def __init__(self, entries: Iterable[ScreenEntry]) -> None:
        self.entries: list[ScreenEntry] = []
        self.undated: list[ScreenEntry] = []
        self.by_month: dict[int, list[ScreenEntry]] = {}
        self.by_day: dict[int, list[ScreenEntry]] = {}
        for entry in entries:
            self.append(entry)

    def append(self, entry: ScreenEntry) -> None:
        self.entries.append(entry)
        born = entry.profile.birth_date
        if born is None:
            self.undated.append(entry)
            return
        self.by_month.setdefault(born.month, []).append(entry)
        self.by_day.setdefault(born.day, []).append(entry)


class _DayMonth:
    """The entries born on one day and month, by birth year, then by sex (None: unknown)."""

    __slots__ = ("by_year",)

    def __init__(self, entries: Iterable[ScreenEntry]) -> None:
        self.by_year: dict[int | None, dict[str | None, list[ScreenEntry]]] = {}
        for entry in entries:
            self.append(entry)

    def append(self, entry: ScreenEntry) -> None:
        by_sex = self.by_year.setdefault(entry.birth_year, {})
        by_sex.setdefault(entry.profile.sex, []).append(entry)
