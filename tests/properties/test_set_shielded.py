"""``set_shielded`` (the screen's shield of a child it holds) leaves exactly the rows ``save``
of the child, shielded, leaves: the same projection, search keys, other identities and
shielded records, without reading the child's records again."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from childindex.domain.child import Child
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory
from screen_worlds import ON_THE_DATABASE, SCREEN_ROWS, World, child_of, stored_world, worlds

TABLES = {
    **SCREEN_ROWS,
    "children": "SELECT child_id, status, la_code, shielded FROM children ORDER BY child_id",
    "source_records": "SELECT source, record_id, shielded FROM source_records ORDER BY 1, 2",
}


def _shielded(
    uow_factory: SqlUnitOfWorkFactory,
    engine: Engine,
    world: World,
    chosen: list[int],
    *,
    set_: bool,
) -> tuple[dict[str, list[Any]], list[Child | None]]:
    stored_world(uow_factory, engine, world, [1.0] * len(world))
    with uow_factory() as uow:
        for n in chosen:
            held = uow.children.get(world[n][0].child_id)
            assert held is not None
            shielded = replace(held, shielded=True)
            (uow.children.set_shielded if set_ else uow.children.save)(shielded)
        uow.commit()
    with engine.connect() as connection:
        rows = {name: list(connection.execute(text(q))) for name, q in TABLES.items()}
    with uow_factory() as uow:
        children = [uow.children.get(child.child_id) for child, _ in world]
    return rows, children


@ON_THE_DATABASE
@given(st.data(), worlds())
def test_set_shielded_leaves_the_rows_save_leaves(
    uow_factory: SqlUnitOfWorkFactory, engine: Engine, data: st.DataObject, world: World
) -> None:
    visible = [n for n, (child, _) in enumerate(world) if not child.shielded]
    chosen = data.draw(st.lists(st.sampled_from(visible), unique=True) if visible else st.just([]))
    mine = _shielded(uow_factory, engine, world, chosen, set_=True)
    theirs = _shielded(uow_factory, engine, world, chosen, set_=False)
    assert mine == theirs
    assert all(mine[1][n] is not None and mine[1][n].shielded for n in chosen)  # type: ignore[union-attr]


def test_set_shielded_refuses_a_child_not_shielded(uow_factory: SqlUnitOfWorkFactory) -> None:
    shown = {"given_name": "Amara", "family_name": "Okafor", "sex": "F"}
    visible = child_of(
        shown | dict.fromkeys(("birth_date", "nhs_number", "postcode")), shielded=False
    )
    with uow_factory() as uow, pytest.raises(ValueError, match="not shielded"):
        uow.children.set_shielded(visible)
