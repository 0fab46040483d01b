"""Small worlds of look-alike children for the shield screen's property tests: children,
some shielded, each shown as one identity and carrying records of others, drawn from pools
small enough that screen keys are shared (``tests/properties/test_screen_candidates.py``,
``tests/properties/test_load_memory.py``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from childindex.domain.child import Address, Child, Sex
from childindex.domain.ids import ChildId
from childindex.domain.source_record import Source, SourceRecord

# Small pools, so that keys are shared; varied enough that one key can be the only one.
GIVEN = ["Amara", "Amarah", "Bram", "Zara", "Kwame", "Li", ""]
FAMILY = ["Okafor", "Okafur", "Zimmer", "Nakamura", "Lewis"]
# Same day, swapped, same month, same day of another month, a year a typo away, a year
# further, a day and month of neither.
DATES = [
    date(2015, 3, 14),
    date(2015, 4, 3),
    date(2015, 3, 4),
    date(2015, 3, 20),
    date(2015, 7, 14),
    date(2016, 3, 14),
    date(2011, 3, 14),
    date(2008, 3, 14),
    date(2015, 9, 9),
    None,
]
NHS = ["9990000018", "9990000026", None]
POSTCODES = ["ZZ1 1AA", "ZZ2 2BB", None]


@st.composite
def identities(draw: st.DrawFn) -> dict[str, Any]:
    born = draw(st.sampled_from(DATES))
    return {
        "given_name": draw(st.sampled_from(GIVEN)) or "Amara",
        "family_name": draw(st.sampled_from(FAMILY)),
        "sex": draw(st.sampled_from(["F", "M", "U"])),
        "birth_date": born.isoformat() if born else None,
        "nhs_number": draw(st.sampled_from(NHS)),
        "postcode": draw(st.sampled_from(POSTCODES)),
    }


def child_of(identity: dict[str, Any], *, shielded: bool) -> Child:
    born = identity["birth_date"]
    return Child(
        child_id=ChildId.new(),
        given_name=identity["given_name"],
        family_name=identity["family_name"],
        sex=Sex(identity["sex"]),
        birth_date=date.fromisoformat(born) if born else None,
        nhs_number=identity["nhs_number"],
        address=Address("1 Test Row", None, None, identity["postcode"])
        if identity["postcode"]
        else None,
        shielded=shielded,
    )


@st.composite
def worlds(draw: st.DrawFn) -> list[tuple[Child, list[SourceRecord]]]:
    """Children, some shielded, each shown as one identity and carrying records of others
    (which become rows of ``shield_identities`` unless they resemble the shown one)."""
    found = []
    for _ in range(draw(st.integers(1, 10))):
        shown = draw(identities())
        child = child_of(shown, shielded=draw(st.booleans()))
        records = [
            SourceRecord(Source.HEALTH, f"R{n}", {k: v for k, v in other.items() if v}, None)
            for n, other in enumerate([shown, *draw(st.lists(identities(), max_size=2))])
        ]
        found.append((child, records))
    return found


ON_THE_DATABASE = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
