"""Merge and split on a real database: merge then split restores; one child per record."""

from __future__ import annotations

import itertools
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from childindex.domain.ids import ChildId
from childindex.domain.source_record import Source, SourceRecord
from childindex.domain.survivorship import project
from childindex.services.merging import merge_children, split_child, undo_merge
from childindex.storage.models import LinkRow
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory

_ids = itertools.count(1)


def _child(
    uow_factory: SqlUnitOfWorkFactory, size: int, *, shielded: bool
) -> tuple[ChildId, list[tuple[Source, str]]]:
    child_id = ChildId.new()
    refs: list[tuple[Source, str]] = []
    with uow_factory() as uow:
        load_id = uow.feeds.start_load(source=Source.HEALTH, filename="p", content_sha256="0" * 64)
        records = []
        for line in range(1, size + 1):
            record = SourceRecord(
                Source.HEALTH, f"P{next(_ids)}", {"given_name": "Ada", "family_name": "Test"}, None
            )
            raw_id = uow.feeds.store_raw(load_id=load_id, line_no=line, text=record.record_id)
            uow.records.put_version(record=record, raw_id=raw_id)
            records.append(record)
            refs.append((record.source, record.record_id))
        uow.children.save(project(child_id, records[:1], shielded=shielded))
        for record in records:
            uow.records.link(
                source=record.source,
                record_id=record.record_id,
                child_id=child_id,
                decided_by="new",
                actor="test",
            )
        uow.children.save(replace(project(child_id, records, shielded=shielded)))
        uow.commit()
    return child_id, refs


def _records_of(uow_factory: SqlUnitOfWorkFactory, child_id: ChildId) -> set[tuple[Source, str]]:
    with uow_factory() as uow:
        return {(r.source, r.record_id) for r in uow.records.current_records(child_id)}


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    a_size=st.integers(1, 4),
    b_size=st.integers(1, 4),
    a_shielded=st.booleans(),
    b_shielded=st.booleans(),
)
def test_merge_then_split_restores_the_children_and_keeps_shields(
    uow_factory: SqlUnitOfWorkFactory,
    engine: Engine,
    a_size: int,
    b_size: int,
    a_shielded: bool,
    b_shielded: bool,
) -> None:
    a, a_refs = _child(uow_factory, a_size, shielded=a_shielded)
    b, b_refs = _child(uow_factory, b_size, shielded=b_shielded)
    with uow_factory() as uow:
        merge_children(uow=uow, child_id=b, into=a, actor="officer")
        uow.commit()
    assert _records_of(uow_factory, a) == set(a_refs) | set(b_refs)
    assert _records_of(uow_factory, b) == set()
    with uow_factory() as uow:
        merged = uow.children.get(a)
        assert merged is not None
        # Shields only gain: the screen may shield more (a look-alike of an earlier example's
        # shielded child), never less.
        assert merged.shielded >= (a_shielded or b_shielded)
        new = split_child(uow=uow, child_id=a, records=b_refs, actor="officer")
        uow.commit()
    assert _records_of(uow_factory, a) == set(a_refs)
    assert _records_of(uow_factory, new) == set(b_refs)
    with uow_factory() as uow:
        for part in (a, new):
            child = uow.children.get(part)
            assert child is not None
            assert child.shielded >= (a_shielded or b_shielded)
    with engine.connect() as connection:
        live = connection.execute(
            select(LinkRow.source_record_id, func.count())
            .where(LinkRow.ended_at.is_(None))
            .group_by(LinkRow.source_record_id)
            .having(func.count() > 1)
        ).all()
    assert live == []  # no record is ever linked to two children at once


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(a_size=st.integers(1, 3), b_size=st.integers(1, 3), b_shielded=st.booleans())
def test_undo_merge_restores_both_children_and_never_lifts_a_shield(
    uow_factory: SqlUnitOfWorkFactory, a_size: int, b_size: int, b_shielded: bool
) -> None:
    a, a_refs = _child(uow_factory, a_size, shielded=False)
    b, b_refs = _child(uow_factory, b_size, shielded=b_shielded)
    with uow_factory() as uow:
        merge_children(uow=uow, child_id=b, into=a, actor="officer")
        uow.commit()
    with uow_factory() as uow:
        assert undo_merge(uow=uow, child_id=b, actor="officer") == a
        uow.commit()
    assert _records_of(uow_factory, a) == set(a_refs)
    assert _records_of(uow_factory, b) == set(b_refs)
    with uow_factory() as uow:
        restored, kept = uow.children.get(b), uow.children.get(a)
        assert restored is not None
        assert kept is not None
        assert restored.shielded >= b_shielded
        assert kept.shielded >= b_shielded  # the merge shielded it; undoing never lifts it
        assert uow.children.merged_into(b) is None
