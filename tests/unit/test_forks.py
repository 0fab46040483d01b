"""A load's second process (``services/forks.py``): the log says when one ended by itself
before finishing, and only then; the load's collector is as it was once one is made."""

from __future__ import annotations

import gc
import logging
import os
import signal
import time
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from childindex.services import forks


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
