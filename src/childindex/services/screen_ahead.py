"""Steps of a load's walks, worked out in a second process while the load runs the walks: a
first or bulk load's second core (``services/first_load.py``, ADR 0030, ADR 0031).

A load screens every shielded child it made or gave records, one after another, each as a
write to it would be (``shield_screen.screen_child``). Each screen walks from the child's
identities to every child that might be it, and on along the chain. The walks depend on
each other (a walk shields children, and the next meets them shielded), but most of their
work is their first steps: comparing each identity of the child with every candidate
sharing a key with it, and then each identity of each child that reaches. :func:`first_step`
and :func:`second_step` take those steps from the children the load holds in memory
(``LoadMemory``), in a fork of the load, ahead of the walks; a walk takes a step from it
where it is ready, and otherwise takes it itself.

Why a step worked out on the memory as it was before any screen is the step the walk would
take, whenever it runs:

- **The candidates do not change.** A walk's candidates are the children sharing a key with
  the identity, shielded and visible. The screens before it move children from visible to
  shielded and raise their strengths; they never change an identity (a child's identities
  come from its records, and nothing moves a record while a load screens). So the
  candidates of both kinds together are those of the memory when the fork read it.
- **A caution against an identity does not depend on the candidate's strength.** The walk
  scores the candidate's resemblance to the identity times the identity's strength, and
  asks the model's gate (ADR 0019), which answers from the two children's records. The
  walk uses a step only from an identity exactly as it was worked out from (its strength
  included: a second step is worked out at the strength the first step reaches the child
  at, and a walk that reaches it more strongly steps from it itself); a candidate's
  strength, and an officer's clearance, are the walk's to apply, as now.
- **Where the gate would ask the store** (a child whose records the load does not hold),
  the fork gives no answer, and the walk takes the step itself.

The fork also answers ahead for the comparison after the walks (ADR 0031): which of the
visible children the load made or grew might be a shielded child that no walk starts from
(:func:`might_be_apart`), by resemblance alone. The model's gate only lifts a caution, so a
child it does not name is at caution against none of them; the load compares only the
children it names, and checks first that the shielded children it compares with are among
those the fork compared with, as they were (``ScreenAhead.answers_for``). The fork takes
second steps, and answers for the visible children, only while well ahead of the load
(``AHEAD_LEAD``); the answers first, as the load needs them all.

The second process is a fork. It reads only the memory as it was when forked; it never
touches the database or anything the load writes, and leaves with ``os._exit``. It skips the
children whose walks the load has reached already, and whatever it has not answered for,
the load works out itself.
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection

from childindex.domain.shield import Caution, PairWeight, ScreenProfile, ShieldRule, blocking_keys
from childindex.services import forks
from childindex.services.screen_index import ShieldedIndex
from childindex.services.shield_screen import (
    LoadMemory,
    StepsAhead,
    any_caution,
    walk_dates_alone,
    walk_starts,
)

# Shared with the fork: the index of the child whose walk the load is at (``_WALK``), and
# of the chunk of visible children it is comparing (``_CHUNK``).
_AT = struct.Struct("q")
_WALK, _CHUNK = 0, _AT.size
_PAST = 2**62  # past every walk
# Only while this many walks ahead of the load does the fork, beside a walk's first step,
# answer for a chunk of the visible children, or add the walk's second step: with both
# steps it is about as slow as the load, and would fall behind.
AHEAD_LEAD = 100
# Visible children in one of the fork's answers for the comparison after the walks.
APART_CHUNK = 2048
# The fork's answers: a walk's first step, or a chunk's visible children that might be one.
_STEP, _APART = "step", "apart"


def first_step(
    memory: LoadMemory,
    rule: ShieldRule,
    child_id: str,
    weight: PairWeight | None = None,
    known: Collection[str] | None = None,
) -> StepsAhead | None:
    """The first step of the walk from the shielded child ``child_id`` (see the module):
    for each identity it starts from, each other child of ``memory`` at caution against it,
    with the strongest such caution. ``weight``: the model's gate; ``known``: the children
    whose records it answers from (all, if None). None where it cannot say: the child is not
    held shielded, or a caution would need the gate's word on a child it does not know."""
    held = memory.shielded.profiles_of(child_id)
    if rule.caution is None or not held or (known is not None and child_id not in known):
        return None
    found: dict[ScreenProfile, dict[str, Caution]] = {}
    for profile in walk_starts(held[0], held[1:]):
        hits = _step(memory, rule, profile, weight, known)
        if hits is None:
            return None
        found[profile] = hits
    return found


