"""``save_held`` (a bulk load's write of the children it gives records) leaves exactly the rows
``save_many`` (the feed path's) leaves: the same search keys, other identities and
children, whichever keys changed, and for children it finds not held too."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from childindex.domain.child import Child
from childindex.domain.source_record import Source, SourceRecord
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory
from feed_state import delete_all_rows
from screen_worlds import ON_THE_DATABASE, SCREEN_ROWS, child_of, identities, worlds

World = list[tuple[Child, list[SourceRecord]]]
TABLES = {
    **SCREEN_ROWS,
    # A held child keeps the time it was made; one made here was made when it was written.
    "children": (
        "SELECT child_id, status, la_code, shielded, created_at = updated_at AS made_here "
        "FROM children ORDER BY child_id"
    ),
}


@st.composite
def then(draw: st.DrawFn, world: World) -> World:
    """The same children later, each shown as the same identity or another (a UPN or a
    school gained, names or a date changed), with a record more; and children new here."""
    later: World = []
    for n, (child, records) in enumerate(world):
        shown = draw(identities())
        if draw(st.booleans()):
            shown = {
                "given_name": child.given_name,
                "family_name": child.family_name,
                "sex": child.sex.value,
                "birth_date": child.birth_date.isoformat() if child.birth_date else None,
                "nhs_number": child.nhs_number,
                "postcode": child.address.postcode if child.address else None,
            }
        upn = draw(st.sampled_from([None, f"A{n:012d}"]))
        grown = replace(
            child_of(shown, shielded=child.shielded or draw(st.booleans())),
            child_id=child.child_id,
            upn=upn,
            la_code=draw(st.sampled_from([child.la_code, "901"])),
        )
        record = {k: v for k, v in {**shown, "upn": upn}.items() if v}
        later.append((grown, [*records, SourceRecord(Source.LA, f"L{n}", record, None)]))
    return later + draw(worlds())


def _rows(engine: Engine) -> dict[str, list[Any]]:
    with engine.connect() as connection:
        return {name: list(connection.execute(text(q))) for name, q in TABLES.items()}


def _saved(
    uow_factory: SqlUnitOfWorkFactory, engine: Engine, world: World, later: World, *, held: bool
) -> tuple[dict[str, list[Any]], list[Child | None]]:
    delete_all_rows(engine)
    with uow_factory() as uow:
        uow.children.save_many(world)
        uow.commit()
    with uow_factory() as uow:
        (uow.children.save_held if held else uow.children.save_many)(later)
        uow.commit()
    with uow_factory() as uow:
        children = [uow.children.get(child.child_id) for child, _ in later]
    return _rows(engine), children


@ON_THE_DATABASE
@given(st.data(), worlds())
def test_save_held_leaves_the_rows_save_many_leaves(
    uow_factory: SqlUnitOfWorkFactory, engine: Engine, data: st.DataObject, world: World
) -> None:
    later = data.draw(then(world))
    mine = _saved(uow_factory, engine, world, later, held=True)
    theirs = _saved(uow_factory, engine, world, later, held=False)
    assert mine == theirs
