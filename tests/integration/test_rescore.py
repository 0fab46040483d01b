"""``matching rescore``: new matches after a model change, officers' decisions kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from app_fixtures import linked_child
from childindex.audit.tags import AuditTag
from childindex.bootstrap import Container
from childindex.domain.ids import ChildId
from childindex.domain.permissions import Role
from childindex.domain.review import ReviewItem
from childindex.domain.source_record import Source
from childindex.domain.users import User
from childindex.feeds.benefit import read_benefit
from childindex.feeds.health import read_health
from childindex.feeds.la import read_la
from childindex.feeds.school import read_school
from childindex.matching.engine import ModelMatchEngine
from childindex.policy.viewer import Viewer
from childindex.services import ingest, review
from childindex.services.ingest import LoadReport
from childindex.services.rescore import rescore
from childindex.synth import generate
from feed_state import forget_planner_statistics, planner_rows
from matching_model import hand_model, review_band_pair, review_band_probability
from shield_fixtures import ADMIN, la_record, load_la

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
Load = Callable[[list[dict[str, Any]]], LoadReport]


def test_rescore_links_a_record_the_exact_engine_left_alone(
    container: Container, load_health: Load, health_record: Callable[..., dict[str, Any]]
) -> None:
    # The exact-identifier engine cannot tell these are one child: two children.
    load_health(
        [
            health_record(record_id="H1"),
            health_record(record_id="H2", nhs_number="9990000026", given_name="Amara"),
        ]
    )
    assert linked_child(container, "H1") != linked_child(container, "H2")
    report = rescore(
        uow_factory=container.uow_factory, engine=ModelMatchEngine(hand_model()), actor="t"
    )
    assert report.examined == 2
    assert report.relinked == 1
    assert linked_child(container, "H1") == linked_child(container, "H2")


def test_rescore_never_undoes_an_officer_decision(
    container: Container, load_health: Load, health_record: Callable[..., dict[str, Any]]
) -> None:
    load_health(
        [
            health_record(record_id="H1"),
            health_record(record_id="H2", nhs_number="9990000026"),
        ]
    )
    apart = linked_child(container, "H2")
    assert apart is not None
    with container.uow_factory() as uow:
        uow.records.link(
            source=Source.HEALTH, record_id="H2", child_id=apart, decided_by="officer", actor="o"
        )
        uow.commit()
    report = rescore(
        uow_factory=container.uow_factory, engine=ModelMatchEngine(hand_model()), actor="t"
    )
    assert report.officer_kept == 1
    assert linked_child(container, "H2") == apart


def test_rescore_never_proposes_a_remembered_not_a_match(
    container: Container, load_health: Load, health_record: Callable[..., dict[str, Any]]
) -> None:
    load_health(
        [
            health_record(record_id="H1"),
            health_record(record_id="H2", nhs_number="9990000026"),
        ]
    )
    first = linked_child(container, "H1")
    assert first is not None
    with container.uow_factory() as uow:
        uow.reviews.remember_not_a_match(
            source=Source.HEALTH, record_id="H2", child_id=first, actor="o", now=NOW
        )
        uow.commit()
    rescore(uow_factory=container.uow_factory, engine=ModelMatchEngine(hand_model()), actor="t")
    assert linked_child(container, "H2") != first


def test_copies_loaded_before_any_model_become_one_child(container: Container) -> None:
    # One child sent three times with no identifier, before a model existed: three children.
    for record_id in ("L1", "L2", "L3"):
        load_la(container, [la_record(record_id=record_id)])
    assert len({linked_child(container, r, Source.LA) for r in ("L1", "L2", "L3")}) == 3
    report = rescore(
        uow_factory=container.uow_factory, engine=ModelMatchEngine(hand_model()), actor="t"
    )
    # Each record is re-decided against the children that were there before it arrived,
    # so the later copies are not torn between two equal candidates.
    assert len({linked_child(container, r, Source.LA) for r in ("L1", "L2", "L3")}) == 1
    assert linked_child(container, "L1", Source.LA) is not None
    assert report.relinked == 2


def test_rescore_audits_the_children_it_merged(container: Container) -> None:
    for record_id in ("L1", "L2"):
        load_la(container, [la_record(record_id=record_id)])
    first, second = (
        linked_child(container, "L1", Source.LA),
        linked_child(container, "L2", Source.LA),
    )
    assert first is not None
    assert second is not None
    assert first != second
    report = rescore(
        uow_factory=container.uow_factory, engine=ModelMatchEngine(hand_model()), actor="ops"
    )
    with container.uow_factory() as uow:
        rescored = [e.event for e in uow.audit.entries() if e.event.tag is AuditTag.RESCORED]
    assert [(e.actor, sorted(e.child_ids)) for e in rescored] == [
        ("ops", sorted([first.value, second.value]))
    ]
    assert rescored[0].detail == report.counts()
    assert report.relinked == 1


def test_a_child_placed_by_the_machine_moves_whole(container: Container) -> None:
    load_la(container, [la_record(record_id="L1")])
    # A later load: two records sharing a UPN make one child apart from L1's.
    load_la(
        container,
        [
            la_record(record_id="L2", upn="A801200004001"),
            la_record(record_id="L3", upn="A801200004001", address_line1="3 Other Row"),
        ],
    )
    first = linked_child(container, "L1", Source.LA)
    assert (
        linked_child(container, "L2", Source.LA)
        == linked_child(container, "L3", Source.LA)
        != first
    )
    rescore(uow_factory=container.uow_factory, engine=ModelMatchEngine(hand_model()), actor="t")
    assert {linked_child(container, r, Source.LA) for r in ("L1", "L2", "L3")} == {first}
    with container.uow_factory() as uow:
        assert first is not None
        assert len(uow.records.current_records(first)) == 3


def test_open_items_follow_a_child_merged_by_rescore(container: Container) -> None:
    load_la(container, [la_record(record_id="L1", shield={"reason": "refuge"})])
    # The same child again, before any model: a second child, shielded by the screen and
    # queued as a caution against the first.
    load_la(container, [la_record(record_id="L2")])
    shielded, copy = (
        linked_child(container, "L1", Source.LA),
        linked_child(container, "L2", Source.LA),
    )
    assert shielded is not None
    assert copy is not None
    assert copy != shielded
    with container.uow_factory() as uow:
        pairs = {
            (i.child_id, i.shielded_child_id) for i in uow.shields.caution_items(la_codes=None)
        }
    assert (copy.value, shielded.value) in pairs
    rescore(uow_factory=container.uow_factory, engine=ModelMatchEngine(hand_model()), actor="t")
    assert linked_child(container, "L2", Source.LA) == shielded
    with container.uow_factory() as uow:
        left = [
            i
            for i in uow.shields.caution_items(la_codes=None)
            if copy.value in (i.child_id, i.shielded_child_id)
        ]
        child = uow.children.get(shielded)
    assert left == [], "no open item may point at a child merged away"
    assert child is not None
    assert child.shielded


# --- REVIEW-band pairs reach the officers' queue (issue 5 items 7 and 8) -------------------

MODEL = hand_model()  # the model the review-band pairs are built for


def _open_items(container: Container) -> list[ReviewItem]:
    with container.uow_factory() as uow:
        return uow.reviews.all_open()


def _rescore(container: Container) -> Any:
    return rescore(
        uow_factory=container.uow_factory, engine=ModelMatchEngine(MODEL), actor="t", now=NOW
    )


def _load_apart(
    container: Container, pair: tuple[dict[str, Any], dict[str, Any]]
) -> tuple[ChildId, ChildId, float]:
    """Load a review-band pair before any model, which makes two children; return the
    first record's child, the later record's and the pair's probability under ``MODEL``."""
    probability = review_band_probability(*pair)
    for record in pair:
        load_la(container, [record])
    candidate, held = (linked_child(container, record["record_id"], Source.LA) for record in pair)
    assert candidate is not None
    assert held is not None
    assert candidate != held
    return candidate, held, probability