def second_step(
    memory: LoadMemory,
    rule: ShieldRule,
    first: StepsAhead,
    weight: PairWeight | None = None,
    known: Collection[str] | None = None,
) -> StepsAhead:
    """The step from each identity of each child the ``first`` step reached more strongly
    than ``memory`` holds it, at the strength of its strongest caution there: the strength
    the walk goes on from it at, unless a longer chain reaches it more strongly (the walk
    then steps from that identity itself). An identity whose step would need the gate's word
    on a child it does not know is left out."""
    reached: dict[str, float] = {}
    for hits in first.values():
        for child_id, caution in hits.items():
            reached[child_id] = max(caution.score, reached.get(child_id, 0.0))
    found: dict[ScreenProfile, dict[str, Caution]] = {}
    for child_id, score in reached.items():  # each known, as :func:`first_step` found it
        held = memory.profiles_of(child_id)
        if not held or score <= held[0].strength:
            continue  # held as strongly: the walk does not step on from it
        for one in held:
            profile = replace(one, shielded=True, strength=score)
            further = _step(memory, rule, profile, weight, known)
            if further is not None:
                found[profile] = further
    return found


def _step(
    memory: LoadMemory,
    rule: ShieldRule,
    profile: ScreenProfile,
    weight: PairWeight | None,
    known: Collection[str] | None,
) -> dict[str, Caution] | None:
    """Each child of ``memory`` but ``profile``'s own at caution against ``profile``, with
    the strongest such caution; None if one would need the gate's word on a child not
    ``known``."""
    keys = blocking_keys(profile)
    dates_alone = walk_dates_alone(rule, profile)
    hits: dict[str, Caution] = {}
    for index in (memory.visible, memory.shielded):
        for other in index.candidates(keys, dates_alone=dates_alone):
            if other.child_id == profile.child_id:
                continue
            hit = rule.caution_of(other, profile, weight=weight)
            if hit is None:
                continue
            if known is not None and other.child_id not in known:
                return None  # the gate would read its records from the store
            best = hits.get(other.child_id)
            if best is None or hit.beats(best):
                hits[other.child_id] = hit
    return hits


def might_be_apart(
    memory: LoadMemory, rule: ShieldRule, visible: Iterable[str], apart: ShieldedIndex
) -> list[str]:
    """Of the ``visible`` children, those any identity of which in ``memory`` is at caution
    against a shielded child of ``apart`` by resemblance alone. The model's gate only lifts
    a caution, so none of the others is at caution with the gate either."""
    if not apart.size:  # a first load's walks start from every shielded child
        return []
    return [
        child_id
        for child_id in visible
        if any_caution(
            index=apart, rule=rule, profiles=memory.visible.profiles_of(child_id), weight=None
        )
    ]


