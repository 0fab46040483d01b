"""A load's second process: a fork that sends its answers down a pipe, never touches what
the load holds open, and is the first process the kernel ends when memory runs short
(``services/screen_ahead.py``, ``services/work_ahead.py``)."""

from __future__ import annotations

import contextlib
import gc
import os
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection, Pipe
from pathlib import Path


def start(
    body: Callable[[Connection], None], *, pipe_bytes: int | None = None
) -> tuple[int, Connection] | None:
    """Fork a process running ``body(sender)``, and give its pid and the receiving end of
    the pipe; None where the platform has no fork. The fork leaves with ``os._exit`` when
    ``body`` ends or fails (no cleanup of the load's connections or files, which are the
    parent's). ``pipe_bytes``: the pipe's buffer, where the platform lets it be set."""
    if not hasattr(os, "fork"):
        return None
    received, sender = Pipe(duplex=False)
    if pipe_bytes is not None:
        with contextlib.suppress(AttributeError, OSError):  # Linux only; a smaller one works
            import fcntl  # noqa: PLC0415 - not on every platform

            fcntl.fcntl(sender.fileno(), fcntl.F_SETPIPE_SZ, pipe_bytes)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the fork: coverage does not follow it
        code = 1
        try:
            # Short of memory, the kernel ends this process before the load, which then
            # does the work itself.
            with contextlib.suppress(OSError):
                Path("/proc/self/oom_score_adj").write_text("1000", encoding="ascii")
            # What the load built is the parent's: collecting it here would only copy its
            # pages.
            gc.disable()
            body(sender)
            code = 0
        finally:
            os._exit(code)
    sender.close()
    return pid, received


def stop(pid: int, received: Connection | None) -> None:
    """Close the pipe from the fork ``pid`` (if not closed already), stop the fork if it is
    still working, and wait for it."""
    if received is not None:
        received.close()
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
