"""Training the Fellegi-Sunter model with Splink on DuckDB, and writing the model file.

u by random sampling, m by expectation maximisation on two blocking passes (each pass
estimates the comparisons it does not block on: one blocks on the date of birth, the other
on the name at one postcode), the prior from deterministic rules.

The records' features are streamed into a DuckDB database on disk in chunks
(:class:`TrainingTable`) and everything else is counted there, so memory does not grow with
the country: as a list, the 2.65 million feature rows of a 1,000,000-child country took
2.1 GB of Python objects before Splink saw any of them, and a national set of feeds holds
about 29 million.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from itertools import groupby, islice
from operator import attrgetter
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import duckdb
from splink import Linker, block_on
from splink.backends.duckdb import DuckDBAPI

from childindex.linkage.settings import FROM_IDENTIFIERS, M_FLOOR, prediction_rules, settings
from childindex.matching.comparisons import (
    AGAINST_ONLY,
    LEVELS,
    TF_COLUMNS,
    compare,
    dob_level,
    location_level,
)
from childindex.matching.features import Features, features_of
from childindex.matching.thresholds import MODEL_VERSION

COLUMNS = ("unique_id", *Features.__dataclass_fields__)
# Pairs sharing an identifier read to learn the FROM_IDENTIFIERS levels' m, at most.
IDENTIFIED_SAMPLE = 200_000


def stream_feature_rows(
    records: Iterable[tuple[str, str, Mapping[str, Any]]],
) -> Iterator[dict[str, Any]]:
    """One Splink input row per record, as the records come: ``unique_id`` is
    ``"source:record_id"``."""
    for source, record_id, fields in records:
        yield {"unique_id": f"{source}:{record_id}", **features_of(fields).as_row()}


def feature_rows(records: Iterable[tuple[str, str, Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """:func:`stream_feature_rows` as a list (batch clustering, tests)."""
    return list(stream_feature_rows(records))


def _arrow(rows: Sequence[Mapping[str, Any]]) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]  # noqa: PLC0415 - Splink needs it

    return pa.Table.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in COLUMNS]))


def feature_table(features: Mapping[str, Features], placed: Collection[str] | None = None) -> Any:
    """The Splink input table of records' ``features`` (by ``unique_id``): the table of
    their :func:`feature_rows`, made a column at a time. Making a row dict per record first
    took longer than Splink's blocking of them (2,000,000 records: 15 s). With ``placed``
    (ids of records already on children), a column ``placed`` says which those are, for
    ``linker_for(placed_apart=True)``."""
    import pyarrow as pa  # noqa: PLC0415 - Splink needs it

    every = list(features.values())
    columns = [list(features)] + [list(map(attrgetter(name), every)) for name in COLUMNS[1:]]
    arrays = [pa.array(values, type=pa.string()) for values in columns]
    names = list(COLUMNS)
    if placed is not None:
        arrays.append(pa.array([uid in placed for uid in features], type=pa.bool_()))
        names.append("placed")
    return pa.table(arrays, names=names)


def _shares(counts: Mapping[str, int]) -> dict[str, float]:
    total = sum(counts.values()) or 1
    return {value: count / total for value, count in counts.items()}


def term_frequencies(rows: Iterable[Mapping[str, Any]], column: str) -> dict[str, float]:
    """Share of non-null values equal to each value (Splink's definition)."""
    return _shares(Counter(row[column] for row in rows if row[column] is not None))


# Feature rows appended to the training table at a time.
CHUNK_ROWS = 50_000
# Records of one surname compared pairwise for the household u, at most (a sample above).
HOUSEHOLD_SAMPLE = 40


def default_memory_gb() -> float:
    """Half of this machine's memory: the database and the service usually share it."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30 / 2


class TrainingTable:
    """Feature rows in a DuckDB database in a temporary directory (removed on close),
    appended ``CHUNK_ROWS`` at a time: Splink trains on the table there, and the term
    frequencies, the forenames by surname and the household sample are counted there.

    DuckDB keeps what it reads in memory up to ``memory_gb`` (default: half the machine's)
    and spills the rest to the directory; left to itself it takes 80% of the machine."""

    def __init__(
        self, rows: Iterable[Mapping[str, Any]], *, memory_gb: float | None = None
    ) -> None:
        self._directory = tempfile.TemporaryDirectory(prefix="childindex-training-")
        limit = memory_gb if memory_gb is not None else default_memory_gb()
        self.connection = duckdb.connect(
            str(Path(self._directory.name) / "training.duckdb"),
            config={"memory_limit": f"{max(1, round(limit * 1024))}MiB"},
        )
        columns = ", ".join(f'"{c}" VARCHAR' for c in COLUMNS)
        self.connection.execute(f"CREATE TABLE records ({columns})")
        self.count = 0
        try:
            self._append(iter(rows))
        except BaseException:
            self.close()  # a bad file or a stopped read leaves no database behind
            raise

    def _append(self, rows: Iterator[Mapping[str, Any]]) -> None:
        while chunk := list(islice(rows, CHUNK_ROWS)):
            self.connection.register("chunk", _arrow(chunk))
            self.connection.execute("INSERT INTO records SELECT * FROM chunk")
            self.connection.unregister("chunk")
            self.count += len(chunk)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database and remove its directory."""
        self.connection.close()
        self._directory.cleanup()

    def linker(self, fixed: Mapping[str, Mapping[str, float]] | None = None) -> Linker:
        """An untrained linker over the table (``fixed``: see ``settings``)."""
        db_api = DuckDBAPI(connection=self.connection)
        frame = db_api.register("records", dataset_display_name="records")
        return Linker(frame, settings(fixed))

    def identified_m(self, *, sample: int = IDENTIFIED_SAMPLE) -> dict[str, dict[str, float]]:
        """m of the ``FROM_IDENTIFIERS`` levels: their share among pairs of records sharing
        an NHS number or UPN (almost all one child's), at most ``sample`` of them, with
        add-one smoothing: a level no such pair shows gets a small m, never 0."""
        names = ", ".join(f'{side}."{c}" AS "{c}_{side}"' for side in "lr" for c in COLUMNS)
        # Two joins on equality: an OR in one join would compare every pair of records.
        shared = " UNION ".join(
            "SELECT l.unique_id AS a, r.unique_id AS b FROM records l JOIN records r"  # noqa: S608
            f' ON l."{c}" = r."{c}" AND l.unique_id < r.unique_id'
            for c in ("nhs_number", "upn")
        )
        pairs = self.connection.execute(
            f"WITH pairs AS ({shared}) SELECT {names} FROM pairs"  # noqa: S608 - our columns
            " JOIN records l ON l.unique_id = pairs.a JOIN records r ON r.unique_id = pairs.b"
            f" ORDER BY hash(pairs.a || pairs.b) LIMIT {int(sample)}"
        ).fetchall()
        width = len(COLUMNS)
        counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
        for row in pairs:
            left, right = (
                Features(**dict(zip(COLUMNS[1:], part[1:], strict=True)))
                for part in (row[:width], row[width:])
            )
            for name, level in compare(left, right).items():
                if name in FROM_IDENTIFIERS and level != "null":
                    counts[name][level] += 1
        return {
            name: {
                label: (counts[name][label] + 1) / (sum(counts[name].values()) + 2)
                for label in labels
            }
            for name, labels in FROM_IDENTIFIERS.items()
        }

    def counts(self, *columns: str) -> list[tuple[Any, ...]]:
        """``(value, ..., count)`` of each distinct combination of ``columns`` where none is
        null, in value order."""
        names = ", ".join(f'"{c}"' for c in columns)
        present = " AND ".join(f'"{c}" IS NOT NULL' for c in columns)
        return self.connection.execute(
            f"SELECT {names}, count(*) FROM records WHERE {present} "  # noqa: S608 - our columns
            "GROUP BY ALL ORDER BY ALL"
        ).fetchall()

    def term_frequencies(self, column: str) -> dict[str, float]:
        """:func:`term_frequencies` of one column."""
        return _shares(dict(self.counts(column)))

    def surname_groups(self, *, seed: int) -> Iterator[list[Features]]:
        """Records with a surname and a postcode, one list per surname in surname order:
        all of its records, or ``HOUSEHOLD_SAMPLE`` of them (the same for a seed)."""
        names = list(Features.__dataclass_fields__)
        fields = ", ".join(f'"{c}"' for c in names)
        result = self.connection.execute(
            f"SELECT {fields} FROM records "  # noqa: S608 - our columns
            "WHERE surname IS NOT NULL AND postcode IS NOT NULL "
            "QUALIFY row_number() OVER "
            "(PARTITION BY surname ORDER BY hash(unique_id || ?), unique_id) <= ? "
            "ORDER BY surname, unique_id",
            [f":{seed}", HOUSEHOLD_SAMPLE],
        )

        def fetched() -> Iterator[tuple[Any, ...]]:
            while batch := result.fetchmany(10_000):
                yield from batch

        surname = names.index("surname")
        for _, group in groupby(fetched(), key=lambda row: row[surname]):
            yield [Features(**dict(zip(names, row, strict=True))) for row in group]


# A surname's own share of a forename is pulled towards the forename's share of all records
# by this many records' worth of it: a surname seen a few times says little.
SURNAME_PSEUDOCOUNT = 50
# A share under this many times the forename's share of all changes its weight by under a
# bit: not kept (40% of the entries on the 250,000-child country).
SURNAME_MIN_RATIO = 2


def forename_shares_by_surname(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """:func:`forename_shares` of feature rows."""
    pairs = Counter(
        (row["surname"], row["forename"])
        for row in rows
        if row["surname"] is not None and row["forename"] is not None
    )
    return forename_shares(pairs, term_frequencies(rows, "forename"))


def forename_shares(
    pairs: Mapping[tuple[str, str], int], overall: Mapping[str, float]
) -> dict[str, dict[str, float]]:
    """Per surname, the forenames more common among its records than among all records,
    with that share: ``(count + k * share of all) / (surname's records + k)``, k being
    ``SURNAME_PSEUDOCOUNT``. Only forenames seen at least twice with the surname, and
    ``SURNAME_MIN_RATIO`` times as common among its records. ``pairs``: records per
    (surname, forename); ``overall``: each forename's share of all records.

    Forenames follow families and cultures: among the Khans of the 250,000-child synthetic
    country, 6.8% of records say Muhammad, against 0.7% of all records. The model's name
    weights take the two names as independent evidence, so two different Muhammad Khans
    born the same day looked ten times less likely than they are.
    """
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


def household_u(groups: Iterable[list[Features]]) -> dict[str, float]:
    """u of each location level *given the surnames agree*, from likely non-matches.

    Siblings share surname and address: among non-matching pairs with the same surname, an
    address match is far more common than among random pairs, so the location weight must
    use this conditional u when the surnames agree (else a household outvotes a different
    forename and date of birth). Likely non-matches: same surname, a different date of birth
    and a different forename. ``groups``: records of one surname each
    (:meth:`TrainingTable.surname_groups`).
    """
    counts: Counter[str] = Counter()
    for group in groups:
        for i, left in enumerate(group):
            for right in group[i + 1 :]:
                if dob_level(left, right) == "else" and left.forename_canon != right.forename_canon:
                    counts[location_level(left, right)] += 1
    labels = LEVELS["location"]
    total = sum(counts[label] for label in labels) + len(labels)
    return {label: (counts[label] + 1) / total for label in labels}


def linker_for(
    rows: list[dict[str, Any]] | Any,
    model: Mapping[str, Any] | None = None,
    *,
    levels: bool = False,
    placed_apart: bool = False,
) -> Linker:
    """A DuckDB-backed linker over ``rows`` (or their table: :func:`feature_table`),
    untrained or with a trained model's settings.

    ``levels`` keeps each comparison's level (``gamma_<name>``) in predictions.
    ``placed_apart`` (with a model) blocks no pair of two records already on children (a
    table with the column ``placed``: ``feature_table``), so Splink neither compares nor
    returns them.
    """
    db_api = DuckDBAPI()
    table = _arrow(rows) if isinstance(rows, list) else rows
    frame = db_api.register(table, dataset_display_name="records")
    chosen: Any = settings()
    if model is not None:
        chosen = dict(
            _against_only(model["splink"]),
            retain_intermediate_calculation_columns=levels,
            retain_matching_columns=levels,
            # Today's blocking rules, whatever the model was trained with.
            blocking_rules_to_generate_predictions=prediction_rules(placed_apart=placed_apart),
        )
    return Linker(frame, chosen)


def _each_level(
    splink_settings: Mapping[str, Any], change: Callable[[str, Mapping[str, Any]], dict[str, Any]]
) -> dict[str, Any]:
    """Splink's settings with every comparison level replaced by ``change(comparison name,
    level)``."""
    return dict(
        splink_settings,
        comparisons=[
            dict(
                c,
                comparison_levels=[
                    change(c["output_column_name"], lv) for lv in c["comparison_levels"]
                ],
            )
            for c in splink_settings["comparisons"]
        ],
    )


def floored(splink_settings: Mapping[str, Any]) -> dict[str, Any]:
    """Splink's trained settings with each ``M_FLOOR`` level's m raised to its floor (the
    comparison's other levels as EM left them: their m then sum a little over 1, which
    Splink's prediction does not need)."""

    def floor(name: str, level: Mapping[str, Any]) -> dict[str, Any]:
        wanted = M_FLOOR.get(name, {}).get(level.get("label_for_charts") or "")
        if wanted is None or float(level.get("m_probability", 0.0)) >= wanted:
            return dict(level)
        return dict(level, m_probability=wanted)

    return _each_level(splink_settings, floor)


def _against_only(splink_settings: Mapping[str, Any]) -> dict[str, Any]:
    """Splink's settings with the ``AGAINST_ONLY`` comparisons' agreeing levels weighing
    nothing (m brought down to u), as ``TrainedScorer`` weighs them: batch prediction must
    not keep a brother and sister's pair for sharing their carers."""

    def neutral(name: str, level: Mapping[str, Any]) -> dict[str, Any]:
        m, u = level.get("m_probability"), level.get("u_probability")
        if name not in AGAINST_ONLY or m is None or u is None or level.get("is_null_level"):
            return dict(level)
        return dict(level, m_probability=min(m, u))

    return _each_level(splink_settings, neutral)


# Pairs an EM pass trains on at most: records are sampled (Splink's hash filter) above it.
# The birth-date block grows with the square of the country: about 34 million pairs at
# 250,000 children (trained whole, 9.6 GB), 551 million at 1,000,000 (sampled to this).
EM_MAX_PAIRS = 50_000_000


# Records Splink's EM probe counts a pass's pairs on, at most (a sample above): the count
# grows with the square of the records, and only sets how far EM_MAX_PAIRS samples.
EM_PROBE_RECORDS = 1_000_000


def train(rows: Iterable[Mapping[str, Any]], *, seed: int = 1) -> dict[str, Any]:
    """Train on feature rows (a list, or streamed from :func:`stream_feature_rows`) and
    return the model document (see :func:`write_model`)."""
    with TrainingTable(rows) as table:
        return train_table(table, seed=seed)


def train_table(table: TrainingTable, *, seed: int = 1) -> dict[str, Any]:
    """Train on the rows of ``table`` and return the model document."""
    linker = table.linker(table.identified_m())
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
    probe = min(1.0, EM_PROBE_RECORDS / max(table.count, 1))
    training.estimate_parameters_using_expectation_maximisation(
        block_on("dob"), record_sample_proportion=probe, max_pairs=EM_MAX_PAIRS
    )
    # The pass that estimates the date of birth's m must not be swamped by namesakes: pairs
    # sharing only a name grow with the square of the country, and at 250,000 children EM
    # took them for the matches (dob exact m 0.05, a different birth date no evidence at
    # all). The same name at the same postcode is mostly one child.
    training.estimate_parameters_using_expectation_maximisation(
        block_on("forename_canon", "surname", "postcode"),
        record_sample_proportion=probe,
        max_pairs=EM_MAX_PAIRS,
    )
    splink_settings = floored(linker.misc.save_model_to_json())
    tf = {column: table.term_frequencies(column) for column in TF_COLUMNS.values()}
    pairs = {(surname, forename): n for surname, forename, n in table.counts("surname", "forename")}
    return {
        "model_version": MODEL_VERSION,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "records": table.count,
        "prior": splink_settings["probability_two_random_records_match"],
        "levels": _levels(splink_settings),
        "household_u": household_u(table.surname_groups(seed=seed)),
        "tf": tf,
        "tf_forename_by_surname": forename_shares(pairs, tf["forename"]),
        "tf_totals": {
            column: sum(n for _, n in table.counts(column)) for column in TF_COLUMNS.values()
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