def test_rescore_queues_a_review_band_pair_with_its_explanation(container: Container) -> None:
    candidate, held, probability = _load_apart(container, review_band_pair())
    assert _open_items(container) == []

    report = _rescore(container)

    assert report.queued_for_review == 1
    assert report.counts()["queued_for_review"] == 1
    [item] = _open_items(container)
    assert (item.source, item.record_id) == (Source.LA, "L2")
    assert (item.record_child_id, item.candidate_child_id) == (held, candidate)
    assert item.probability == pytest.approx(probability)
    assert {"forename", "surname", "dob", "location"} <= set(item.weights)
    assert item.weights["dob"] < 0 < item.weights["forename"]
    assert item.la_code == "901"  # the record's authority, as a feed load queues it
    assert linked_child(container, "L2", Source.LA) == held, "a doubtful pair is never linked"


def test_rescore_run_twice_queues_a_pair_once(container: Container) -> None:
    _load_apart(container, review_band_pair())
    assert _rescore(container).queued_for_review == 1

    again = _rescore(container)

    assert again.queued_for_review == 0
    assert len(_open_items(container)) == 1


def test_rescore_never_queues_a_pair_an_officer_said_is_not_a_match(
    container: Container,
) -> None:
    candidate, _, _ = _load_apart(container, review_band_pair())
    with container.uow_factory() as uow:
        uow.reviews.remember_not_a_match(
            source=Source.LA, record_id="L2", child_id=candidate, actor="o", now=NOW
        )
        uow.commit()

    report = _rescore(container)

    assert report.queued_for_review == 0
    assert _open_items(container) == []


