"""The Splink model trained on a small synthetic country, and batch clustering with it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from childindex.linkage.batch import cluster
from childindex.linkage.feed_files import read_country, read_truth
from childindex.linkage.training import feature_rows, linker_for, train, write_model
from childindex.matching.comparisons import LEVELS, compare
from childindex.matching.features import Features
from childindex.matching.thresholds import MODEL_VERSION
from childindex.synth import generate


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


def test_a_different_forename_weighs_against_a_match(model: dict[str, Any]) -> None:
    forename = model["levels"]["forename"]
    assert forename["else"]["m"] < forename["else"]["u"]
    assert forename["exact"]["m"] > forename["exact"]["u"]


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
