"""The Splink model trained on a small synthetic country, and batch clustering with it."""

from __future__ import annotations

import json
import math
import os
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from childindex.domain.identifiers import upn_check_letter
from childindex.domain.ids import ChildId
from childindex.linkage import training
from childindex.linkage.batch import BatchResult, blocked_pairs, cluster, features_by_id
from childindex.linkage.feed_files import read_country, read_truth
from childindex.linkage.settings import M_FLOOR, PREDICTION_BLOCKS
from childindex.linkage.training import (
    TrainingTable,
    feature_rows,
    feature_table,
    forename_shares_by_surname,
    linker_for,
    train,
    write_model,
)
from childindex.matching.blocking import index_keys, query_keys
from childindex.matching.comparisons import LEVELS, compare
from childindex.matching.engine import ModelMatchEngine
from childindex.matching.features import Features, features_of
from childindex.matching.ports import CandidateRecord, MatchKind
from childindex.matching.scoring import COMMON_NAME_COUNT, TrainedScorer, outright
from childindex.matching.thresholds import MODEL_VERSION
from childindex.synth import generate
from feed_state import valid_nhs


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("country")
    generate(1500, 11, out)
    return out


@pytest.fixture(scope="module")
def rows(country: Path) -> list[dict[str, Any]]:
    return feature_rows(read_country(country))


@pytest.fixture(scope="module")
def model(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return train(rows, seed=3)


def _features(row: dict[str, Any]) -> Features:
    return Features(**{k: v for k, v in row.items() if k != "unique_id"})


def test_trained_model_has_m_and_u_for_every_level(model: dict[str, Any], tmp_path: Path) -> None:
    assert model["model_version"] == MODEL_VERSION
    for name, labels in LEVELS.items():
        assert set(model["levels"][name]) == set(labels)
        for probabilities in model["levels"][name].values():
            assert 0 < probabilities["m"] <= 1
            assert 0 < probabilities["u"] <= 1
    assert 0 < model["prior"] < 1
    path = write_model(model, tmp_path / "models" / "m.json")
    assert json.loads(path.read_text())["levels"] == model["levels"]


def test_a_forenames_share_is_kept_per_surname_where_at_least_twice_its_share_of_all(
    model: dict[str, Any], rows: list[dict[str, Any]]
) -> None:
    def row(forename: str, surname: str) -> dict[str, Any]:
        return {"forename": forename, "surname": surname}

    made = (
        [row("noor", "khan")] * 10
        + [row("amir", "khan")] * 89
        + [row("oliver", "khan")]
        + [row("oliver", "smith")] * 880
        + [row("noor", "smith")] * 20
    )
    shares = forename_shares_by_surname(made)
    noor = 30 / 1000  # of all records
    assert shares["khan"]["noor"] == pytest.approx((10 + 50 * noor) / (100 + 50))
    assert shares["khan"]["amir"] == pytest.approx((89 + 50 * 0.089) / (100 + 50))
    assert "oliver" not in shares["khan"]  # seen once with the surname
    # Noor is less common among the Smiths than overall, Oliver only 1.1 times as common.
    assert set(shares) == {"khan"}
    # What training writes, on the small country: every share at least twice the
    # forename's own.
    overall = model["tf"]["forename"]
    assert model["tf_forename_by_surname"] == forename_shares_by_surname(rows)
    assert model["tf_forename_by_surname"]
    for surname, forenames in model["tf_forename_by_surname"].items():
        assert all(share >= 2 * overall[name] for name, share in forenames.items()), surname


def test_a_different_forename_weighs_against_a_match(model: dict[str, Any]) -> None:
    forename = model["levels"]["forename"]
    assert forename["else"]["m"] < forename["else"]["u"]
    assert forename["exact"]["m"] > forename["exact"]["u"]


def _blocked_both_ways(rows: list[dict[str, Any]]) -> tuple[set[Any], set[Any]]:
    """The pairs of ``rows`` online keys find, and the pairs the batch rules block."""
    import duckdb

    columns = ["unique_id", *Features.__dataclass_fields__]
    table = pa.Table.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in columns]))
    connection = duckdb.connect()
    connection.register("records", table)
    batch: set[tuple[str, str]] = set()
    for rule in PREDICTION_BLOCKS:
        found = connection.execute(
            "SELECT l.unique_id, r.unique_id FROM records l JOIN records r "
            f"ON l.unique_id < r.unique_id AND ({rule})"
        ).fetchall()
        batch.update(found)
    stored: defaultdict[str, set[str]] = defaultdict(set)
    for row in rows:
        for key in index_keys(_features(row)):
            stored[key].add(row["unique_id"])
    online = {
        (min(row["unique_id"], other), max(row["unique_id"], other))
        for row in rows
        for key in query_keys(_features(row))
        for other in stored[key]
        if other != row["unique_id"]
    }
    return online, batch


