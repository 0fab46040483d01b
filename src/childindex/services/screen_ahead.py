"""The first step of a load's walks, worked out in a second process while the load runs the
walks: a first or bulk load's second core (``services/first_load.py``, ADR 0030).

A load screens every shielded child it made or gave records, one after another, each as a
write to it would be (``shield_screen.screen_child``). Each screen walks from the child's
identities to every child that might be it, and on along the chain. The walks depend on
each other (a walk shields children, and the next meets them shielded), but most of their
work is the first step: comparing each identity of the child with every candidate sharing a
key with it. :func:`first_step` does that step from the children the load holds in memory
(``LoadMemory``), in a fork of the load, ahead of the walks; a walk takes the step from it
where it is ready, and otherwise takes it itself.

Why the first step worked out on the memory as it was before any screen is the step the walk
would take, whenever it runs:

- **The candidates do not change.** A walk's candidates are the children sharing a key with
  the identity, shielded and visible. The screens before it move children from visible to
  shielded and raise their strengths; they never change an identity (a child's identities
  come from its records, and nothing moves a record while a load screens). So the
  candidates of both kinds together are those of the memory when the fork read it.
- **A caution against an identity does not depend on the candidate's strength.** The walk
  scores the candidate's resemblance to the identity times the identity's strength, and
  asks the model's gate (ADR 0019), which answers from the two children's records. The
  identity is used only exactly as it was worked out from (its strength included); a
  candidate's strength, and an officer's clearance, are the walk's to apply, as now.
- **Where the gate would ask the store** (a child whose records the load does not hold),
  the fork gives no answer, and the walk takes the step itself.

The second process is a fork. It reads only the memory as it was when forked; it never
touches the database or anything the load writes, and leaves with ``os._exit``. It skips the
children whose walks the load has reached already, and whatever it has not answered for,
the load works out itself.
"""

from __future__ import annotations

import contextlib
import gc
import mmap
import os
import signal
import struct
from collections.abc import Collection, Sequence
from multiprocessing.connection import Connection, Pipe
from pathlib import Path

from childindex.domain.shield import Caution, PairWeight, ScreenProfile, ShieldRule, blocking_keys
from childindex.services.shield_screen import (
    FirstStep,
    LoadMemory,
    walk_dates_alone,
    walk_starts,
)

# The index of the child whose walk the load is at, shared with the fork.
_AT = struct.Struct("q")


def first_step(
    memory: LoadMemory,
    rule: ShieldRule,
    child_id: str,
    weight: PairWeight | None = None,
    known: Collection[str] | None = None,
) -> FirstStep | None:
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
        keys = blocking_keys(profile)
        dates_alone = walk_dates_alone(rule, profile)
        hits: dict[str, Caution] = {}
        for index in (memory.visible, memory.shielded):
            for other in index.candidates(keys, dates_alone=dates_alone):
                if other.child_id == child_id:
                    continue
                hit = rule.caution_of(other, profile, weight=weight)
                if hit is None:
                    continue
                if known is not None and other.child_id not in known:
                    return None  # the gate would read its records from the store
                best = hits.get(other.child_id)
                if best is None or hit.beats(best):
                    hits[other.child_id] = hit
        found[profile] = hits
    return found


class ScreenAhead:
    """:func:`first_step` for each of ``children`` (in the order the load walks from them),
    from a fork of this process. :meth:`first_step` gives a child's, if the fork has it
    ready, and tells the fork the load has reached it."""

    def __init__(
        self,
        memory: LoadMemory,
        rule: ShieldRule,
        children: Sequence[str],
        weight: PairWeight | None = None,
        known: Collection[str] | None = None,
    ) -> None:
        self._pid: int | None = None
        self._answers: Connection | None = None
        self._ready: dict[int, FirstStep | None] = {}
        self._at = mmap.mmap(-1, _AT.size)  # shared with the fork
        _AT.pack_into(self._at, 0, -1)  # no child reached yet
        if not hasattr(os, "fork"):
            return
        answers, sender = Pipe(duplex=False)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the fork: coverage does not follow it
            _answer(memory, rule, children, self._at, sender, weight=weight, known=known)
        sender.close()
        self._pid, self._answers = pid, answers

    def first_step(self, number: int) -> FirstStep | None:
        """The first step of the walk from child ``number`` (its index in ``children``), if
        the fork has worked it out; None if not (yet): the walk then takes it itself, and the
        fork goes on past it."""
        _AT.pack_into(self._at, 0, number)
        while self._answers is not None and self._answers.poll():
            try:
                done, step = self._answers.recv()
            except EOFError:  # the fork has ended
                self._answers.close()
                self._answers = None
                break
            if done >= number:
                self._ready[done] = step
        return self._ready.pop(number, None)

    def close(self) -> None:
        """Stop the fork if it is still working, and wait for it."""
        if self._answers is not None:
            self._answers.close()
            self._answers = None
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._pid = None
        self._ready.clear()


def _answer(  # pragma: no cover - runs in the fork
    memory: LoadMemory,
    rule: ShieldRule,
    children: Sequence[str],
    at: mmap.mmap,
    sender: Connection,
    *,
    weight: PairWeight | None,
    known: Collection[str] | None,
) -> None:
    """The fork: send each child's first step, from the first the load has not reached, then
    leave at once (no cleanup of the load's connections or files, which are the parent's)."""
    code = 1
    try:
        # Short of memory, the kernel ends this process before the load: the load then
        # works out each first step itself.
        with contextlib.suppress(OSError):
            Path("/proc/self/oom_score_adj").write_text("1000", encoding="ascii")
        # What the load built is the parent's: collecting it here would only copy its pages.
        gc.disable()
        for number, child_id in enumerate(children):
            if number <= _AT.unpack_from(at, 0)[0]:
                continue  # the load has reached it: it takes the step itself
            sender.send((number, first_step(memory, rule, child_id, weight, known)))
        code = 0
    finally:
        os._exit(code)
