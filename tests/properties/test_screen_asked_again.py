"""A stateful model of the shield screen with the model's gate (ADR 0019): whatever records
arrive, and wherever they say a child lives, the screen asked again afresh finds nothing.

Invariant 2 says every child scoring at or above caution against a shielded one is shielded.
The nightly monitor (``services/shield_monitor.py``) asks exactly that of every visible
child, from scratch: after each step here its hits must be none. The children are chosen to
make the gate matter: a girl, her twin sister at the same home, and a boy born the same day
with a forename like hers, whom the rule cautions against her and the model, at his own
home, lifts. Records come from the health feed and from the council's, at the child's own
home, at another's (a placement) or at nobody's (a move), and the council may shield any
child. A record at another's home raises the model's weight between the two, so what the
gate lifted may stop being lifted: the screen must ask it again (the bug this test was
written for: ``tests/regression/test_shield_gate_after_a_record_joins.py``).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine

from app_fixtures import FIXED_NOW, load_health_records, make_health_record
from childindex.bootstrap import Container
from childindex.services.shield_monitor import monitor
from feed_state import delete_all_rows
from gate_fixtures import MODEL, gated
from shield_fixtures import la_record, load_la

# (given name, a typo of it, family name, sex, NHS number, home): all born the same day.
CHILDREN = [
    ("Marlowe", "Marlow", "Quennell", "F", "9990000018", 0),
    ("Maisie", "Maisy", "Quennell", "F", "9990000026", 0),  # her twin, at the same home
    ("Marla", "Marl", "Smith", "M", "9990000034", 1),  # the boy the gate lifts
]
BORN = "2016-07-21"
HOMES = [
    {"address_line1": "5 Near Road", "town": "Modelton", "postcode": "ZZ1 1AA"},
    {"address_line1": "1 Far Lane", "town": "Farton", "postcode": "ZZ9 9ZZ"},
    {"address_line1": "8 Mill Street", "town": "Millby", "postcode": "ZZ5 5MM"},  # nobody's
]
CHILD = st.integers(0, len(CHILDREN) - 1)
HOME = st.integers(0, len(HOMES) - 1)


class ScreenAskedAgain(RuleBasedStateMachine):
    """Records of the children above through two feeds; see the module docstring."""

    container: Container
    engine: Engine

    def __init__(self) -> None:
        super().__init__()
        delete_all_rows(self.engine)
        self.sent = 0

    def _fields(self, child: int, typo: bool, home: int) -> dict[str, Any]:
        given, misspelt, family, sex, _, _ = CHILDREN[child]
        return {
            "given_name": misspelt if typo else given,
            "family_name": family,
            "sex": sex,
            "birth_date": BORN,
            **HOMES[home],
        }

    @initialize()
    def each_born_at_home(self) -> None:
        for child in range(len(CHILDREN)):
            self.health_record(child, typo=False, home=CHILDREN[child][5])

    @rule(child=CHILD, typo=st.booleans(), home=HOME)
    def health_record(self, child: int, typo: bool, home: int) -> None:
        self.sent += 1
        record = make_health_record(
            record_id=f"H{child}-{self.sent}",
            nhs_number=CHILDREN[child][4],
            **self._fields(child, typo, home),
        )
        load_health_records(self.container, [record], engine=MODEL)

    @rule(child=CHILD, typo=st.booleans(), home=HOME)
    def council_record(self, child: int, typo: bool, home: int) -> None:
        self._council(child, typo, home, shield=False)

    @rule(child=CHILD)
    def shielded_by_the_council(self, child: int) -> None:
        self._council(child, typo=False, home=CHILDREN[child][5], shield=True)

    def _council(self, child: int, typo: bool, home: int, *, shield: bool) -> None:
        self.sent += 1
        record = la_record(record_id=f"L{child}-{self.sent}", **self._fields(child, typo, home))
        if shield:
            record["shield"] = {"reason": "model"}
        load_la(self.container, [record], engine=MODEL)

    @invariant()
    def the_screen_asked_again_finds_nothing(self) -> None:
        found = monitor(uow=self.container.uow_factory(), actor="test", now=FIXED_NOW)
        assert found.hits == (), f"visible children the screen would caution: {found.hits}"


def test_the_screen_asked_again_finds_nothing_whatever_arrives(
    container: Container, engine: Engine
) -> None:
    machine = type(
        "Machine",
        (ScreenAskedAgain,),
        {"container": gated(container, engine), "engine": engine},
    )
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=100,
            stateful_step_count=8,
            deadline=None,
            derandomize=True,
            phases=[Phase.generate, Phase.target],
            suppress_health_check=list(HealthCheck),
        ),
    )
