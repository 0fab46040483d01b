"""Carers through the feed path (ADR 0025), on SQLite and PostgreSQL: a lone benefit claim
for a child in another town, whose claimant is none of a namesake's carers, starts a new
child instead of landing on the namesake; the same claim made by her mother (a family that
moved) links as before; and a shielded child's record from a new home, with new carers,
is shielded as before: the screen does not read the carers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import Engine

from app_fixtures import TEST_CIPHER, load_benefit_records, load_health_records, make_health_record
from childindex.bootstrap import Container
from childindex.domain.ids import ChildId
from childindex.domain.source_record import Source
from childindex.matching.engine import ModelMatchEngine
from childindex.matching.features import features_of
from childindex.matching.scoring import resemblance_weight
from childindex.matching.thresholds import SCREEN_GATE_BITS
from childindex.storage.unit_of_work import SqlUnitOfWorkFactory
from matching_model import hand_model

# The hand-made model with a prior at which a name, a birth date and a sex alone, from
# another town, just reach LINK (as "Luna Atkinson" did at 1,000,000 children; synthetic).
MODEL = ModelMatchEngine({**hand_model(), "prior": 2.0**-28})
MOTHER = {
    "given_name": "Hayley",
    "family_name": "Quennell",
    "relationship": "mother",
    "parental_responsibility": True,
    "phone": "07700 900401",
}
LUNA = make_health_record(
    record_id="H1",
    given_name="Luna",
    family_name="Quennell",
    sex="F",
    birth_date="2025-12-23",
    address_line1="43 Hawthorn Lane",
    postcode="ZZ1 9NH",
    carers=[MOTHER],
)


def _claim(record_id: str, claimant: tuple[str, str, str]) -> dict[str, Any]:
    """Luna's name and birth date, claimed for from a flat in another district."""
    given, family, phone = claimant
    return {
        "record_id": record_id,
        "given_name": "Luna",
        "family_name": "QUENNELL",
        "sex": "F",
        "birth_date": "2025-12-23",
        "address_line1": "Flat 13",
        "address_line2": "14 Trafalgar St",
        "town": "Thornton",
        "postcode": "ZY6 1BH",
        "claimant_given_name": given,
        "claimant_family_name": family,
        "claimant_phone": phone,
    }


def _child(container: Container, source: Source, record_id: str) -> ChildId | None:
    with container.uow_factory() as uow:
        return uow.records.linked_child(source=source, record_id=record_id)


@pytest.mark.parametrize(
    ("claimant", "same_child"),
    [
        (("Emma", "Quennell", "07700900922"), False),  # a namesake's mother, elsewhere
        (("Hayley", "QUENNELL", "+44 7700 900401"), True),  # her mother, moved
    ],
    ids=["another family", "her mother, moved"],
)
def test_a_claim_from_another_town_lands_on_a_namesake_only_through_her_carers(
    container: Container, claimant: tuple[str, str, str], same_child: bool
) -> None:
    load_health_records(container, [LUNA], engine=MODEL)
    luna = _child(container, Source.HEALTH, "H1")
    assert luna is not None
    report = load_benefit_records(container, [_claim("B1", claimant)], engine=MODEL)
    claimed = _child(container, Source.BENEFIT, "B1")
    assert claimed is not None
    assert (claimed == luna) is same_child
    assert (report.linked, report.review, report.new) == ((1, 0, 0) if same_child else (0, 0, 1))


def _payload(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "record_id"}


def test_a_shielded_childs_claim_from_a_new_home_with_new_carers_is_shielded(
    container: Container, engine: Engine
) -> None:
    # The gate as ``bootstrap.build`` wires it when a model exists (ADR 0019): it must not
    # lift the caution on her own claim for her new carers.
    gated = replace(
        container, uow_factory=SqlUnitOfWorkFactory(engine, cipher=TEST_CIPHER, weigher=MODEL)
    )
    shielded = dict(LUNA, sensitive=True, birth_date="2016-07-05")
    # The claim her foster carer makes: her name misspelt, the day and month of birth
    # swapped, no sex given, another district. The premise: counted, the carers none in
    # common would put the pair below the gate; the screen's weight leaves them out.
    claim = dict(
        _claim("B1", ("Kerry", "Fosterling", "07700900555")),
        given_name="Lunna",
        birth_date="2016-05-07",
        sex="U",
    )
    score = MODEL.scorer.score(features_of(_payload(shielded)), features_of(_payload(claim)))
    assert score.match_weight < SCREEN_GATE_BITS <= resemblance_weight(score)
    load_health_records(gated, [shielded], engine=MODEL)
    load_benefit_records(gated, [claim], engine=MODEL)
    claimed = _child(gated, Source.BENEFIT, "B1")
    assert claimed is not None
    assert claimed != _child(gated, Source.HEALTH, "H1")  # not linked: a new child...
    with gated.uow_factory() as uow:
        child = uow.children.get(claimed)
        assert child is not None
        assert child.shielded, "her claim from the foster home must be shielded"  # ...shielded
