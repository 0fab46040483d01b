"""The trained engine online: candidates from the store's blocking keys, scored in-process."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from childindex.bootstrap import Container, match_engine
from childindex.domain.source_record import Source, SourceRecord
from childindex.feeds.health import read_health
from childindex.matching.engine import CANDIDATE_LIMIT, ModelMatchEngine
from childindex.matching.exact import ExactIdentifierEngine
from childindex.matching.ports import MatchKind
from childindex.services import ingest
from feed_state import ordered_child_ids, valid_nhs
from matching_model import hand_model

Load = Callable[[list[dict[str, Any]]], ingest.LoadReport]


@pytest.fixture
def model_engine() -> ModelMatchEngine:
    return ModelMatchEngine(hand_model())


@pytest.fixture
def load(container: Container, model_engine: ModelMatchEngine) -> Load:
    def run(records: list[dict[str, Any]]) -> ingest.LoadReport:
        data = "".join(json.dumps(r) + "\n" for r in records).encode()
        return ingest.load_feed(
            uow_factory=container.uow_factory,
            source=Source.HEALTH,
            filename="health.jsonl",
            data=data,
            lines=read_health(data, file="health.jsonl", now=container.clock()),
            actor="test",
            now=container.clock(),
            engine=model_engine,
        )

    return run


def _decide(container: Container, engine: ModelMatchEngine, **payload: Any) -> Any:
    record = SourceRecord(Source.LA, "probe", payload, None)
    with container.uow_factory() as uow:
        return engine.decide(record, uow.children)


def test_a_second_registration_with_a_typo_links_to_the_same_child_by_score(
    container: Container, model_engine: ModelMatchEngine, load: Load, health_record: Any
) -> None:
    load([health_record(record_id="H1", given_name="Aidan", other_given_names="James")])
    decision = _decide(
        container,
        model_engine,
        **health_record(given_name="Aidna", other_given_names="James", nhs_number=None),
    )
    assert decision.kind is MatchKind.LINK
    assert decision.decided_by == "score"
    assert decision.candidates[0].child_id == decision.child_id
    assert set(decision.candidates[0].weights) >= {"forename", "dob", "location"}


def test_a_twin_with_another_name_is_a_new_child(
    container: Container, load: Load, health_record: Any
) -> None:
    report = load(
        [
            health_record(record_id="H1", given_name="Aidan", nhs_number="9990000018"),
            health_record(record_id="H2", given_name="Oliver", nhs_number="9990000026"),
        ]
    )
    assert report.new == 2


def test_a_twin_one_letter_apart_is_never_linked(
    container: Container, model_engine: ModelMatchEngine, load: Load, health_record: Any
) -> None:
    load([health_record(record_id="H1", given_name="Aidan")])
    decision = _decide(
        container, model_engine, **health_record(given_name="Aiden", nhs_number=None)
    )
    assert decision.kind is not MatchKind.LINK
    assert decision.candidates  # still scored, for the shield rule
    assert decision.candidates[0].probability >= 0.99


def test_the_same_nhs_number_with_another_birth_date_goes_to_review(
    container: Container, model_engine: ModelMatchEngine, load: Load, health_record: Any
) -> None:
    load([health_record(record_id="H1")])
    decision = _decide(container, model_engine, **health_record(birth_date="2009-11-30"))
    assert decision.kind is MatchKind.REVIEW
    assert decision.decided_by == "identifier"


def test_a_stranger_is_new_with_no_candidates(
    container: Container, model_engine: ModelMatchEngine, load: Load, health_record: Any
) -> None:
    load([health_record(record_id="H1")])
    decision = _decide(
        container,
        model_engine,
        given_name="Zed",
        family_name="Quist",
        birth_date="2001-01-01",
        postcode="AB1 2CD",
    )
    assert decision.kind is MatchKind.NEW
    assert decision.candidates == ()


def test_a_child_among_more_namesakes_than_are_compared_is_still_found(
    container: Container, model_engine: ModelMatchEngine, load: Load, health_record: Any
) -> None:
    # A common name born in one month: more records under its name key than are compared.
    # The child's own record shares more of the probe's keys (its birth date, its home) than
    # any namesake's; it must be among those compared, whatever the children's IDs (here its
    # ID sorts after every namesake's).
    born = [(y, d) for y in range(2003, 2019) for d in range(1, 28) if (y, d) != (2015, 14)]
    numbers = valid_nhs(CANDIDATE_LIMIT + 21)
    assert numbers[0] == health_record()["nhs_number"]  # the child's own
    namesakes = [
        health_record(
            record_id=f"N{n}",
            birth_date=f"{year}-03-{day:02d}",
            postcode=f"ZZ{n % 9 + 2} {n // 9 % 9}AB",
            address_line1=f"{n} Other Row",
            nhs_number=number,
        )
        for n, ((year, day), number) in enumerate(zip(born, numbers[1:], strict=False))
    ]
    assert len(namesakes) > CANDIDATE_LIMIT
    with ordered_child_ids(descending=False):
        load([*namesakes, health_record(record_id="H1")])
    with container.uow_factory() as uow:
        (child,) = uow.children.by_identifier("nhs_number", "9990000018")
    decision = _decide(container, model_engine, **health_record(nhs_number=None))
    assert decision.kind is MatchKind.LINK
    assert decision.child_id == child


def test_bootstrap_uses_the_trained_engine_only_when_a_model_file_exists(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    assert isinstance(match_engine(path), ExactIdentifierEngine)
    path.write_text(json.dumps(hand_model()))
    assert isinstance(match_engine(path), ModelMatchEngine)