class ScreenAhead:
    """:func:`first_step` for each of ``children`` (in the order the load walks from them),
    and :func:`second_step` too for some, from a fork of this process. :meth:`steps`
    gives a child's, if the fork has them ready, and tells the fork the load has reached it.

    Then, for the comparison after the walks, which of the ``visible`` children (in the
    order the load compares them, :data:`APART_CHUNK` at a time) might be one of the
    shielded children held apart from ``children`` (:meth:`might_be`).

    With ``wait``, the load waits for each answer from the fork (unless the fork has ended)
    instead of going on past it: the tests', so that every answer crosses however busy the
    machine is."""

    def __init__(
        self,
        memory: LoadMemory,
        rule: ShieldRule,
        children: Sequence[str],
        *,
        weight: PairWeight | None = None,
        known: Collection[str] | None = None,
        visible: Sequence[str] = (),
        wait: bool = False,
    ) -> None:
        self._wait = wait
        self._pid: int | None = None
        self._answers: Connection | None = None
        self._ready: dict[int, StepsAhead | None] = {}
        self._flagged: dict[int, frozenset[str]] = {}
        walked = frozenset(children)
        # The shielded children the fork compares the visible ones with, as they are now.
        self._apart = frozenset(p for p in memory.shielded.profiles() if p.child_id not in walked)
        self._at = mmap.mmap(-1, 2 * _AT.size)  # shared with the fork
        _AT.pack_into(self._at, _WALK, -1)  # no child reached yet
        _AT.pack_into(self._at, _CHUNK, -1)
        asked = _Asked(children, visible, weight, known)
        forked = forks.start(lambda sender: _answer(memory, rule, asked, self._at, sender))
        if forked is not None:
            self._pid, self._answers = forked

    def steps(self, number: int) -> StepsAhead | None:
        """The steps of the walk from child ``number`` (its index in ``children``) that the
        fork has worked out: its first, and its second if the fork was well ahead; None if
        not (yet): the walk then takes them itself, and the fork goes on past it."""
        _AT.pack_into(self._at, _WALK, number - 1 if self._wait else number)
        self._receive((_STEP, number))
        return self._ready.pop(number, None)

    def answers_for(self, apart: Iterable[ScreenProfile]) -> bool:
        """Whether :meth:`might_be` answers for a comparison with the shielded children
        ``apart``: each is one the fork compared with, as it was then (its strength too)."""
        return all(profile in self._apart for profile in apart)

    def might_be(self, chunk: int) -> frozenset[str] | None:
        """Of the visible children of chunk ``chunk``, those the fork found at caution
        against a shielded child held apart from the walks, by resemblance alone (the
        model's gate only lifts a caution, so the load need not compare the others). None
        if the fork has not answered (yet): the load then compares each itself, and the
        fork goes on past it. Ask only where :meth:`answers_for` the comparison."""
        _AT.pack_into(self._at, _WALK, _PAST)  # the walks are done
        _AT.pack_into(self._at, _CHUNK, chunk - 1 if self._wait else chunk)
        self._receive((_APART, chunk))
        return self._flagged.pop(chunk, None)

    def _receive(self, wanted: tuple[str, int]) -> None:
        """Hold each answer the fork has sent, but those the load has gone past; with
        ``wait``, until the ``wanted`` one (its kind and number) has come."""
        walk, chunk = (_AT.unpack_from(self._at, at)[0] for at in (_WALK, _CHUNK))
        came = wanted[1] in (self._ready if wanted[0] == _STEP else self._flagged)
        while self._answers is not None and (self._answers.poll() or (self._wait and not came)):
            try:
                kind, number, answer = self._answers.recv()
            except EOFError:  # the fork has ended
                self._answers.close()
                self._answers = None
                break
            came = came or (kind, number) == wanted
            if kind == _STEP and number >= walk:
                self._ready[number] = answer
            elif kind == _APART and number >= chunk:
                self._flagged[number] = frozenset(answer)

    def close(self) -> None:
        """Stop the fork if it is still working, and wait for it."""
        if self._pid is not None:
            forks.stop(self._pid, self._answers)
        self._pid, self._answers = None, None
        self._ready.clear()
        self._flagged.clear()


@dataclass(frozen=True, slots=True)
class _Asked:
    """What the fork answers about: ``children``' first steps with the gate (``weight``,
    ``known``), then the ``visible`` children against the shielded ones not among them."""

    children: Sequence[str]
    visible: Sequence[str]
    weight: PairWeight | None
    known: Collection[str] | None


def _answer(  # pragma: no cover - runs in the fork
    memory: LoadMemory, rule: ShieldRule, asked: _Asked, at: mmap.mmap, sender: Connection
) -> None:
    """The fork: send each child's first step, from the first the load has not reached.
    While well ahead of the load, it also answers for a chunk of the visible children, or,
    once all are answered for, adds the walk's second step. Then it answers for the chunks
    left (``forks.start`` then leaves at once)."""
    chunks = _Chunks(memory, rule, asked, at, sender)
    for number, child_id in enumerate(asked.children):
        walk = _AT.unpack_from(at, _WALK)[0]
        if number <= walk:
            continue  # the load has reached it: it takes the step itself
        step = first_step(memory, rule, child_id, asked.weight, asked.known)
        if step is not None and number - walk > AHEAD_LEAD and not chunks.answer_one():
            step = {**step, **second_step(memory, rule, step, asked.weight, asked.known)}
        sender.send((_STEP, number, step))
    while chunks.answer_one():
        pass


class _Chunks:  # pragma: no cover - runs in the fork
    """The fork's answers for the visible children (:meth:`ScreenAhead.might_be`), a chunk
    at a time, the chunks the load has reached passed over."""

    def __init__(
        self,
        memory: LoadMemory,
        rule: ShieldRule,
        asked: _Asked,
        at: mmap.mmap,
        sender: Connection,
    ) -> None:
        self.memory, self.rule, self.visible = memory, rule, asked.visible
        self.at, self.sender = at, sender
        self.apart = memory.shielded.without(set(asked.children))
        self.next = 0

    def answer_one(self) -> bool:
        """Send the answer for the next chunk the load has not reached; False if none is
        left."""
        self.next = max(self.next, _AT.unpack_from(self.at, _CHUNK)[0] + 1)
        start = self.next * APART_CHUNK
        if start >= len(self.visible):
            return False
        visible = self.visible[start : start + APART_CHUNK]
        found = might_be_apart(self.memory, self.rule, visible, self.apart)
        self.sender.send((_APART, self.next, found))
        self.next += 1
        return True
