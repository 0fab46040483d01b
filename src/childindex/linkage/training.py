"""Training the Fellegi-Sunter model with Splink on DuckDB, and writing the model file.

u by random sampling, m by expectation maximisation on two blocking passes (each pass
estimates the comparisons it does not block on: one blocks on the date of birth, the other
on the name at one postcode), the prior from deterministic rules.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from splink import Linker, block_on
from splink.backends.duckdb import DuckDBAPI

from childindex.linkage.settings import prediction_rules, settings
from childindex.matching.comparisons import LEVELS, TF_COLUMNS, dob_level, location_level
from childindex.matching.features import Features, features_of
from childindex.matching.thresholds import MODEL_VERSION


def feature_rows(records: Iterable[tuple[str, str, Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """One Splink input row per record: ``unique_id`` is ``"source:record_id"``."""
    return [
        {"unique_id": f"{source}:{record_id}", **features_of(fields).as_row()}
        for source, record_id, fields in records
    ]


def term_frequencies(rows: list[dict[str, Any]], column: str) -> dict[str, float]:
    """Share of non-null values equal to each value (Splink's definition)."""
    counts = Counter(row[column] for row in rows if row[column] is not None)
    total = sum(counts.values()) or 1
    return {value: count / total for value, count in counts.items()}


# A surname's own share of a forename is pulled towards the forename's share of all records
# by this many records' worth of it: a surname seen a few times says little.
SURNAME_PSEUDOCOUNT = 50
# A share under this many times the forename's share of all changes its weight by under a
# bit: not kept (40% of the entries on the 250,000-child country).
SURNAME_MIN_RATIO = 2


def forename_shares_by_surname(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per surname, the forenames more common among its records than among all records,
    with that share: ``(count + k * share of all) / (surname's records + k)``, k being
    ``SURNAME_PSEUDOCOUNT``. Only forenames seen at least twice with the surname, and
    ``SURNAME_MIN_RATIO`` times as common among its records.

    Forenames follow families and cultures: among the Khans of the 250,000-child synthetic
    country, 6.8% of records say Muhammad, against 0.7% of all records. The model's name
    weights take the two names as independent evidence, so two different Muhammad Khans
    born the same day looked ten times less likely than they are.
    """
    overall = term_frequencies(rows, "forename")
    pairs = Counter(
        (row["surname"], row["forename"])
        for row in rows
        if row["surname"] is not None and row["forename"] is not None
    )
    records = Counter[str]()
    for (surname, _), count in pairs.items():
        records[surname] += count
    shares: defaultdict[str, dict[str, float]] = defaultdict(dict)
    for (surname, forename), count in pairs.items():
        if count < 2:
            continue
        share_of_all = overall[forename]
        share = (count + SURNAME_PSEUDOCOUNT * share_of_all) / (
            records[surname] + SURNAME_PSEUDOCOUNT
        )
        if share >= SURNAME_MIN_RATIO * share_of_all:
            shares[surname][forename] = share
    return dict(shares)


def household_u(rows: list[dict[str, Any]], *, seed: int) -> dict[str, float]:
    """u of each location level *given the surnames agree*, from likely non-matches.

    Siblings share surname and address: among non-matching pairs with the same surname, an
    address match is far more common than among random pairs, so the location weight must
    use this conditional u when the surnames agree (else a household outvotes a different
    forename and date of birth). Likely non-matches: same surname, a different date of birth
    and a different forename.
    """
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    by_surname: defaultdict[str, list[Features]] = defaultdict(list)
    for row in rows:
        if row["surname"] is not None and row["postcode"] is not None:
            by_surname[row["surname"]].append(
                Features(**{k: v for k, v in row.items() if k != "unique_id"})
            )
    counts: Counter[str] = Counter()
    for surname in sorted(by_surname):
        group = by_surname[surname]
        if len(group) > 40:
            group = rng.sample(group, 40)
        for i, left in enumerate(group):
            for right in group[i + 1 :]:
                if dob_level(left, right) == "else" and left.forename_canon != right.forename_canon:
                    counts[location_level(left, right)] += 1
    labels = LEVELS["location"]
    total = sum(counts[label] for label in labels) + len(labels)
    return {label: (counts[label] + 1) / total for label in labels}


def linker_for(
    rows: list[dict[str, Any]], model: Mapping[str, Any] | None = None, *, levels: bool = False
) -> Linker:
    """A DuckDB-backed linker over ``rows``, untrained or with a trained model's settings.

    ``levels`` keeps each comparison's level (``gamma_<name>``) in predictions.
    """
    import pyarrow as pa  # type: ignore[import-untyped]  # noqa: PLC0415 - Splink needs it

    db_api = DuckDBAPI()
    columns = ["unique_id", *Features.__dataclass_fields__]
    table = pa.Table.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in columns]))
    frame = db_api.register(table, dataset_display_name="records")
    chosen: Any = settings()
    if model is not None:
        chosen = dict(
            model["splink"],
            retain_intermediate_calculation_columns=levels,
            retain_matching_columns=levels,
            # Today's blocking rules, whatever the model was trained with.
            blocking_rules_to_generate_predictions=prediction_rules(),
        )
    return Linker(frame, chosen)


# Pairs an EM pass trains on at most: records are sampled (Splink's hash filter) above it.
# The birth-date block grows with the square of the country: about 34 million pairs at
# 250,000 children (trained whole, 9.6 GB), 551 million at 1,000,000 (sampled to this).
EM_MAX_PAIRS = 50_000_000


def train(rows: list[dict[str, Any]], *, seed: int = 1) -> dict[str, Any]:
    """Train on ``rows`` and return the model document (see :func:`write_model`)."""
    linker = linker_for(rows)
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [
            block_on("forename", "surname", "dob"),
            block_on("nhs_number"),
            block_on("upn"),
        ],
        recall=0.8,
    )
    training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
    training.estimate_parameters_using_expectation_maximisation(
        block_on("dob"), record_sample_proportion=1.0, max_pairs=EM_MAX_PAIRS
    )
    # The pass that estimates the date of birth's m must not be swamped by namesakes: pairs
    # sharing only a name grow with the square of the country, and at 250,000 children EM
    # took them for the matches (dob exact m 0.05, a different birth date no evidence at
    # all). The same name at the same postcode is mostly one child.
    training.estimate_parameters_using_expectation_maximisation(
        block_on("forename_canon", "surname", "postcode"),
        record_sample_proportion=1.0,
        max_pairs=EM_MAX_PAIRS,
    )
    splink_settings = linker.misc.save_model_to_json()
    return {
        "model_version": MODEL_VERSION,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "records": len(rows),
        "prior": splink_settings["probability_two_random_records_match"],
        "levels": _levels(splink_settings),
        "household_u": household_u(rows, seed=seed),
        "tf": {column: term_frequencies(rows, column) for column in TF_COLUMNS.values()},
        "tf_forename_by_surname": forename_shares_by_surname(rows),
        "tf_totals": {
            column: sum(1 for row in rows if row[column] is not None)
            for column in TF_COLUMNS.values()
        },
        "splink": splink_settings,
    }


def _levels(splink_settings: Mapping[str, Any]) -> dict[str, dict[str, dict[str, float]]]:
    """m and u per comparison and level label, from Splink's settings dict."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for comparison in splink_settings["comparisons"]:
        name = comparison["output_column_name"]
        levels: dict[str, dict[str, float]] = {}
        for level in comparison["comparison_levels"]:
            label = level.get("label_for_charts")
            if level.get("is_null_level") or label not in LEVELS[name]:
                continue
            levels[label] = {
                "m": float(level.get("m_probability", 1e-6)),
                "u": float(level.get("u_probability", 1e-6)),
            }
        out[name] = levels
    return out


def write_model(model: Mapping[str, Any], path: Path) -> Path:
    """Write the model document as JSON to ``path`` (parents created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model, indent=1, sort_keys=True), encoding="utf-8")
    return path