def test_online_blocking_keys_find_exactly_the_pairs_the_batch_rules_block(
    rows: list[dict[str, Any]],
) -> None:
    # The online engine's candidates and the batch's predicted pairs come from one set of
    # rules written twice (``matching/blocking.py``, ``linkage/settings.py``).
    online, batch = _blocked_both_ways(rows[:1500])
    assert batch, "the sample has no blocked pairs: the test would prove nothing"
    assert online == batch


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "given_name": st.sampled_from(["Ann", "Anne", "Bo", "Lee"]),
                "family_name": st.sampled_from(["Lee", "Leigh", "Ann"]),
                "birth_date": st.sampled_from(
                    [None, "2015-03-04", "2015-04-03", "2016-03-04", "2015-03-05"]
                ),
                "postcode": st.sampled_from([None, "AL1 0UB", "AL1 0UD", "B2 8UR"]),
            }
        ),
        min_size=2,
        max_size=6,
    )
)
def test_the_two_rule_sets_agree_on_missing_and_swapped_dates_and_names(
    payloads: list[dict[str, Any]],
) -> None:
    # The synthetic country has every birth date; these records often have none, or share
    # a name and a birth date read the other way round, or have the names the wrong way
    # round ("Lee Ann" and "Ann Lee").
    rows = [
        {"unique_id": f"r{i}", **features_of(payload).as_row()}
        for i, payload in enumerate(payloads)
    ]
    online, batch = _blocked_both_ways(rows)
    assert online == batch


def test_python_levels_equal_splink_levels_for_every_predicted_pair(
    rows: list[dict[str, Any]], model: dict[str, Any]
) -> None:
    linker = linker_for(rows, model, levels=True)
    gammas = ", ".join(f"gamma_{name}" for name in LEVELS)
    table = (
        linker.inference.predict()
        .as_duckdbpyrelation()
        .select(f"unique_id_l, unique_id_r, {gammas}")
        .fetchall()
    )
    by_id = {row["unique_id"]: _features(row) for row in rows}
    assert len(table) > 1000
    for left, right, *values in table:
        expected = compare(by_id[left], by_id[right])
        for name, gamma in zip(LEVELS, values, strict=True):
            labels = LEVELS[name]
            splink_label = "null" if gamma == -1 else labels[len(labels) - 1 - gamma]
            assert splink_label == expected[name], (name, left, right)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            [
                *(None, "2019-03-04", "2020-03-04", "2020-04-03", "2019-03-05", "2021-03-04"),
                *("2019-02-28", "2019-03-01", "2018-12-31", "2019-01-01", "2020-02-29"),
            ]
        ),
        min_size=2,
        max_size=6,
    )
)
def test_python_and_splink_read_birth_dates_alike(
    model: dict[str, Any], dates: list[str | None]
) -> None:
    # The synthetic country has few pairs a year apart on the same day, a day apart across
    # a month or a year, or with no date: the same child, every birth date the way a source
    # might give it.
    child = {"given_name": "Aidan", "family_name": "Smith", "postcode": "AL1 0UB"}
    rows = [
        {"unique_id": f"r{i}", **features_of({**child, "birth_date": born}).as_row()}
        for i, born in enumerate(dates)
    ]
    linker = linker_for(rows, model, levels=True)
    table = linker.inference.predict().as_duckdbpyrelation()
    by_id = {row["unique_id"]: _features(row) for row in rows}
    found = table.select("unique_id_l, unique_id_r, gamma_dob").fetchall()
    assert len(found) == len(rows) * (len(rows) - 1) // 2
    labels = LEVELS["dob"]
    for left, right, gamma in found:
        splink_label = "null" if gamma == -1 else labels[len(labels) - 1 - gamma]
        assert splink_label == compare(by_id[left], by_id[right])["dob"]


def test_batch_clustering_is_precise_and_keeps_twins_apart(
    country: Path, rows: list[dict[str, Any]], model: dict[str, Any]
) -> None:
    truth = read_truth(country)
    result = cluster(rows, model)
    persons_per_cluster = Counter(
        len({truth[u] for u, c in result.cluster_of.items() if c == cluster_id})
        for cluster_id in set(result.cluster_of.values())
    )
    wrongly_merged = sum(n for size, n in persons_per_cluster.items() if size > 1)
    assert wrongly_merged <= 2
    records_per_person = Counter(truth[u] for u in result.cluster_of)
    children_found = len(set(result.cluster_of.values()))
    # Most children's records end up together: far fewer clusters than records.
    assert children_found < 1.1 * len(records_per_person)


