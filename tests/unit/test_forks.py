"""A load's second process (``services/forks.py``): the log says when one ended by itself
before finishing, and only then; the load's collector is as it was once one is made."""

from __future__ import annotations

import errno
import gc
import logging
import os
import signal
import time
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from childindex.services import forks
from childindex.services.work_ahead import WorkAhead


def _started(body: object) -> tuple[int, Connection]:
    forked = forks.start(body)  # type: ignore[arg-type]
    assert forked is not None
    return forked


def _ended(pid: int) -> None:
    """Wait until ``pid`` has ended, leaving it to be waited for (a zombie)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if Path(f"/proc/{pid}/stat").read_text("ascii").split(") ", 1)[1].startswith("Z"):
            return
        time.sleep(0.01)
    pytest.fail(f"the fork {pid} did not end")


def _fails(sender: Connection) -> None:
    sender.send("half")
    raise RuntimeError("a fault in the second process")


def _killed(sender: Connection) -> None:
    os.kill(os.getpid(), signal.SIGTERM)


def _finishes(sender: Connection) -> None:
    sender.send("all")


def _works_on(sender: Connection) -> None:
    time.sleep(60)


def test_a_fork_that_failed_is_said_with_why(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    pid, received = _started(_fails)
    assert received.recv() == "half"
    _ended(pid)
    with caplog.at_level(logging.WARNING, logger="childindex.services.forks"):
        forks.stop(pid, received)
    assert "failed (exit status 1)" in caplog.text
    assert "RuntimeError: a fault in the second process" in capfd.readouterr().err


def test_a_fork_ended_by_a_signal_is_said_with_the_signal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pid, received = _started(_killed)
    _ended(pid)
    with caplog.at_level(logging.WARNING, logger="childindex.services.forks"):
        forks.stop(pid, received)
    assert f"was ended by signal {int(signal.SIGTERM)}" in caplog.text


@pytest.mark.parametrize("body", [_finishes, _works_on])
def test_a_fork_that_finished_or_was_stopped_is_not_said(
    caplog: pytest.LogCaptureFixture, body: object
) -> None:
    pid, received = _started(body)
    if body is _finishes:
        assert received.recv() == "all"
        _ended(pid)
    with caplog.at_level(logging.WARNING, logger="childindex.services.forks"):
        forks.stop(pid, received)
    assert caplog.records == []
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # waited for


@pytest.mark.parametrize("collecting", [True, False])
def test_the_load_collects_as_before_once_a_fork_is_made(collecting: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if collecting else gc.disable)()
        pid, received = _started(_finishes)
        assert gc.isenabled() == collecting
        forks.stop(pid, received)
    finally:
        (gc.enable if was else gc.disable)()


def test_a_refused_fork_leaves_the_load_to_work_alone(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The system refuses a fork (out of processes or memory): no second process, said in
    the log, the collector as it was, and the work done by the load itself. (The refusal is
    injected: as root here, no limit makes a real fork fail.)"""

    def refuse() -> int:
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refuse)
    was = gc.isenabled()
    with caplog.at_level(logging.WARNING, logger="childindex.services.forks"):
        assert forks.start(_finishes) is None
        with WorkAhead([1, 2, 3], lambda job: (job * 2, os.getpid()), wait=True) as ahead:
            results = [ahead.take(number) for number in range(3)]
            from_fork = ahead.from_fork
    assert gc.isenabled() == was
    assert "no second process" in caplog.text
    assert results == [(2, os.getpid()), (4, os.getpid()), (6, os.getpid())]
    assert from_fork == 0
