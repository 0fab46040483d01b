"""A load's walks take steps as a second process worked them out ahead
(``services/screen_ahead.py``), on the memory as it was before any screen ran. Drawn worlds
of look-alike children, some shielded (by a source, or by the screen at drawn strengths),
screened one after another in a drawn order, each walk's first step (and its second) taken
ahead or not as drawn: the screens end with the same shields and caution items as screens
that take every step themselves. And the comparison after the walks, of the visible children
with the shielded ones no walk started from or reached, passing over those the second
process found at caution against none before the walks: it ends as one comparing every
visible child."""

from __future__ import annotations

from random import Random

from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import Engine

from childindex.domain.ids import ChildId
from childindex.domain.source_record import Source, SourceRecord
from childindex.services.ingest_batch import might_caution
from childindex.services.ports import UnitOfWork
from childindex.services.screen_ahead import first_step, might_be_apart, second_step
from childindex.services.screen_index import ShieldedIndex
from childindex.services.shield_screen import DEFAULT_RULE, LoadMemory, StepsAhead, screen_child
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory
from feed_state import delete_all_rows
from screen_worlds import (
    ON_THE_DATABASE,
    STRENGTHS,
    World,
    child_of,
    screen_ending,
    stored_world,
    worlds,
)


def _chain() -> World:
    """A shielded child; a visible one it might be, born ten days apart; and a third it is
    not like, born on the second's day and month swapped: only the second step reaches it."""
    found = []
    for born, shielded in (("2015-03-14", True), ("2015-03-04", False), ("2015-04-03", False)):
        identity = {"given_name": "Amara", "family_name": "Okafor", "sex": "F", "birth_date": born}
        record = SourceRecord(Source.HEALTH, "R0", identity, None)
        found.append(
            (
                child_of({**identity, "nhs_number": None, "postcode": None}, shielded=shielded),
                [record],
            )
        )
    return found


def _ahead(memory: LoadMemory, child_id: str, *, further: bool) -> StepsAhead | None:
    """The steps of the walk from ``child_id`` as the second process works them out: the
    first, and the second too if ``further``."""
    step = first_step(memory, DEFAULT_RULE, child_id, memory.weight)
    if step is None or not further:
        return step
    return {**step, **second_step(memory, DEFAULT_RULE, step, memory.weight)}


@ON_THE_DATABASE
@given(
    world=worlds(),
    strengths=st.lists(STRENGTHS, min_size=10, max_size=10),
    order=st.randoms(use_true_random=False),
    ahead=st.lists(st.sampled_from(["none", "first", "both"]), min_size=10, max_size=10),
)
@example(world=_chain(), strengths=[1.0], order=Random(0), ahead=["both"] * 3)
def test_walks_taking_steps_ahead_end_as_walks_taking_them_themselves(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    world: World,
    strengths: list[float],
    order: Random,
    ahead: list[str],
) -> None:
    screened = list(world)
    order.shuffle(screened)
    endings = []
    for taking_steps_ahead in (False, True):
        stored_world(uow_factory, engine, world, strengths)
        with uow_factory() as uow:
            memory = LoadMemory.read(uow)
            steps = {
                child.child_id.value: _ahead(memory, child.child_id.value, further=drawn == "both")
                for (child, _), drawn in zip(screened, ahead, strict=False)
                if drawn != "none" and taking_steps_ahead
            }
            for child, _ in screened:
                step = steps.get(child.child_id.value)
                outcome = screen_child(uow, child.child_id, memory=memory, ahead=step)
                memory.after(uow, child.child_id.value, outcome)
            uow.commit()
        endings.append(screen_ending(engine))
    assert endings[0] == endings[1]
    delete_all_rows(engine)


def _screened(uow: UnitOfWork, memory: LoadMemory, child_id: str, walked: set[str]) -> None:
    """Screen ``child_id`` as a load does, noting the children its walk wrote."""
    outcome = screen_child(uow, ChildId(child_id), memory=memory)
    memory.after(uow, child_id, outcome)
    if outcome.shielded:
        walked.update([child_id, *outcome.rewritten])


@ON_THE_DATABASE
@given(
    world=worlds(),
    strengths=st.lists(STRENGTHS, min_size=10, max_size=10),
    walks=st.lists(st.booleans(), min_size=10, max_size=10),
)
def test_visible_children_passed_over_as_found_before_the_walks_end_as_all_compared(
    engine: Engine,
    uow_factory: SqlUnitOfWorkFactory,
    world: World,
    strengths: list[float],
    walks: list[bool],
) -> None:
    endings, used = [], []
    for passing_over in (False, True):
        stored_world(uow_factory, engine, world, strengths)
        with uow_factory() as uow:
            memory = LoadMemory.read(uow)
            starts = [
                child.child_id.value
                for (child, _), drawn in zip(world, walks, strict=False)
                if child.shielded and drawn
            ]
            visible = [child.child_id.value for child, _ in world if not child.shielded]
            # As the second process finds them, on the memory before any walk.
            apart = memory.shielded.without(set(starts))
            found = set(might_be_apart(memory, DEFAULT_RULE, visible, apart))
            compared = frozenset(apart.profiles())
            walked: set[str] = set()
            for child_id in starts:
                _screened(uow, memory, child_id, walked)
            others = ShieldedIndex(
                e for e in uow.shields.shielded_entries() if e.profile.child_id not in walked
            )
            passing = passing_over and all(p in compared for p in others.profiles())
            used.append(passing)
            for child_id in visible:
                if child_id in walked or (passing and child_id not in found):
                    continue
                if might_caution(
                    uow,
                    index=others,
                    rule=DEFAULT_RULE,
                    child_id=ChildId(child_id),
                    records=uow.records.current_records(ChildId(child_id)),
                    profiles=memory.visible.profiles_of(child_id),
                ):
                    _screened(uow, memory, child_id, walked)
            uow.commit()
        endings.append(screen_ending(engine))
    # The walks leave the shielded children apart as they were: the answers always hold.
    assert used == [False, True]
    assert endings[0] == endings[1]
    delete_all_rows(engine)
