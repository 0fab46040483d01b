"""Regression: an officer shields a child while a feed batch is creating its visible near
twin in another transaction (write skew).

Each side checks the other's committed state: the batch screens its new child against the
shielded children it can see, and the shield screens the child's visible near twins. On
PostgreSQL (READ COMMITTED) neither saw the other's uncommitted work, so the twin stayed
visible. Every write that the screen depends on now takes the screen lock first
(``ShieldStore.lock_screen``), so the second writer waits and screens against the first.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from app_fixtures import FIXED_NOW
from childindex.bootstrap import Container
from childindex.domain.child import Child
from childindex.domain.source_record import Source
from childindex.feeds.health import read_health
from childindex.services import ingest, shielding
from childindex.storage.unit_of_work import SqlUnitOfWork
from shield_fixtures import ADMIN

# Long enough for the officer's transaction to run to its end if nothing holds it back.
PAUSE_SECONDS = 1.5


def _child(container: Container, record_id: str) -> Child:
    with container.uow_factory() as uow:
        child_id = uow.records.linked_child(source=Source.HEALTH, record_id=record_id)
        assert child_id is not None
        child = uow.children.get(child_id)
    assert child is not None
    return child


def test_a_twin_loaded_while_an_officer_shields_its_child_is_shielded(
    container: Container,
    load_health: Callable[[list[dict[str, Any]]], Any],
    health_record: Callable[..., dict[str, Any]],
) -> None:
    load_health(
        [
            health_record(
                record_id="H1",
                given_name="Marlow",
                family_name="Quenel",
                birth_date="2016-07-21",
                nhs_number="9990000050",
            )
        ]
    )
    original = _child(container, "H1")
    twin_record = health_record(
        record_id="H2",
        given_name="Marlowe",
        family_name="Quennell",
        birth_date="2016-07-21",
        nhs_number="9990000034",
    )
    batch_ready = threading.Event()
    officer_started = threading.Event()
    errors: list[BaseException] = []

    opened: list[SqlUnitOfWork] = []

    def paused_factory() -> SqlUnitOfWork:
        uow = container.uow_factory()
        opened.append(uow)
        commit = uow.commit
        # The load's units of work: start the load, the one batch, finish the load.
        is_the_batch = len(opened) == 2

        def commit_after_the_officer() -> None:
            if is_the_batch:
                batch_ready.set()
                officer_started.wait(10)
                time.sleep(PAUSE_SECONDS)
            commit()

        uow.commit = commit_after_the_officer  # type: ignore[method-assign]
        return uow

    def load_twin() -> None:
        try:
            data = (json.dumps(twin_record) + "\n").encode()
            ingest.load_feed(
                uow_factory=paused_factory,
                source=Source.HEALTH,
                filename="twin.jsonl",
                data=data,
                lines=read_health(data, file="twin.jsonl", now=FIXED_NOW),
                actor="test",
                now=FIXED_NOW,
            )
        except Exception as error:  # noqa: BLE001 - a thread's failure is reported below
            errors.append(error)
            batch_ready.set()

    def shield_original() -> None:
        try:
            batch_ready.wait(10)
            officer_started.set()
            shielding.set_shield(
                uow=container.uow_factory(),
                viewer=ADMIN,
                child_id=original.child_id,
                reason="refuge",
                review_date=date(2027, 6, 1),
                now=FIXED_NOW,
            )
        except Exception as error:  # noqa: BLE001 - a thread's failure is reported below
            errors.append(error)

    threads = [threading.Thread(target=load_twin), threading.Thread(target=shield_original)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert batch_ready.is_set()
    assert officer_started.is_set()
    assert _child(container, "H1").shielded
    twin = _child(container, "H2")
    assert twin.child_id != original.child_id
    assert twin.shielded, "the near twin loaded beside the shield must not stay visible"