def test_blocking_with_records_placed_apart_leaves_out_exactly_the_pairs_of_two_placed(
    rows: list[dict[str, Any]], model: dict[str, Any]
) -> None:
    # A bulk load never scores two records already on children: Splink blocks none of
    # them, and every other pair as before.
    features = features_by_id(rows)
    every = blocked_pairs(feature_table(features), model)
    placed = {row["unique_id"] for row in rows[::2]}
    apart = blocked_pairs(feature_table(features, placed), model, placed_apart=True)
    both = {(a, b) for a, b in every if a in placed and b in placed}
    assert both  # the country has pairs of two placed records to leave out
    assert sorted(apart) == sorted(set(every) - both)


def test_batch_clustering_is_deterministic(
    rows: list[dict[str, Any]], model: dict[str, Any]
) -> None:
    first = cluster(rows, model)
    second = cluster(list(reversed(rows)), model)
    groups = lambda r: sorted(  # noqa: E731
        sorted(u for u, c in r.cluster_of.items() if c == k) for k in set(r.cluster_of.values())
    )
    assert groups(first) == groups(second)


def test_matching_train_command_writes_a_versioned_model(country: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from childindex.cli.app import app

    target = tmp_path / "models" / "model.json"
    result = CliRunner().invoke(
        app, ["matching", "train", "--from", str(country), "--out", str(target), "--json"]
    )
    assert result.exit_code == 0, result.output
    written = json.loads(target.read_text())
    assert written["model_version"] == MODEL_VERSION
    assert written["records"] > 3000


def test_matching_train_refuses_a_missing_directory(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from childindex.cli.app import app

    result = CliRunner().invoke(app, ["matching", "train", "--from", str(tmp_path / "nope")])
    assert result.exit_code != 0
    assert "not a directory" in " ".join(result.output.split())


def _twins(rows: list[dict[str, Any]], truth: dict[str, str]) -> set[tuple[str, str]]:
    """Pairs of the generator's children born the same day into one home with one surname:
    a record of each agrees on date of birth, family name and postcode."""
    homes: defaultdict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in rows:
        if row["dob"] and row["surname"] and row["postcode"]:
            homes[(row["dob"], row["surname"], row["postcode"])].add(truth[row["unique_id"]])
    return {(a, b) for persons in homes.values() for a, b in combinations(sorted(persons), 2)}


# Each example is a country of 600 children, clustered and matched online: a few will do.
_TWINS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=False)
_SEEDS = st.integers(min_value=100, max_value=10_000)


@settings(_TWINS, max_examples=4)
@given(seed=_SEEDS)
@example(seed=100)  # Zara and Zora Hancock: the online engine once linked them
@example(seed=2956)  # Zara and Zora Robinson: batch once put her benefit record on Zora
@example(seed=168)  # Kian and Kyan Moore: his UPN, and no UPN on Kyan's records
@example(seed=1010)  # Amir and Amira Dawson: his school record (a UPN only) was put on her
@example(seed=565)  # Sara and Sarah Mensah: the case left open in batch (ADR 0036)
@example(seed=2059)  # Ella and Elle: batch put a benefit record on the other twin
@example(seed=868)  # Sara and Sarah Fox: "Sar", a letter from Sara, went to Sarah
@example(seed=2188)  # Fraser Lewis known as Lewis at school, beside his twin Lewis
@example(seed=1310)  # Henry known as Harry at school, beside his twin Harry
@example(seed=1865)  # Sara and Sarah Polat: online, "Sara" went to Sarah by a prefix
@example(seed=1847)  # Leo and Léo Costa: batch joined his health record to his twin's school's
def test_twins_from_the_synthetic_generator_are_never_auto_linked(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest, seed: int
) -> None:
    """Batch clustering never puts twins in one child, and the online engine never links a
    record of one twin to the other (at most REVIEW). (Left open: ADR 0008, a twin's very
    first record, with no identifier and a rare forename a letter from the other twin's,
    when only the other twin is held; ADR 0036, the same record in batch.)"""
    _twins_kept_apart(request.getfixturevalue("model"), tmp_path_factory, seed)


@pytest.fixture(scope="module")
def model_20k(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A model trained on 20,000 children: it weighs the fields as a country of a realistic
    size does (a different sex, a name among the other's given names), where the 1,500
    children of ``model`` teach it otherwise."""
    out = tmp_path_factory.mktemp("country20k")
    generate(20_000, 7, out)
    return train(feature_rows(read_country(out)), seed=3)


@settings(_TWINS, max_examples=2)
@given(seed=_SEEDS)
@example(seed=1198)  # Louise's health record "Louis", F, went to her twin Louis (ADR 0044)
@example(seed=2740)  # Louise's benefit claim "Louis", F, went to her twin Louis (ADR 0044)
def test_twins_are_never_auto_linked_by_a_model_trained_on_a_bigger_country(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest, seed: int
) -> None:
    """As above, with the model trained on 20,000 children."""
    _twins_kept_apart(request.getfixturevalue("model_20k"), tmp_path_factory, seed)


def _by_person(
    records: Iterable[tuple[str, str, dict[str, Any]]], truth: dict[str, str]
) -> defaultdict[str, list[tuple[str, str, dict[str, Any]]]]:
    """``records`` (``read_country``'s) by the person each is of."""
    by_person: defaultdict[str, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
    for source, record_id, fields in records:
        by_person[truth[f"{source}:{record_id}"]].append((source, record_id, fields))
    return by_person


def _share_a_child(result: BatchResult, truth: dict[str, str], a: str, b: str) -> bool:
    """Whether batch clustering put records of persons ``a`` and ``b`` in one cluster."""
    clusters_a = {c for u, c in result.cluster_of.items() if truth[u] == a}
    return any(c in clusters_a for u, c in result.cluster_of.items() if truth[u] == b)


# A letter edit of a name: two letters swapped, one doubled, or one dropped, at a place.
_EDITS = st.tuples(st.sampled_from(["swap", "double", "drop"]), st.integers(1, 8))


def _edited(name: str, edit: tuple[str, int]) -> str:
    kind, at = edit
    at = 1 + at % max(len(name) - 1, 1)  # never the first letter: blocking reads it
    if kind == "swap" and at < len(name):
        return name[: at - 1] + name[at] + name[at - 1] + name[at + 1 :]
    if kind == "double":
        return name[:at] + name[at - 1] + name[at:]
    return name[: at - 1] + name[at:] if len(name) > 3 else name + name[-1]


def _spelt(records: list[tuple[str, str, dict[str, Any]]]) -> tuple[str, set[str]]:
    """The given name most of ``records`` spell, and the sources that spell it so."""
    names = Counter(fields["given_name"] for _, _, fields in records)
    name = min(names, key=lambda n: (-names[n], n))
    return name, {source for source, _, fields in records if fields["given_name"] == name}


def _one_name(name: str, given: str) -> bool:
    """Whether the name table reads ``given`` as ``name`` spelt another way (Mohamed for
    Mohammed): twins of one name with no identifier on one are not told apart (ADR 0042)."""
    level = compare(features_of({"given_name": name}), features_of({"given_name": given}))
    return level["forename"] == "nickname"


@settings(_TWINS, max_examples=3)
@given(seed=_SEEDS, edit=_EDITS)
@example(seed=111, edit=("swap", 1))  # Kain beside his twin Kian; a record of his spells "Alii"
@example(seed=101, edit=("swap", 1))  # Bboby beside Bobby; slips in both twins' birth dates
@example(seed=237, edit=("double", 2))  # "Aav" at Aava's home, between Ava and Aava
@example(seed=280, edit=("double", 3))  # "Will" between William and Willliam
@example(seed=100, edit=("swap", 1))  # Noah's records linked online to his twin Naoh alone
def test_twins_a_letter_apart_in_a_name_no_country_has_are_never_auto_linked(
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
    seed: int,
    edit: tuple[str, int],
) -> None:
    """One of each pair of twins is given, in every record, a name a letter from the other
    twin's that the model has never seen ("Mlilie" beside Millie), and no NHS number or UPN.
    Where two sources spell each twin's name alike, batch clustering never puts the twins
    in one child: two sources do not make the same slip, and a record whose name fits
    both twins' is neither's (ADRs 0045, 0046). Online, with only the renamed twin held,
    a record of the other twin's in a name the model counts as common is never linked to
    him where two sources spell his name alike with the record's birth date (ADR 0048)."""
    model = request.getfixturevalue("model")
    out = tmp_path_factory.mktemp("spelt")
    generate(600, seed, out)
    truth = read_truth(out)
    records = list(read_country(out))
    twins = sorted(_twins(feature_rows(records), truth))
    by_person = _by_person(records, truth)
    renamed: dict[str, str] = {}
    for a, b in twins:
        if a in renamed or b in renamed or a in renamed.values() or b in renamed.values():
            continue
        name, sources = _spelt(by_person[a])
        given = _edited(name, edit)
        spellings = {fields["given_name"] for _, _, fields in by_person[a]}
        if len(sources) < 2 or given in spellings or len({s for s, _, _ in by_person[b]}) < 2:
            continue
        if _one_name(name, given):
            continue
        renamed[b] = a
        for _, _, fields in by_person[b]:
            fields.update(given_name=given, other_given_names=None, nhs_number=None, upn=None)
    result = cluster(feature_rows(records), model)
    for b, a in renamed.items():
        assert not _share_a_child(result, truth, a, b), (a, b, edit, seed)
    engine = ModelMatchEngine(model)
    for b, a in renamed.items():
        child = ChildId.new()
        held = [CandidateRecord(child, s, r, f) for s, r, f in by_person[b]]
        for _, record_id, fields in by_person[a]:
            record = features_of(fields)
            if not _common(model, record.forename) or not _spelt_alike(held, record.dob):
                continue
            decision = engine.decide_among(record, held)
            assert decision.kind is not MatchKind.LINK, (a, b, record_id, edit, seed)


def _common(model: dict[str, Any], forename: str | None) -> bool:
    """Whether ``model`` counts ``forename`` as a common name: seen at least
    ``COMMON_NAME_COUNT`` times in its training data."""
    share = model["tf"]["forename"].get(forename or "", 0.0)
    return bool(share * model["tf_totals"]["forename"] >= COMMON_NAME_COUNT)


def _spelt_alike(held: list[CandidateRecord], dob: str | None) -> bool:
    """Whether two of ``held``, of two sources, spell one forename with the birth date
    ``dob``."""
    sources = defaultdict(set)
    for candidate in held:
        if candidate.features.dob == dob:
            sources[candidate.features.forename].add(candidate.source)
    return any(len(spelling) >= 2 for spelling in sources.values())


def _twins_kept_apart(
    model: dict[str, Any], tmp_path_factory: pytest.TempPathFactory, seed: int
) -> None:
    """The twins of the generator's country of ``seed`` (600 children) are never one child
    in batch, nor is a record of one linked to the other online."""
    out = tmp_path_factory.mktemp("twins")
    generate(600, seed, out)
    truth = read_truth(out)
    rows = feature_rows(read_country(out))
    twins = _twins(rows, truth)
    result = cluster(rows, model)
    scorer = TrainedScorer(model)
    for a, b in twins:
        if _read_as_a_slip(scorer, rows, truth, a, b):
            continue
        assert not _share_a_child(result, truth, a, b), f"twins {a} and {b} merged (seed {seed})"
    engine = ModelMatchEngine(model)
    payloads = _by_person(read_country(out), truth)
    for a, b in [*twins, *((b, a) for a, b in twins)]:  # each twin's records, both ways
        if _read_as_a_slip(scorer, rows, truth, a, b):
            continue  # the case left open online too (seeds 2232, 2842)
        # The index holds both twins (each as one child) but the record being matched.
        children = {a: ChildId.new(), b: ChildId.new()}
        for probe in payloads[a]:
            candidates = [
                CandidateRecord(children[person], s, r, f)
                for person in (a, b)
                for s, r, f in payloads[person]
                if (s, r) != probe[:2]
            ]
            features = features_of(probe[2])
            decision = engine.decide_among(features, candidates)
            wrong = decision.kind is MatchKind.LINK and decision.child_id == children[b]
            assert not wrong, (a, b, probe[:2], seed)
            # Only the other twin held: a record with an NHS number or UPN that the twin's
            # records contradict is never linked to it, however alike the names. (A UPN the
            # twin's records say nothing about is no evidence: seed 168, Kian's school
            # record against Kyan's health and benefit records, is the case left open above.
            # A health record agreeing outright with the twin's, under another NHS number,
            # is a child registered twice as far as any record can tell: ADR 0041.)
            alone = [c for c in candidates if c.child_id == children[b]]
            if _contradicted(features, alone) and not _registered_twice(scorer, features, alone):
                decision = engine.decide_among(features, alone)
                assert decision.kind is not MatchKind.LINK, (a, b, probe[:2], seed)


def _read_as_a_slip(
    scorer: TrainedScorer, rows: list[dict[str, Any]], truth: dict[str, str], a: str, b: str
) -> bool:
    """The case ADR 0036 leaves open: one twin is known by a single record with no NHS
    number or UPN, whose forename is a letter from the other twin's and seen too rarely in
    the model's training data to be told from a keying slip of it (so never possible
    twins). Nothing in the records tells that twin from a slip on the other's own record."""
    records = {
        person: [_features(r) for r in rows if truth[r["unique_id"]] == person] for person in (a, b)
    }
    for lone, other in ((a, b), (b, a)):
        if len(records[lone]) != 1:
            continue
        (record,) = records[lone]
        if record.nhs_number or record.upn:
            continue
        scores = [scorer.score(record, held) for held in records[other]]
        if all(s.levels["forename"] == "typo" and not s.possible_twins for s in scores):
            return True
    return False


def _contradicted(features: Features, held: list[CandidateRecord]) -> bool:
    """Whether a held record carries another NHS number or UPN than ``features``."""
    for candidate in held:
        other = features_of(candidate.payload)
        for mine, theirs in ((features.nhs_number, other.nhs_number), (features.upn, other.upn)):
            if mine and theirs and mine != theirs:
                return True
    return False


def _registered_twice(
    scorer: TrainedScorer, features: Features, held: list[CandidateRecord]
) -> bool:
    """Whether ``features`` holds an NHS number, a held record another, and the two agree
    outright: one child registered twice, by the records (ADR 0041). Twins of one name
    (Leo and Léo Costa, seed 1847) look so when only one of them is held."""
    others = (features_of(candidate.payload) for candidate in held)
    return any(
        features.nhs_number
        and other.nhs_number
        and features.nhs_number != other.nhs_number
        and outright(scorer.score(features, other).levels)
        for other in others
    )


def _upn(n: int) -> str:
    body = f"{n:012d}"
    return upn_check_letter(body) + body


def _namesake_country(children: int, seed: int) -> list[tuple[str, str, dict[str, Any]]]:
    """Two records per child (health, school) that agree, from a country of four names:
    the records sharing a name are mostly namesakes (another birth date, another home)."""
    rng = random.Random(seed)
    nhs = valid_nhs(2 * children)
    records: list[tuple[str, str, dict[str, Any]]] = []
    for n in range(children):
        given, family = rng.choice(("Amara", "Oliver")), rng.choice(("Okafor", "Watson"))
        fields = {
            "given_name": given,
            "family_name": family,
            "sex": "F" if given == "Amara" else "M",
            "birth_date": date(
                rng.randint(2012, 2020), rng.randint(1, 12), rng.randint(1, 28)
            ).isoformat(),
            "address_line1": f"{rng.randint(1, 90)} Testing Row",
            "postcode": f"ZZ{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}A",
        }
        fields["nhs_number"], fields["upn"] = nhs[n], _upn(n)
        records.append(("health", f"H{n}", dict(fields)))
        # The second record errs as sources do: a move, a slipped digit, a typo, a sex, an
        # identifier keyed wrong.
        second = dict(fields)
        if rng.random() < 0.02:
            second["nhs_number"], second["upn"] = nhs[-1 - n], _upn(children + n)
        if rng.random() < 0.2:
            second["postcode"], second["address_line1"] = "ZZ9 9ZZ", "1 Elsewhere Row"
        if rng.random() < 0.05:
            second["birth_date"] = second["birth_date"][:-1] + str(rng.randint(1, 8))
        if rng.random() < 0.05:
            second["given_name"] = given[:-1]
        if rng.random() < 0.02:
            second["sex"] = "M" if fields["sex"] == "F" else "F"
        records.append(("school", f"S{n}", second))
    return records


def test_namesakes_do_not_teach_the_model_that_birth_dates_do_not_matter() -> None:
    # At 250,000 children the pass estimating the birth date's m (then blocked on the name
    # alone) took the namesakes for the matches: a different birth date weighed nothing,
    # and that country loaded through the CLI sent 1.9% of its records to review. This
    # small country of four names does not reproduce that (training there takes minutes
    # and gigabytes; see BENCHMARKS.md): it guards the property on namesake-heavy data.
    model = train(feature_rows(_namesake_country(2500, seed=5)))
    dob = model["levels"]["dob"]
    assert dob["exact"]["m"] > 0.5
    assert dob["else"]["m"] < dob["else"]["u"] / 4  # a different birth date: evidence against


def test_training_on_a_sample_of_pairs_still_learns_what_agreement_means(
    rows: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A country too big to train on every pair of children born the same day (551 million
    # pairs at 1,000,000 children) trains on a sample of them: here the cap is set below
    # this small country's pairs, so the passes sample as a national one would.
    monkeypatch.setattr(training, "EM_MAX_PAIRS", 2_000)
    model = training.train(rows, seed=3)
    for name in ("forename", "surname", "dob", "location"):
        levels, top = model["levels"][name], LEVELS[name][0]
        assert levels[top]["m"] > levels[top]["u"], name
        assert levels["else"]["m"] < levels["else"]["u"], name


def test_the_training_table_holds_every_row_in_order_across_chunks(
    rows: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rows are streamed into DuckDB a chunk at a time (a national set of feeds does not
    # fit in memory as a list): a chunk size that does not divide the rows, from a
    # generator, so nothing may depend on having them all at once.
    monkeypatch.setattr(training, "CHUNK_ROWS", 97)
    with training.TrainingTable(row for row in rows) as table:
        held = table.connection.execute("SELECT * FROM records").fetchall()
        assert table.count == len(rows)
    assert held == [tuple(row[c] for c in training.COLUMNS) for row in rows]


def test_the_training_table_counts_what_the_rows_hold(rows: list[dict[str, Any]]) -> None:
    with training.TrainingTable(rows) as table:
        for column in ("forename", "surname", "postcode", "dob"):
            assert table.term_frequencies(column) == training.term_frequencies(rows, column)
        pairs = {(s, f): n for s, f, n in table.counts("surname", "forename")}
        groups = {seed: list(table.surname_groups(seed=seed)) for seed in (3, 4)}
    assert forename_shares_by_surname(rows) == training.forename_shares(
        pairs, training.term_frequencies(rows, "forename")
    )
    by_surname: defaultdict[str, list[Features]] = defaultdict(list)
    for row in rows:
        if row["surname"] is not None and row["postcode"] is not None:
            by_surname[row["surname"]].append(_features(row))
    cap = training.HOUSEHOLD_SAMPLE
    for sample in groups.values():
        # One group per surname, in surname order: all its records, or a sample of them.
        assert [group[0].surname for group in sample] == sorted(by_surname)
        for group in sample:
            held = by_surname[group[0].surname]
            assert len(group) == min(len(held), cap)
            assert not Counter(group) - Counter(held)  # records of the surname, each once
    over = [i for i, group in enumerate(groups[3]) if len(by_surname[group[0].surname]) > cap]
    assert over, "the small country has surnames over the sample size"
    assert any(groups[3][i] != groups[4][i] for i in over)  # the seed chooses the sample


def test_a_model_trained_from_a_stream_is_the_model_trained_from_the_list(
    rows: list[dict[str, Any]], model: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(training, "CHUNK_ROWS", 1000)
    streamed = train(row for row in rows)  # a generator: never a list
    streamed_again = train(iter(rows), seed=3)

    # The same model, up to the order DuckDB sums in (the last bits of a float).
    def flat(levels: dict[str, Any]) -> dict[str, float]:
        return {
            f"{n}.{label}.{p}": v
            for n, ls in levels.items()
            for label, ps in ls.items()
            for p, v in ps.items()
        }

    assert flat(streamed_again["levels"]) == pytest.approx(flat(model["levels"]), rel=1e-9)
    assert streamed_again["household_u"] == model["household_u"]
    assert streamed["records"] == model["records"] == len(rows)
    assert streamed["tf"] == model["tf"]


def test_a_read_that_fails_part_way_leaves_no_training_database_behind(
    rows: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(training, "CHUNK_ROWS", 100)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(training.tempfile, "tempdir", None)  # read TMPDIR again

    def broken() -> Any:
        yield from rows[:250]
        msg = "school.csv: line 251 could not be read"
        raise ValueError(msg)

    with pytest.raises(ValueError, match="line 251"):
        training.TrainingTable(broken())
    assert list(tmp_path.iterdir()) == []


def _limit_gib(table: training.TrainingTable) -> float:
    (limit,) = table.connection.execute("SELECT current_setting('memory_limit')").fetchone()
    number, unit = str(limit).split()
    return float(number) * {"MiB": 1 / 1024, "GiB": 1.0}[unit]


def test_training_keeps_duckdb_to_the_memory_it_is_given(rows: list[dict[str, Any]]) -> None:
    # Left to itself DuckDB keeps up to 80% of the machine (20 GB of 24 here, training on
    # 11,000,000 children): training shares the machine with the database and the service.
    with training.TrainingTable(rows[:10], memory_gb=0.75) as table:
        assert _limit_gib(table) == pytest.approx(0.75, abs=0.01)
    with training.TrainingTable(rows[:10]) as table:
        assert _limit_gib(table) == pytest.approx(training.default_memory_gb(), rel=0.01)
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    assert training.default_memory_gb() == pytest.approx(total / 2)


def test_matching_train_refuses_too_little_memory(country: Path) -> None:
    from typer.testing import CliRunner

    from childindex.cli.app import app

    result = CliRunner().invoke(
        app, ["matching", "train", "--from", str(country), "--memory-gb", "0.1"]
    )
    assert result.exit_code == 2
    assert "--memory-gb" in result.output


def test_a_country_whose_sources_swap_names_teaches_the_model_to_read_them(
    country: Path,
) -> None:
    # Errors our generator never makes (ADR 0021): every 15th record gets its given and
    # family name exchanged, or its forename cut to an initial or to its first four letters.
    def changed(index: int, fields: dict[str, Any]) -> dict[str, Any]:
        given, family = fields.get("given_name") or "", fields.get("family_name") or ""
        kind = index // 15 % 3
        if kind == 0:
            return {**fields, "given_name": family, "family_name": given}
        return {**fields, "given_name": given[:1] if kind == 1 else given[:4]}

    records = list(read_country(country))
    noisy = {i for i in range(0, len(records), 15) if len(records[i][2]["given_name"]) > 4}
    records = [
        (source, rid, changed(i, fields) if i in noisy else fields)
        for i, (source, rid, fields) in enumerate(records)
    ]
    rows = feature_rows(records)
    model = train(rows, seed=3)
    forename = model["levels"]["forename"]
    for level in ("swapped", "initial", "prefix"):
        assert forename[level]["m"] > forename[level]["u"], level  # evidence for a match
    truth = read_truth(country)
    result = cluster(rows, model)
    mates = Counter(truth[uid] for uid in truth)
    joined = [
        any(
            result.cluster_of[other] == result.cluster_of[uid]
            for other in truth
            if other != uid and truth[other] == truth[uid]
        )
        for i, (source, rid, _) in enumerate(records)
        if i in noisy and mates[truth[uid := f"{source}:{rid}"]] > 1
    ]
    assert len(joined) > 100
    assert sum(joined) / len(joined) > 0.9


def test_levels_rare_in_matches_are_learnt_from_pairs_sharing_an_identifier() -> None:
    # Three registrations sharing an NHS number (three pairs), one with the names the wrong
    # way round (two of the pairs swapped), and a pair sharing a UPN; the rest share none.
    child = {"given_name": "Aidan", "family_name": "Smith", "birth_date": "2015-03-04"}
    records = [
        ("health", "h1", {**child, "nhs_number": "9990000018"}),
        ("health", "h2", {**child, "nhs_number": "9990000018"}),
        ("la", "l1", {**child, "given_name": "Smith", "family_name": "Aidan",
                      "nhs_number": "9990000018"}),
        ("school", "s1", {**child, "given_name": "A", "upn": "A123456789012"}),
        ("school", "s2", {**child, "upn": "A123456789012"}),
        ("school", "s3", {**child, "given_name": "Smith", "family_name": "Aidan"}),
    ]  # fmt: skip
    with TrainingTable(feature_rows(records)) as table:
        m = table.identified_m()
    # 4 pairs: 2 swapped, 1 an initial, 1 exact; add-one smoothing over 4 pairs.
    assert m["forename"]["swapped"] == pytest.approx(3 / 6)
    assert m["forename"]["initial"] == pytest.approx(2 / 6)
    assert m["forename"]["prefix"] == pytest.approx(1 / 6)
    assert m["surname"]["swapped"] == pytest.approx(3 / 6)


def test_a_birth_year_one_off_is_learnt_from_pairs_sharing_an_identifier() -> None:
    child = {"given_name": "Aidan", "family_name": "Smith", "birth_date": "2019-03-04"}
    records = [
        ("health", "h1", {**child, "nhs_number": "9990000018"}),
        ("la", "l1", {**child, "birth_date": "2020-03-04", "nhs_number": "9990000018"}),
        ("school", "s1", {**child, "upn": "A123456789012"}),
        ("school", "s2", {**child, "upn": "A123456789012"}),
        ("school", "s3", {**child, "birth_date": "2020-03-04"}),
    ]
    with TrainingTable(feature_rows(records)) as table:
        m = table.identified_m()
    # 2 pairs: 1 a year apart, 1 exact; add-one smoothing over 2 pairs.
    assert m["dob"]["year"] == pytest.approx(2 / 4)


def test_batch_prediction_weighs_the_carers_as_in_process_scoring_only_against(
    rows: list[dict[str, Any]], model: dict[str, Any]
) -> None:
    # The premise: over random pairs a carer in common is rare, so the trained level would
    # count for a match (brothers and sisters share carers: ADR 0025).
    shared = model["levels"]["carers"]["shared"]
    assert shared["m"] > shared["u"]
    scorer = TrainedScorer(model)
    by_id = {row["unique_id"]: _features(row) for row in rows}
    table = (
        linker_for(rows, model, levels=True)
        .inference.predict()
        .as_duckdbpyrelation()
        .select("unique_id_l, unique_id_r, mw_carers")
        .fetchall()
    )
    seen: set[str] = set()
    for left, right, weight in table:
        score = scorer.score(by_id[left], by_id[right])
        seen.add(score.levels["carers"])
        assert weight == pytest.approx(score.weights["carers"], abs=1e-9)
        assert weight <= 0.0
    assert {"shared", "null"} <= seen


def test_carers_none_in_common_weigh_no_more_than_the_floor_allows(
    model: dict[str, Any],
) -> None:
    # EM sees no pair of one child's records whose carers differ in this small country and
    # would learn the level as proof of two children (about -55 bits); the floor keeps it
    # to what one child's sources disagreeing one time in a hundred would give (ADR 0025).
    scorer = TrainedScorer(model)
    levels = model["levels"]["carers"]
    assert levels["else"]["m"] == M_FLOOR["carers"]["else"]
    weight = math.log2(M_FLOOR["carers"]["else"] / levels["else"]["u"])
    record = {"given_name": "Ada", "carers": [{"given_name": "Jo", "family_name": "Roe"}]}
    other = {"given_name": "Ada", "claimant_given_name": "Kim", "claimant_family_name": "Roe"}
    score = scorer.score(features_of(record), features_of(other))
    assert score.weights["carers"] == pytest.approx(weight)
    assert -7.0 < weight < -6.0
