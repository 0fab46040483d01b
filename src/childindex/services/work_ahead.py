"""Work worked out ahead in a fork of this process: a load's second core for the part of a
job that needs no database (ADR 0032).

A first or bulk load writes its children, records and links a chunk at a time. Most of a
chunk's time is spent before the database sees it: sealing each child and record,
working out search keys, keyed digests and the other identities a child's records carry.
That depends only on the chunk. :class:`WorkAhead` works each chunk out in a fork of the
load, in order, while the load writes the chunk before; the load takes each chunk's result
from the fork where it has it, waits where the fork is working on that very chunk, and
otherwise works the chunk out itself (the fork then goes on past it). A bulk load also
works out its incoming records' features this way while it reads the records held (ADR
0033), receiving what the fork has sent now and then (:meth:`WorkAhead.gather`).

Why a result from the fork is the load's own: the fork is a copy of the load as it was when
forked, and the work is a function of its job alone (no database, no state the load changes
after the fork). So whichever process works a job out, the result is the same; the tests
check it by running loads with and without the fork.

The fork never touches the database or anything the load holds open; it leaves with
``os._exit``. If it dies (the kernel ends it first when memory runs short) or fails, the
load sees its pipe close and works every job left out itself.
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Generic, TypeVar

from childindex.services import forks

J = TypeVar("J")
R = TypeVar("R")

# Shared with the fork: the job the load has reached (``_TAKEN``), and the job the fork has
# begun (``_DOING``): one it has begun, it sends.
_AT = struct.Struct("q")
_TAKEN, _DOING = 0, _AT.size
# The pipe's buffer (Linux allows up to 1 MiB to anyone): the fork is a job or more ahead.
_PIPE_BYTES = 1 << 20


class WorkAhead(Generic[J, R]):
    """``work(job)`` for each of ``jobs``, worked out in a fork in order, ahead of
    :meth:`take` (see the module). ``work`` must depend on its job alone and touch no
    database. Without ``fork`` (or where the platform has none), :meth:`take` works out each
    job itself; with ``wait``, it waits for each job's result from the fork (unless the fork
    has ended), so that each comes from the fork (the tests'). Use it as a context manager:
    leaving stops the fork."""

    def __init__(
        self, jobs: Sequence[J], work: Callable[[J], R], *, fork: bool = True, wait: bool = False
    ) -> None:
        self._jobs, self._work, self._wait = jobs, work, wait
        self._pid: int | None = None
        self._results: Connection | None = None
        self._ready: dict[int, R] = {}
        self._received = -1  # the last job whose result came from the fork
        self.from_fork = 0  # jobs whose result came from the fork
        self._at = mmap.mmap(-1, 2 * _AT.size)
        _AT.pack_into(self._at, _TAKEN, -1)
        _AT.pack_into(self._at, _DOING, -1)
        if not fork or not jobs:
            return
        forked = forks.start(
            lambda sender: _work_ahead(jobs, work, self._at, sender), pipe_bytes=_PIPE_BYTES
        )
        if forked is not None:
            self._pid, self._results = forked

    def take(self, number: int) -> R:
        """``work(jobs[number])``: the fork's if it has sent it, or is working on it (then
        this waits for it); else worked out here, and the fork goes on past it. Take the
        jobs in order: a job before one taken is not worked out ahead again."""
        # The fork passes over each job taken, but where the load waits for every one.
        _AT.pack_into(self._at, _TAKEN, number - 1 if self._wait else number)
        self._receive(number, wait=False)
        if number not in self._ready and (
            self._wait or _AT.unpack_from(self._at, _DOING)[0] == number
        ):
            self._receive(number, wait=True)
        if number in self._ready:
            self.from_fork += 1
            return self._ready.pop(number)
        return self._work(self._jobs[number])

    def gather(self) -> None:
        """Receive every result the fork has sent so far, without waiting, and hold them
        for :meth:`take`. A load busy with other work before it takes any job calls this
        now and then: the pipe holds a result or two, and the fork waits while it is full."""
        self._receive(len(self._jobs), wait=False, keep_from=0)

    def _receive(self, number: int, *, wait: bool, keep_from: int | None = None) -> None:
        """Receive the fork's results (they come in order) up to job ``number``'s or one
        past it, holding those for ``keep_from`` (``number``) or later; with ``wait``, until
        then, else while they are there. Results beyond are left in the pipe, which holds
        the fork back when full: the load never holds more than a result or two."""
        keep = number if keep_from is None else keep_from
        while (
            self._results is not None and self._received < number and (wait or self._results.poll())
        ):
            try:
                self._received, result = self._results.recv()
            except EOFError:  # the fork has ended: every job left is worked out here
                self._results.close()
                self._results = None
                break
            if self._received >= keep:
                self._ready[self._received] = result

    def close(self) -> None:
        """Stop the fork if it is still working, and wait for it."""
        if self._pid is not None:
            forks.stop(self._pid, self._results)
        self._pid, self._results = None, None
        self._ready.clear()

    def __enter__(self) -> WorkAhead[J, R]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def _work_ahead(  # pragma: no cover - runs in the fork
    jobs: Sequence[J], work: Callable[[J], R], at: mmap.mmap, sender: Connection
) -> None:
    """The fork: send each job's result, in order, from the first the load has not reached
    (``forks.start`` then leaves at once)."""
    for number, job in enumerate(jobs):
        if number <= _AT.unpack_from(at, _TAKEN)[0]:
            continue  # the load has reached it: it works it out itself
        _AT.pack_into(at, _DOING, number)  # begun: the load may wait for it
        sender.send((number, work(job)))
