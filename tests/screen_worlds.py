"""Small worlds of look-alike children for the shield screen's property tests: children,
some shielded, each shown as one identity and carrying records of others, drawn from pools
small enough that screen keys are shared (``tests/properties/test_screen_candidates.py``,
``tests/properties/test_load_memory.py``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from childindex.domain.child import Address, Child, Sex
from childindex.domain.ids import ChildId
from childindex.domain.shield import ScreenProfile
from childindex.domain.shield_records import ShieldOrigin
from childindex.domain.similarity import initials, sound_key
from childindex.domain.source_record import Source, SourceRecord
from childindex.services.ports import NewLinkedRecord, RawLine, ScreenEntry
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory
from feed_state import delete_all_rows

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


World = list[tuple[Child, list[SourceRecord]]]
# The rows of what a save of children writes for the screen, in a comparable order: their
# search keys and other identities (``test_save_held.py``, ``test_set_shielded.py``).
SCREEN_ROWS = {
    "child_search_keys": "SELECT * FROM child_search_keys ORDER BY child_id",
    "shield_identities": (
        "SELECT child_id, given_key, family_key, birth_date, postcode, nhs_number, upn, "
        "birth_year, given_sound, family_sound, initials, birth_day_month, sex "
        "FROM shield_identities ORDER BY 1, 2, 3, 4, 5, 6, 7"
    ),
}
# A screen shield's strength (1: shielded by a source); below 1/3 a walk asks the dates alone.
STRENGTHS = st.sampled_from([1.0, 1.0, 0.7, 0.45, 0.3])


def stored_world(
    uow_factory: SqlUnitOfWorkFactory, engine: Engine, world: World, strengths: list[float]
) -> None:
    """Store ``world`` afresh, each shielded child shielded at its drawn strength (1: by
    a source; else by the screen), its records linked to it, as a load leaves them: a child
    saved again (shielded by the screen) keeps the identities its records carry."""
    delete_all_rows(engine)
    with uow_factory() as uow:
        uow.children.save_many(world)
        held = [
            (
                child.child_id,
                replace(record, record_id=f"{child.child_id.value}-{record.record_id}"),
            )
            for child, records in world
            for record in records
        ]
        load_id = uow.feeds.start_load(
            source=Source.HEALTH, filename="world.jsonl", content_sha256="0" * 64
        )
        raw_ids = uow.feeds.store_raw_many(
            load_id=load_id, lines=[RawLine(n, "{}") for n in range(1, len(held) + 1)]
        )
        uow.records.add_new_linked(
            items=[
                NewLinkedRecord(record, raw_id, child_id, frozenset())
                for (child_id, record), raw_id in zip(held, raw_ids, strict=True)
            ],
            actor="test",
        )
        for (child, _), strength in zip(world, strengths, strict=False):
            if child.shielded:
                uow.shields.add_shield(
                    child_id=child.child_id.value,
                    origin=ShieldOrigin.SOURCE if strength == 1.0 else ShieldOrigin.CAUTION,
                    reason="drawn",
                    set_by="test",
                    review_date=None,
                    strength=strength,
                )
        uow.commit()


def screen_ending(engine: Engine) -> tuple[list[Any], list[Any]]:
    """The shields and caution items stored, sorted."""
    with engine.connect() as connection:
        shields = connection.execute(
            text("SELECT child_id, origin, strength, reason FROM shields")
        ).all()
        items = connection.execute(
            text(
                "SELECT child_id, shielded_child_id, score, status FROM caution_items "
                "ORDER BY 1, 2, 3"
            )
        ).all()
    # Rounded here: PostgreSQL has no round() of a double to places.
    return sorted((c, o, round(s, 6), r) for c, o, s, r in shields), [tuple(r) for r in items]


def entry(profile: ScreenProfile) -> ScreenEntry:
    """``profile`` with the screen keys the store keeps for it."""
    born = profile.birth_date
    return ScreenEntry(
        profile,
        born.year if born is not None else None,
        sound_key(profile.given_name),
        sound_key(profile.family_name),
        initials(profile.given_name, profile.family_name),
    )
