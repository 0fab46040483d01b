"""The halt switch loses and reorders nothing: any interleaving of ``halt on``, ``halt off``
and feeds ends, after a final ``halt off``, in the state of loading the same feeds in the
same order with no halt at all."""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from app_fixtures import FIXED_NOW, make_health_record
from childindex.domain.errors import Conflict
from childindex.services import operations
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory
from halt_helpers import body_of, delete_all_rows, drain, snapshot, submit

# A few children, each sometimes sent with the shared NHS number of another, with changing
# towns and shield flags: enough for links, updates, no-ops and shields to depend on order.
_RECORD = st.builds(
    lambda n, town, sensitive, shared: make_health_record(
        record_id=f"H{n}",
        given_name=f"Kid{n}",
        nhs_number="9990000018" if shared else None,
        town=town,
        sensitive=sensitive,
    ),
    n=st.integers(1, 2),
    town=st.sampled_from(["Ashby", "Brent", "Crane"]),
    sensitive=st.booleans(),
    shared=st.booleans(),
)
_FEED = st.lists(_RECORD, min_size=1, max_size=3).map(body_of)
_STEP = st.one_of(
    st.just(("on", b"")), st.just(("off", b"")), _FEED.map(lambda body: ("feed", body))
)


def _run(uow_factory: SqlUnitOfWorkFactory, steps: list[tuple[str, bytes]]) -> None:
    for kind, body in steps:
        if kind == "on":
            with contextlib.suppress(Conflict):  # already halted: refused, changes nothing
                operations.halt_on(uow=uow_factory(), actor="admin", reason="r", now=FIXED_NOW)
        elif kind == "off":
            with contextlib.suppress(Conflict):  # not halted: refused
                drain(uow_factory, now=FIXED_NOW, batch_size=2)
        else:
            submit(uow_factory, body, now=FIXED_NOW)
    with uow_factory() as uow:
        halted = uow.system.halt() is not None
    if halted:
        drain(uow_factory, now=FIXED_NOW, batch_size=2)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(_STEP, max_size=10))
@example(
    steps=[
        ("feed", body_of([make_health_record(town="Ashby")])),
        ("on", b""),
        ("feed", body_of([make_health_record(town="Brent")])),
        ("feed", body_of([make_health_record(town="Crane", sensitive=True)])),
        ("feed", body_of([make_health_record(record_id="H2", given_name="Kid2")])),
    ]
)
def test_any_interleaving_of_halts_and_feeds_ends_as_the_feeds_loaded_in_order(
    uow_factory: SqlUnitOfWorkFactory, engine: Engine, steps: list[tuple[str, bytes]]
) -> None:
    delete_all_rows(engine)
    _run(uow_factory, steps)
    with uow_factory() as uow:
        assert uow.system.halt() is None
        assert uow.queue.waiting() == 0
    halted = snapshot(uow_factory, engine)

    delete_all_rows(engine)
    _run(uow_factory, [step for step in steps if step[0] == "feed"])
    plain = snapshot(uow_factory, engine)
    delete_all_rows(engine)
    assert halted == plain


def test_the_interleaving_property_can_tell_order_apart(
    uow_factory: SqlUnitOfWorkFactory, engine: Engine
) -> None:
    """A control: the comparison sees the difference two orders make."""
    first: Any = body_of([make_health_record(town="Ashby")])
    second: Any = body_of([make_health_record(town="Brent")])
    _run(uow_factory, [("feed", first), ("feed", second)])
    one = snapshot(uow_factory, engine)
    delete_all_rows(engine)
    _run(uow_factory, [("feed", second), ("feed", first)])
    assert snapshot(uow_factory, engine) != one
