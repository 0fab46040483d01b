"""A first or bulk load's screens ask the children held in memory (``LoadMemory``) instead
of the store, and keep that memory as the store is after each screen. Drawn worlds of look-
alike children, some shielded (by a source, or by the screen at drawn strengths), screened one
after another both ways: after each screen, memory finds every child's candidates as the store
finds them, and the screens end with the same shields and caution items either way."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from childindex.domain.shield import blocking_keys
from childindex.services.ports import UnitOfWork
from childindex.services.shield_screen import LoadMemory, screen_child
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory
from feed_state import delete_all_rows
from screen_worlds import (
    ON_THE_DATABASE,
    STRENGTHS,
    World,
    screen_ending,
    stored_world,
    worlds,
)


def _as_the_store(uow: UnitOfWork, memory: LoadMemory, world: World) -> None:
    """Memory answers every child's screen keys (shown and other identities) as the store."""
    for child, _ in world:
        profile = uow.shields.profile(child.child_id.value)
        for one in [profile, *uow.shields.identities(child.child_id.value)] if profile else []:
            keys = blocking_keys(one)
            for shielded, index in ((True, memory.shielded), (False, memory.visible)):
                for dates_alone in (False, True):
                    stored = uow.shields.candidates(
                        keys, shielded=shielded, dates_alone=dates_alone
                    )
                    held = index.candidates(keys, dates_alone=dates_alone)
                    assert Counter(held) == Counter(stored), (child.child_id, shielded)


@ON_THE_DATABASE
@given(world=worlds(), strengths=st.lists(STRENGTHS, min_size=10, max_size=10))
def test_screens_asking_memory_end_as_screens_asking_the_store(
    engine: Engine, uow_factory: SqlUnitOfWorkFactory, world: World, strengths: list[float]
) -> None:
    endings = []
    for asking_memory in (False, True):
        stored_world(uow_factory, engine, world, strengths)
        with uow_factory() as uow:
            memory = LoadMemory.read(uow) if asking_memory else None
            for child, _ in world:
                outcome = screen_child(uow, child.child_id, memory=memory)
                if memory is not None:
                    memory.after(uow, child.child_id.value, outcome)
                    _as_the_store(uow, memory, world)
            uow.commit()
        endings.append(screen_ending(engine))
    assert endings[0] == endings[1]
    delete_all_rows(engine)
