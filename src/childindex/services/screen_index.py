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

from collections.abc import Iterable, Iterator
from datetime import date

from childindex.domain.shield import BlockingKeys, ScreenProfile, day_month
from childindex.domain.similarity import near_years
from childindex.services.ports import ScreenEntry


class ShieldedIndex:
    """Children by each screen key, for :meth:`candidates`: the shielded ones, for a batch
    of a feed load; both, for the screen of a first or a bulk load (``services/first_load.py``)."""

    def __init__(self, entries: Iterable[ScreenEntry]) -> None:
        self.size = 0
        self._dates: dict[date, list[ScreenEntry]] = {}
        self._exact: dict[tuple[str, str], list[ScreenEntry]] = {}
        # By name key, then birth year (None: unknown).
        self._names: dict[tuple[str, str], dict[int | None, list[ScreenEntry]]] = {}
        self._day_month: dict[str, list[ScreenEntry]] = {}
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
            self._day_month.setdefault(str(day_month(profile.birth_date)), []).append(entry)
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
                years.setdefault(entry.birth_year, []).append(entry)

    def holds(self, child_id: str) -> bool:
        """Whether any entry of ``child_id`` is held."""
        return child_id in self._by_child

    def profiles_of(self, child_id: str) -> list[ScreenProfile]:
        """The profiles held for ``child_id``: as read, the identity it shows first."""
        return [entry.profile for entry in self._by_child.get(child_id, ())]

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
            e.profile
            for e in sorted(found.values(), key=lambda e: e.profile.child_id)
            if id(e) not in self._replaced
        ]

    def _by_names(self, keys: BlockingKeys, born: date | None) -> Iterator[ScreenEntry]:
        """Sharing the sound of either name (read either way round: ADR 0021) or the
        initials, within the birth year (any year where either is unknown) and, within it,
        the same month or the same day."""
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
                    yield from entries
                continue
            yield from years.get(None, ())  # a year unknown
            for entry in years.get(year, ()):
                if _near_in_year(entry, born):
                    yield entry

    def _same_day_and_month(self, keys: BlockingKeys, born: date | None) -> list[ScreenEntry]:
        """Born on the same day and month in any year near ``born``'s, of the same sex unless
        either is unknown (ADR 0008)."""
        if keys.birth_day_month is None or born is None:
            return []
        years = near_years(born)
        return [
            entry
            for entry in self._day_month.get(keys.birth_day_month, ())
            if (keys.sex is None or entry.profile.sex is None or entry.profile.sex == keys.sex)
            and (entry.birth_year is None or entry.birth_year in years)
        ]


def _near_in_year(entry: ScreenEntry, born: date | None) -> bool:
    """Whether a child born in ``born``'s year was born in the same month or on the same day
    of a month: only then can the dates make the two resemble (0.4)."""
    theirs = entry.profile.birth_date
    if born is None or theirs is None:
        return True
    return theirs.month == born.month or theirs.day == born.day
