"""Regression: a load's second process died in its first instant (CI of stop 39, on
PostgreSQL: "Fatal Python error: Segmentation fault", and a first load whose chunks'
rows all came from the load itself).

A load forks its second process (``services/forks.py``) just after clustering, when Splink's
linker and its DuckDB connection are garbage the load has not yet collected. The fork
turned off Python's collector only as its body began; an automatic collection before that,
in the fork, collected the DuckDB connection there, whose threads exist only in the load,
and the fork died (the load then worked everything out itself, so no row was wrong). The
collector is now off before the fork is made.

An automatic collection comes when the count of new objects says so, which is rare in so
short a window; the hook below makes one happen in it wherever the fork lets one happen.
"""

from __future__ import annotations

import gc
import os

from childindex.linkage.training import feature_table, linker_for
from childindex.matching.features import features_of
from childindex.services.work_ahead import WorkAhead

_ARMED = False  # only this test's forks collect in their first instant


def _collect_if_the_fork_collects() -> None:
    if _ARMED and gc.isenabled():
        gc.collect()


os.register_at_fork(after_in_child=_collect_if_the_fork_collects)


def _square(job: int) -> tuple[int, int]:
    return job * job, os.getpid()


def _leave_splinks_garbage() -> None:
    """Block a few records with Splink, as a load's clustering does, and drop the linker:
    its DuckDB connection is garbage in a reference cycle, for the collector."""
    features = {
        str(number): features_of(
            {
                "given_name": ("Amy", "Amie", "Ben")[number % 3],
                "family_name": "Okafor",
                "birth_date": "2015-04-03",
                "sex": "F",
                "postcode": "LS6 2AB",
            }
        )
        for number in range(30)
    }
    linker = linker_for(feature_table(features))
    linker.table_management.compute_tf_table("forename")
    del linker


def test_a_fork_made_while_splinks_duckdb_awaits_collection_does_its_work() -> None:
    global _ARMED  # noqa: PLW0603 - the hook reads it in the fork
    collecting = gc.isenabled()
    _leave_splinks_garbage()
    _ARMED = True
    try:
        with WorkAhead(list(range(6)), _square, wait=True) as ahead:
            results = [ahead.take(number) for number in range(6)]
            from_fork = ahead.from_fork
    finally:
        _ARMED = False
    assert [value for value, _ in results] == [number * number for number in range(6)]
    # Every job's result came from the fork: it lived.
    assert from_fork == 6
    assert {pid for _, pid in results} - {os.getpid()}
    # The load collects as before once the fork is made.
    assert gc.isenabled() == collecting