def test_rescore_queues_nothing_for_a_child_an_officer_shaped(container: Container) -> None:
    _, held, _ = _load_apart(container, review_band_pair())
    with container.uow_factory() as uow:
        uow.records.link(
            source=Source.LA, record_id="L2", child_id=held, decided_by="officer", actor="o"
        )
        uow.commit()

    report = _rescore(container)

    assert report.queued_for_review == 0
    assert report.officer_kept == 1
    assert _open_items(container) == []


def _officer(user_id: int, la_code: str) -> Viewer:
    return Viewer.for_user(
        User(
            user_id=user_id,
            username=f"officer-{la_code}",
            role=Role.LA_OFFICER,
            la_code=la_code,
            organisation="Children's services",
            vetting_expires=None,
        )
    )


@pytest.mark.parametrize("record_la", ["901", None])
def test_a_shielded_candidates_pair_is_routed_as_a_feed_load_routes_it(
    container: Container, record_la: str | None
) -> None:
    refuge = {"reason": "refuge"}
    # Loaded with the model in place: the feed path queues the pair.
    fed = review_band_pair(
        "F",
        record_la=record_la,
        shield=refuge,
        given_name="Marlowe",
        family_name="Quennell",
        birth_date="2016-07-21",
        postcode="ZZ7 4QT",
    )
    review_band_probability(*fed)
    for record in fed:
        load_la(container, [record], engine=ModelMatchEngine(MODEL))
    [by_feed] = _open_items(container)
    # The same shape of pair, another child, loaded before any model and then rescored.
    _load_apart(container, review_band_pair("R", record_la=record_la, shield=refuge))

    report = _rescore(container)

    assert report.queued_for_review == 1, "the fed pair, already open, is not queued again"
    [by_rescore] = [i for i in _open_items(container) if i.item_id != by_feed.item_id]
    assert by_rescore.record_id == "R2"
    assert by_rescore.la_code == by_feed.la_code
    assert by_rescore.probability == pytest.approx(by_feed.probability)
    assert by_rescore.weights == pytest.approx(by_feed.weights)
    routed: dict[str, dict[str, tuple[str | None, bool]]] = {}
    for viewer in (_officer(901, "901"), _officer(902, "902"), ADMIN):
        listed = review.list_review(uow=container.uow_factory(), viewer=viewer, now=NOW)
        routed[viewer.username] = {
            (item.record_id or "")[:1]: (item.authority, item.may_decide)
            for item in listed.items
            if item.kind == "match"
        }
        assert routed[viewer.username].get("R") == routed[viewer.username].get("F")
    # Not vacuous: the shielded candidate's cleared authority decides both; nobody else
    # learns of either.
    assert routed == {
        "officer-901": {},
        "officer-902": {"F": ("902", True), "R": ("902", True)},
        ADMIN.username: {},
    }


def _load_country(container: Container, directory: Path) -> None:
    """A synthetic country of 400 children through its four feeds, before any model."""
    generate(400, 7, directory)
    for source, name, reader in (
        (Source.HEALTH, "health.jsonl", read_health),
        (Source.SCHOOL, "school.csv", read_school),
        (Source.BENEFIT, "benefit.csv", read_benefit),
        (Source.LA, "la.jsonl", read_la),
    ):
        data = (directory / name).read_bytes()
        ingest.load_feed(
            uow_factory=container.uow_factory,
            source=source,
            filename=name,
            data=data,
            lines=reader(data, file=name, now=NOW),
            actor="test",
            now=NOW,
        )


def test_a_second_rescore_changes_nothing(container: Container, tmp_path: Path) -> None:
    # A synthetic country loaded before any model: the first rescore consolidates it; the
    # second must find nothing more to do. (It once moved records again: the first run had
    # put later records on earlier children, and the second compared earlier records with
    # them.)
    _load_country(container, tmp_path)
    engine = ModelMatchEngine(hand_model())
    first = rescore(uow_factory=container.uow_factory, engine=engine, actor="t", now=NOW)
    assert first.relinked > 100
    second = rescore(uow_factory=container.uow_factory, engine=engine, actor="t", now=NOW)
    assert (second.relinked, second.queued_for_review) == (0, 0)


def test_rescore_first_brings_the_planner_statistics_up_to_date(
    container: Container, engine: Engine, tmp_path: Path
) -> None:
    # Feeds too small to fill a batch are never analysed. A CI run on PostgreSQL then spent
    # minutes in one rescore batch's candidate query over about 1,000 records: costed on
    # statistics of a nearly empty database, it ran as nested loops.
    forget_planner_statistics(engine)
    _load_country(container, tmp_path)
    rescore(
        uow_factory=container.uow_factory,
        engine=ModelMatchEngine(hand_model()),
        actor="t",
        now=NOW,
    )
    with engine.connect() as connection:
        for table in ("source_records", "record_blocking_keys"):
            held = connection.scalar(text(f"SELECT COUNT(*) FROM {table}"))
            assert planner_rows(connection, table) == held
