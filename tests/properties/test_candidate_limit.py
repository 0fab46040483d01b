"""Which stored records online matching compares when a record's blocking keys hold more than
it compares (``ChildRepository.by_blocking_keys``'s limit): those sharing an identifier's key,
then those sharing the most of the keys, whatever IDs the children were given.

At a national scale a common name born in one month holds more records than are compared
(``CANDIDATE_LIMIT``). The records left out were once the children whose random IDs sorted
last, so the record sharing a child's birth date and home could be left out for namesakes
sharing only the name, and the child registered again as new."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from childindex.domain.child import Child, Sex
from childindex.domain.ids import ChildId
from childindex.domain.source_record import Source, SourceRecord
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory
from feed_state import delete_all_rows
from screen_worlds import ON_THE_DATABASE

KEYS = (*(f"fsm:amara|okafor|{month:02d}" for month in range(1, 6)), "nhs:9990000018")

# Per record: the child it is on (an index into the store's children) and its keys.
Records = list[tuple[int, frozenset[str]]]
# How many children, their records, and the children merged away.
Store = tuple[int, Records, set[int]]


@st.composite
def stores(draw: st.DrawFn) -> Store:
    """Records on up to six children, each under some of ``KEYS``; the children merged away
    (whose records are no one's candidates)."""
    children = draw(st.integers(1, 6))
    records = draw(
        st.lists(
            st.tuples(st.integers(0, children - 1), st.frozensets(st.sampled_from(KEYS))),
            min_size=1,
            max_size=14,
        )
    )
    return children, records, draw(st.sets(st.integers(0, children - 1), max_size=2))


def _store(uow_factory: SqlUnitOfWorkFactory, engine: Engine, store: Store) -> None:
    """Hold ``store`` alone, its children under fresh random IDs."""
    children, records, merged = store
    delete_all_rows(engine)
    ids = [ChildId.new() for _ in range(children)]
    with uow_factory() as uow:
        load = uow.feeds.start_load(source=Source.HEALTH, filename="h.jsonl", content_sha256="0")
        uow.children.save_many(
            [
                (Child(child_id, "Amara", "Okafor", Sex.FEMALE, date(2015, 3, 14)), [])
                for child_id in ids
            ]
        )
        for n, (child, keys) in enumerate(records):
            record = SourceRecord(Source.HEALTH, f"R{n:02d}", {"given_name": "Amara"}, None)
            raw = uow.feeds.store_raw(load_id=load, line_no=n + 1, text="{}")
            uow.records.put_version(record=record, raw_id=raw)
            uow.records.link(
                source=Source.HEALTH,
                record_id=record.record_id,
                child_id=ids[child],
                decided_by="new",
                actor="test",
            )
            uow.records.set_blocking_keys(
                source=Source.HEALTH, record_id=record.record_id, keys=keys
            )
        for child in merged:
            uow.children.mark_merged(ids[child], into=ids[(child + 1) % children])
        uow.commit()


def _found(uow_factory: SqlUnitOfWorkFactory, keys: frozenset[str], limit: int) -> list[str]:
    with uow_factory() as uow:
        return sorted(c.record_id for c in uow.children.by_blocking_keys(keys, limit=limit))


@settings(ON_THE_DATABASE, max_examples=60)
@given(
    store=stores(),
    keys=st.frozensets(st.sampled_from(KEYS), min_size=1),
    limit=st.integers(1, 8),
)
def test_past_the_limit_the_records_sharing_most_keys_are_compared_whatever_the_ids(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    store: Store,
    keys: frozenset[str],
    limit: int,
) -> None:
    _, records, merged = store
    # Per live record sharing a key: whether it shares the identifier's, and how many.
    shared = {
        f"R{n:02d}": (any(k.startswith("nhs:") for k in keys & mine), len(keys & mine))
        for n, (child, mine) in enumerate(records)
        if child not in merged and keys & mine
    }
    _store(uow_factory, engine, store)
    found = _found(uow_factory, keys, limit)
    assert set(found) <= set(shared)  # only live records of active children sharing a key
    assert len(found) == min(limit, len(shared))
    left_out = set(shared) - set(found)
    if found and left_out:
        assert max(shared[r] for r in left_out) <= min(shared[r] for r in found)
    # The same records again with the children under other random IDs.
    _store(uow_factory, engine, store)
    assert _found(uow_factory, keys, limit) == found
    delete_all_rows(engine)
