"""A load's walks take their first step as a second process worked it out ahead
(``services/screen_ahead.py``), on the memory as it was before any screen ran. Drawn worlds
of look-alike children, some shielded (by a source, or by the screen at drawn strengths),
screened one after another in a drawn order, each walk's first step taken ahead or not as
drawn: the screens end with the same shields and caution items as screens that take every
step themselves."""

from __future__ import annotations

from random import Random

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from childindex.services.screen_ahead import first_step
from childindex.services.shield_screen import DEFAULT_RULE, LoadMemory, screen_child
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


@ON_THE_DATABASE
@given(
    world=worlds(),
    strengths=st.lists(STRENGTHS, min_size=10, max_size=10),
    order=st.randoms(use_true_random=False),
    ahead=st.lists(st.booleans(), min_size=10, max_size=10),
)
def test_walks_taking_their_first_step_ahead_end_as_walks_taking_it_themselves(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    world: World,
    strengths: list[float],
    order: Random,
    ahead: list[bool],
) -> None:
    screened = list(world)
    order.shuffle(screened)
    endings = []
    for taking_steps_ahead in (False, True):
        stored_world(uow_factory, engine, world, strengths)
        with uow_factory() as uow:
            memory = LoadMemory.read(uow)
            steps = {
                child.child_id.value: first_step(
                    memory, DEFAULT_RULE, child.child_id.value, memory.weight
                )
                for (child, _), drawn in zip(screened, ahead, strict=False)
                if drawn and taking_steps_ahead
            }
            for child, _ in screened:
                step = steps.get(child.child_id.value)
                outcome = screen_child(uow, child.child_id, memory=memory, ahead=step)
                memory.after(uow, child.child_id.value, outcome)
            uow.commit()
        endings.append(screen_ending(engine))
    assert endings[0] == endings[1]
    delete_all_rows(engine)
