"""A shielded girl, and a boy born the same day whom the shield screen's rule cautions
against her and the model's gate (ADR 0019) lifts; the model, and the container wired with
it, that the gate's tests share (``tests/integration/test_model_gate_on_feeds.py``,
``tests/regression/test_shield_gate_after_a_record_joins.py``,
``tests/properties/test_screen_asked_again.py``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Engine

from app_fixtures import TEST_CIPHER, make_health_record
from childindex.bootstrap import Container
from childindex.domain.ids import ChildId
from childindex.domain.source_record import Source
from childindex.matching.engine import ModelMatchEngine
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory
from matching_model import hand_model
from shield_fixtures import la_record

# The hand-made model with the prior of a country of about a million children.
MODEL = ModelMatchEngine({**hand_model(), "prior": 1e-6})

SHIELDED = la_record(
    record_id="L1",
    given_name="Marlowe",
    family_name="Quennell",
    sex="F",
    birth_date="2016-07-21",
    shield={"reason": "refuge"},
)
# Born the same day with a forename like hers: resemblance cautions him; the model does not
# (another name, sex, surname and home).
NAMESAKE = make_health_record(
    record_id="H1",
    given_name="Marla",
    family_name="Smith",
    sex="M",
    birth_date="2016-07-21",
    address_line1="1 Far Lane",
    postcode="ZZ9 9ZZ",
    nhs_number="9990000034",
)


def weight(left: dict[str, Any], right: dict[str, Any], model: ModelMatchEngine = MODEL) -> float:
    """The model's match weight between two records (their payloads)."""
    return model.weight(
        {k: v for k, v in left.items() if k != "record_id"},
        {k: v for k, v in right.items() if k != "record_id"},
    )


def gated(container: Container, engine: Engine, model: ModelMatchEngine = MODEL) -> Container:
    """``container`` whose units of work carry ``model`` for the gate, as ``bootstrap.build``
    wires it when a model exists."""
    factory = SqlUnitOfWorkFactory(engine, cipher=TEST_CIPHER, weigher=model)
    return replace(container, uow_factory=factory)


def linked(container: Container, source: Source, record_id: str) -> tuple[ChildId, bool]:
    """The child a record is linked to, and whether it is shielded."""
    with container.uow_factory() as uow:
        child_id = uow.records.linked_child(source=source, record_id=record_id)
        assert child_id is not None
        child = uow.children.get(child_id)
        assert child is not None
        return child_id, child.shielded
