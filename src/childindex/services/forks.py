"""A load's second process: a fork that sends its answers down a pipe, never touches what
the load holds open, and is the first process the kernel ends when memory runs short
(``services/screen_ahead.py``, ``services/work_ahead.py``)."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection, Pipe
from pathlib import Path
from typing import NoReturn

log = logging.getLogger(__name__)


def start(
    body: Callable[[Connection], None], *, pipe_bytes: int | None = None
) -> tuple[int, Connection] | None:
    """Fork a process running ``body(sender)``, and give its pid and the receiving end of
    the pipe; None where the platform has no fork, or it refuses one now (the load then
    works everything out itself). The fork leaves with ``os._exit`` when ``body`` ends or
    fails (no cleanup of the load's connections or files, which are the parent's).
    ``pipe_bytes``: the pipe's buffer, where the platform lets it be set."""
    if not hasattr(os, "fork"):
        return None
    received, sender = Pipe(duplex=False)
    if pipe_bytes is not None:
        with contextlib.suppress(AttributeError, OSError):  # Linux only; a smaller one works
            import fcntl  # noqa: PLC0415 - not on every platform

            fcntl.fcntl(sender.fileno(), fcntl.F_SETPIPE_SZ, pipe_bytes)
    # The collector is off before the fork is made, so never runs in it: collecting there
    # would finalise the load's garbage in the fork, where it is not the fork's to finalise
    # (Splink's DuckDB connection, whose threads are the load's, killed the fork:
    # tests/regression/test_fork_collects_nothing.py). Collecting the load's objects in
    # the fork would only copy their pages besides.
    collecting = gc.isenabled()
    gc.disable()
    pid = -1
    try:
        pid = os.fork()
    except OSError as refused:  # out of processes or of memory, for now
        log.warning("no second process (%s): the load works everything out itself", refused)
        received.close()
        sender.close()
    finally:
        if collecting and pid != 0:  # the load's collector as it was, whatever happened
            gc.enable()
    if pid == 0:  # pragma: no cover - the fork: coverage does not follow it
        _run(body, sender)
    if pid < 0:
        return None
    sender.close()
    return pid, received


def _run(body: Callable[[Connection], None], sender: Connection) -> NoReturn:  # pragma: no cover
    """The fork: ``body(sender)``, then leave at once, saying on stderr why if it failed."""
    code = 1
    try:
        # Short of memory, the kernel ends this process before the load, which then does
        # the work itself.
        with contextlib.suppress(OSError):
            Path("/proc/self/oom_score_adj").write_text("1000", encoding="ascii")
        body(sender)
        code = 0
    except BaseException:  # noqa: BLE001 - the load works out itself what was not sent
        traceback.print_exc()
    finally:
        os._exit(code)


def stop(pid: int, received: Connection | None) -> None:
    """Stop the fork ``pid`` if it is still working, wait for it, and close the pipe from
    it (if not closed already). A fork that had ended by itself other than by finishing
    (ended for memory by the kernel, or failed) is said in the log: the load worked out
    itself whatever the fork had not sent."""
    ended, status = os.waitpid(pid, os.WNOHANG)
    if not ended:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    if received is not None:
        received.close()
    if ended and status != 0:
        how = (
            f"was ended by signal {os.WTERMSIG(status)}"
            if os.WIFSIGNALED(status)
            else f"failed (exit status {os.waitstatus_to_exitcode(status)})"
        )
        log.warning("a second process of the load %s: the load worked out the rest itself", how)
