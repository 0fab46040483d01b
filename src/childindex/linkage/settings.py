"""The Splink model's settings: the comparisons of ``matching/comparisons.py`` in SQL.

Each level's ``label_for_charts`` is the label the pure-Python comparisons return, so the
trained m and u probabilities can be read back per label (``linkage/model_file.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator

from childindex.matching.comparisons import LEVELS, TF_COLUMNS


def _dl1(column: str) -> str:
    return f"damerau_levenshtein({column}_l, {column}_r) <= 1"


def _in_tokens(left: str, right_list: str) -> str:
    return f"list_contains(string_split({right_list}, ' '), {left})"


# Given and family name the wrong way round (``comparisons.names_swapped``).
_SWAPPED = (
    "coalesce(forename_l <> surname_l AND forename_l = surname_r AND surname_l = forename_r, false)"
)


def _shortened(length: str, *, equal: bool) -> str:
    """One forename is the other's first letters, the shorter ``length`` long, the two
    ``equal`` or not (SQL of ``comparisons._shortened``)."""
    differ = "" if equal else " AND forename_l <> forename_r"
    return " OR ".join(
        f"(starts_with({long}, {short}) AND length({short}) {length}{differ})"
        for short, long in (("forename_l", "forename_r"), ("forename_r", "forename_l"))
    )


# Both forenames longer than an initial.
_WORDS = "length(forename_l) > 1 AND length(forename_r) > 1"

_SQL: Final[dict[str, dict[str, str]]] = {
    "forename": {
        "null": "forename_l IS NULL OR forename_r IS NULL",
        "exact": "forename_l = forename_r AND length(forename_l) > 1",
        "swapped": _SWAPPED,
        "initial": _shortened("= 1", equal=True),
        # past "initial", a one-letter forename is "else" (``comparisons.forename_level``)
        "nickname": f"{_WORDS} AND coalesce(len(list_intersect("
        "string_split(forename_forms_l, ' '), string_split(forename_forms_r, ' '))) > 0, false)",
        "typo": f"{_WORDS} AND {_dl1('forename')}",
        "other_names": f"{_WORDS} AND (coalesce({_in_tokens('forename_l', 'forenames_r')}, false)"
        f" OR coalesce({_in_tokens('forename_r', 'forenames_l')}, false))",
        "prefix": _shortened(">= 2", equal=False),
    },
    "middle_names": {
        "null": "middle_names_l IS NULL OR middle_names_r IS NULL",
        "exact": "middle_names_l = middle_names_r",
        "similar": "len(list_intersect(string_split(middle_names_l, ' '),"
        " string_split(forenames_r, ' '))) > 0 OR len(list_intersect("
        "string_split(middle_names_r, ' '), string_split(forenames_l, ' '))) > 0 OR "
        + _dl1("middle_names"),
    },
    "surname": {
        "null": "surname_l IS NULL OR surname_r IS NULL",
        "exact": "surname_l = surname_r",
        "swapped": _SWAPPED,
        "typo": _dl1("surname"),
        "shared_part": "len(list_intersect(string_split(surname_l, ' '),"
        " string_split(surname_r, ' '))) > 0",
        "soundex": "surname_sdx_l = surname_sdx_r",
    },
    "dob": {
        "null": "dob_l IS NULL OR dob_r IS NULL",
        "exact": "dob_l = dob_r",
        "swap": "coalesce(dob_l = dob_swap_r, false) OR coalesce(dob_swap_l = dob_r, false)",
        "one_char": _dl1("dob"),
        "day": "coalesce(abs(date_diff('day', try_cast(dob_l AS DATE),"
        " try_cast(dob_r AS DATE))) = 1, false)",
        "year": "substr(dob_l, 5) = substr(dob_r, 5) AND abs(CAST(substr(dob_l, 1, 4) AS INTEGER)"
        " - CAST(substr(dob_r, 1, 4) AS INTEGER)) = 1",
    },
    "sex": {"null": "sex_l IS NULL OR sex_r IS NULL", "exact": "sex_l = sex_r"},
    "location": {
        "null": "postcode_l IS NULL OR postcode_r IS NULL",
        "address": "postcode_l = postcode_r AND coalesce(address_l = address_r, false)",
        "postcode": "postcode_l = postcode_r",
        "sector": "pc_sector_l = pc_sector_r",
        "district": "pc_district_l = pc_district_r",
    },
    "nhs_number": {
        "null": "nhs_number_l IS NULL OR nhs_number_r IS NULL",
        "exact": "nhs_number_l = nhs_number_r",
    },
    "upn": {"null": "upn_l IS NULL OR upn_r IS NULL", "exact": "upn_l = upn_r"},
    "carers": {
        "null": "carers_l IS NULL OR carers_r IS NULL",
        "shared": "len(list_intersect(string_split(carers_l, ' '),"
        " string_split(carers_r, ' '))) > 0",
    },
}


# Levels whose m is learnt from pairs sharing an NHS number or UPN, then held fixed in EM
# (``linkage/training.py``, ADR 0021): a country whose sources never make these errors gives
# EM no match at the level, and it drove their m below what a float holds (1e-309, at
# 1,000,000 children), which Splink refuses.
FROM_IDENTIFIERS: Final[dict[str, tuple[str, ...]]] = {
    "forename": ("swapped", "initial", "prefix"),
    "surname": ("swapped",),
    "dob": ("day", "year"),
}


# Levels whose m is kept at least this after training. Carers none in common: real sources
# list carers differently (a claimant who is not the GP's contact, a new partner, a
# grandparent, a foster carer), but the synthetic country's never do (no pair of one
# child's records in its truth.csv), so EM learns the level as proof of two children (m
# 2.9e-5 at 1,000,000 children, 1e-17 at 1,500: -15 to -55 bits). One in a hundred makes it
# -6.6 bits at most; where sources do differ, EM learns more than the floor (ADR 0025).
M_FLOOR: Final[dict[str, dict[str, float]]] = {"carers": {"else": 0.01}}


def _comparison(name: str, fixed: Mapping[str, float]) -> cl.CustomComparison:
    sql = _SQL[name]
    levels: list[Any] = [
        cll.CustomLevel(sql["null"], label_for_charts="null").configure(is_null_level=True)
    ]
    for label in LEVELS[name]:
        if label == "else":
            levels.append(cll.ElseLevel().configure(label_for_charts="else"))
            continue
        level: Any = cll.CustomLevel(sql[label], label_for_charts=label)
        if label in fixed:
            level = level.configure(m_probability=fixed[label], fix_m_probability=True)
        if label == "exact" and name in TF_COLUMNS:
            # The level's own u is the exact match's (the forename's also asks for more
            # than one letter, which Splink would not recognise as an exact match).
            level = level.configure(
                tf_adjustment_column=TF_COLUMNS[name], disable_tf_exact_match_detection=True
            )
        levels.append(level)
    return cl.CustomComparison(levels, output_column_name=name)


def _equal(*columns: str) -> str:
    return " AND ".join(f'l."{c}" = r."{c}"' for c in columns)


# What the date of birth blocks with: the sound of the surname, the forename, the district.
DATE_PARTNERS: Final[tuple[str, ...]] = ("surname_sdx", "forename_canon", "pc_district")
# The months of birth agree, or either date is missing (``matching/blocking.py``).
_SAME_MONTH = (
    '(substr(l."dob", 6, 2) = substr(r."dob", 6, 2) OR l."dob" IS NULL OR r."dob" IS NULL)'
)

# Pairs scored in batch: each rule keeps recall on one hard case. Plain SQL, so a trained
# model is always predicted with today's rules (``linkage/training.py``). The birth date
# never blocks alone: its blocks grow with the square of the country (2.65M records share
# about 6,600 dates: 500M pairs); with a second key they grow linearly (ADR 0008).
PREDICTION_BLOCKS: Final[tuple[str, ...]] = (
    _equal("dob", "surname_sdx"),  # twins, movers, a new forename spelling
    _equal("dob", "forename_canon"),  # surname changes, movers
    _equal("dob", "pc_district"),  # a surname change with a forename typo, nearby
    # a wrong date of birth (a year off, a day mistyped) mostly keeps its month
    f"{_equal('forename_canon', 'surname')} AND {_SAME_MONTH}",
    _equal("surname", "postcode"),  # a new forename spelling at the same address
    _equal("forename_canon", "postcode"),  # a surname change without moving
    # day and month swapped, with a second key as the date's own rules have: alone, the
    # swapped date was a block on the birth date (every pair of children born on 3 April
    # and 4 March), which online matching never asked for
    *(f'l."dob" = r."dob_swap" AND {_equal(other)}' for other in DATE_PARTNERS),
    # names entered the wrong way round, found where the record moved too: each side's
    # forename (and month) against the other's surname, as online (``query_keys``)
    *(
        f'{a}."forename_canon" = {b}."surname_canon" AND {a}."surname" = {b}."forename"'
        f" AND {_SAME_MONTH}"
        for a, b in (("l", "r"), ("r", "l"))
    ),
    _equal("nhs_number"),
    _equal("upn"),
)


# A pair of two records already on children (a bulk load's held ones, column ``placed``).
PLACED_PAIR = 'l."placed" AND r."placed"'


def prediction_rules(*, placed_apart: bool = False) -> list[dict[str, Any]]:
    """``PREDICTION_BLOCKS`` in the form Splink's settings take; with ``placed_apart``, none
    blocks a ``PLACED_PAIR``, which a bulk load never scores (their children are decided)."""
    rules = (
        [f"({sql}) AND NOT ({PLACED_PAIR})" for sql in PREDICTION_BLOCKS]
        if placed_apart
        else PREDICTION_BLOCKS
    )
    return [{"blocking_rule": sql, "sql_dialect": "duckdb"} for sql in rules]


def settings(fixed: Mapping[str, Mapping[str, float]] | None = None) -> SettingsCreator:
    """The model's settings, untrained; ``fixed`` m per comparison and level (EM leaves
    them as they are)."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[_comparison(name, (fixed or {}).get(name, {})) for name in LEVELS],
        blocking_rules_to_generate_predictions=list[Any](prediction_rules()),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        max_iterations=20,
    )
