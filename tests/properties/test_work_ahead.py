"""``WorkAhead`` (``services/work_ahead.py``): whichever process works a job out, ``take``
gives that job's work, however fast either side goes, whichever jobs the load takes, and
wherever the fork dies."""

from __future__ import annotations

import contextlib
import os
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from childindex.services.work_ahead import WorkAhead

LOAD = os.getpid()


def _work(job: tuple[int, int, float, int | None]) -> tuple[int, int]:
    """A job's work: its value squared, and the process that worked it out. In the fork, it
    takes the job's delay first, and dies at the job drawn to die at."""
    number, value, delay, dies_at = job
    if os.getpid() != LOAD:
        if number == dies_at:
            os._exit(3)  # as the kernel ends a fork short of memory: no word to the load
        time.sleep(delay)
    return value * value, os.getpid()


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.integers(-1000, 1000), max_size=25),
    delays=st.lists(st.sampled_from([0.0, 0.0, 0.001, 0.004]), min_size=25, max_size=25),
    writes=st.lists(st.sampled_from([0.0, 0.0, 0.002]), min_size=25, max_size=25),
    kept=st.lists(st.booleans(), min_size=25, max_size=25),
    gathers=st.lists(st.booleans(), min_size=26, max_size=26),
    dies_at=st.none() | st.integers(0, 25),
    wait=st.booleans(),
)
def test_each_job_taken_is_its_work_from_whichever_process(
    values: list[int],
    delays: list[float],
    writes: list[float],
    kept: list[bool],
    gathers: list[bool],
    dies_at: int | None,
    wait: bool,
) -> None:
    jobs = [(n, v, delays[n], dies_at) for n, v in enumerate(values)]
    taken = [n for n in range(len(jobs)) if kept[n]]
    results = {}
    with WorkAhead(jobs, _work, wait=wait) as ahead:
        if gathers[-1]:  # the load busy elsewhere first, receiving what has come now and then
            for _ in range(3):
                time.sleep(0.002)
                ahead.gather()
        for number in taken:
            results[number] = ahead.take(number)
            time.sleep(writes[number])  # the load writing the job's rows
            if gathers[number]:
                ahead.gather()
        from_fork = ahead.from_fork
    assert {n: r[0] for n, r in results.items()} == {n: values[n] ** 2 for n in taken}
    # What it counts as from the fork is what another process worked out.
    assert from_fork == sum(pid != LOAD for _, pid in results.values())
    if wait:  # each job taken came from the fork, but after it died (if it came to that job)
        assert from_fork >= sum(dies_at is None or n < dies_at for n in taken)


@given(values=st.lists(st.integers(), max_size=10))
def test_without_a_fork_the_load_works_out_every_job(values: list[int]) -> None:
    jobs = [(n, v, 0.0, None) for n, v in enumerate(values)]
    with WorkAhead(jobs, _work, fork=False) as ahead:
        results = [ahead.take(n) for n in range(len(jobs))]
        assert ahead.from_fork == 0
    assert results == [(v * v, LOAD) for v in values]


def _fail() -> None:
    raise RuntimeError


def test_leaving_stops_a_fork_still_working() -> None:
    """A load that fails while writing leaves no fork behind."""
    jobs = [(n, n, 30.0, None) for n in range(3)]  # each would take half a minute
    started = time.monotonic()
    ahead = WorkAhead(jobs, _work)
    pid = ahead._pid
    assert pid is not None
    with contextlib.suppress(RuntimeError), ahead:
        _fail()
    assert time.monotonic() - started < 10
    try:  # reaped: no longer this process's child
        os.waitpid(pid, os.WNOHANG)
        raise AssertionError(pid)
    except ChildProcessError:
        pass


def _big(job: int) -> tuple[bytes, int, float]:
    """A result filling a good part of the pipe: its job, and when it was worked out."""
    return bytes(400_000), job, time.monotonic()


def test_a_load_busy_elsewhere_that_gathers_now_and_then_lets_the_fork_go_on() -> None:
    """The pipe holds two of these results: the fork works out every job while the load,
    busy with other work (reading the records held), receives what has come now and then."""
    jobs = list(range(12))
    with WorkAhead(jobs, _big) as ahead:
        busy_until = time.monotonic() + 3
        while time.monotonic() < busy_until:
            time.sleep(0.01)
            ahead.gather()
        results = [ahead.take(n)[1:] for n in range(len(jobs))]
        assert ahead.from_fork == len(jobs)
    assert [job for job, _ in results] == jobs
    assert all(at < busy_until for _, at in results)
