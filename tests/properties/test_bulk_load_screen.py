"""Feed loads and bulk loads (ADR 0027) in any order, each file holding look-alikes of
shielded children, a source's shield flag on some records and not others, updates of held
records, later versions and bad lines: after every load every record is on one child, every
record a source shielded on a shielded child, and no visible child the shield screen would
caution if it were written now."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import chain
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import rule
from sqlalchemy import Engine

from childindex.domain.ids import ChildId
from childindex.domain.source_record import Source
from childindex.matching.features import Features, features_of
from childindex.services.ports import UnitOfWork
from childindex.services.shield_screen import LoadMemory
from first_load_helpers import current_links, factory_for, run_first_load, trained_country
from loaded_state import FeedLoads, files, lines_of


def _as_the_store(uow: UnitOfWork, features: Mapping[str, Sequence[Features]]) -> None:
    """The features a load hands the gate are those of the records each active child holds
    in the store now (read in the load's own unit of work), and of no other child."""
    entries = chain(uow.shields.visible_entries(), uow.shields.shielded_entries())
    stored = {
        child_id: Counter(
            features_of(r.payload) for r in uow.records.current_records(ChildId(child_id))
        )
        for child_id in {e.profile.child_id for e in entries}
    }
    assert {c: Counter(f) for c, f in features.items()} == {c: f for c, f in stored.items() if f}


@contextmanager
def gate_checked() -> Iterator[None]:
    """While in it, the features each load's screens will gate with are checked against the
    store when its memory is read (``_as_the_store``)."""
    read = LoadMemory.read.__func__

    def checking(
        cls: type[LoadMemory],
        uow: UnitOfWork,
        features: Mapping[str, Sequence[Features]] | None = None,
    ) -> LoadMemory:
        assert features is not None, "a load's screens read every child's records again"
        _as_the_store(uow, features)
        return read(cls, uow, features)

    LoadMemory.read = classmethod(checking)
    try:
        yield
    finally:
        LoadMemory.read = classmethod(read)


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return trained_country(tmp_path_factory.mktemp("bulk_load_model"), 800, 11)


class FeedsAndBulkLoads(FeedLoads):
    """Feed loads and bulk loads onto one index: the invariants hold after every step, and
    a bulk load never moves a record the index held, unless a later version of it came."""

    @rule(records=files, ahead=st.booleans())
    def bulk(self, records: list[dict[str, Any] | str], ahead: bool) -> None:
        """``ahead``: a second process works out the first step of the walks
        (``services/screen_ahead.py``), however few there are; else every walk steps alone."""
        before = current_links(self.engine)
        data = "\n".join(lines_of(records)).encode() + b"\n"
        with gate_checked():
            run_first_load(
                factory_for(self.engine, self.model),
                self.model,
                {Source.HEALTH: data},
                bulk=True,
                screen_ahead_from=0 if ahead else sys.maxsize,
            )
        self.records += records
        # Held records that no line of this file updates stay on their children, and no
        # two of those children were joined.
        sent = {r["record_id"] for r in records if isinstance(r, dict)}
        after = current_links(self.engine)
        kept = {k: v[0] for k, v in before.items() if k[1] not in sent}
        assert {k: after[k][0] for k in kept} == kept


def test_feed_loads_and_bulk_loads_keep_the_invariants(
    engine: Engine, model: dict[str, Any]
) -> None:
    FeedsAndBulkLoads.run(engine, model, examples=25)
