"""How carefully each source keeps its records: the rate of every kind of error.

Health registration is the most careful and most current; the benefit system keeps the
claimant's view, in capitals more often and with stale addresses; school rolls use the
names children are known by; local-authority case systems are the least tidy.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Profile:
    """Per-record probabilities of each imperfection."""

    nickname: float
    known_by_middle: float
    typo_given: float
    typo_family: float
    typo_address: float
    strip_accents: float
    upper_family: float
    surname_variant: float
    drop_middle: float
    stale_address: float
    stale_surname: float
    missing_postcode: float
    wrong_postcode: float
    restyle_postcode: float
    swap_day_month: float
    date_typo: float
    drop_locality: float
    abbreviate: float
    flat_on_own_line: float
    missing_updated: float
    unknown_sex: float
    long_unchanged: float


HEALTH = Profile(
    nickname=0.01,
    known_by_middle=0.003,
    typo_given=0.008,
    typo_family=0.008,
    typo_address=0.01,
    strip_accents=0.15,
    upper_family=0.0,
    surname_variant=0.1,
    drop_middle=0.1,
    stale_address=0.15,
    stale_surname=0.2,
    missing_postcode=0.003,
    wrong_postcode=0.004,
    restyle_postcode=0.02,
    swap_day_month=0.002,
    date_typo=0.002,
    drop_locality=0.3,
    abbreviate=0.1,
    flat_on_own_line=0.3,
    missing_updated=0.02,
    unknown_sex=0.002,
    long_unchanged=0.1,
)

HEALTH_DUPLICATE = Profile(
    nickname=0.15,
    known_by_middle=0.03,
    typo_given=0.05,
    typo_family=0.05,
    typo_address=0.05,
    strip_accents=0.5,
    upper_family=0.1,
    surname_variant=0.4,
    drop_middle=0.5,
    stale_address=0.6,
    stale_surname=0.6,
    missing_postcode=0.05,
    wrong_postcode=0.03,
    restyle_postcode=0.1,
    swap_day_month=0.05,
    date_typo=0.03,
    drop_locality=0.5,
    abbreviate=0.3,
    flat_on_own_line=0.5,
    missing_updated=0.1,
    unknown_sex=0.02,
    long_unchanged=0.6,
)

SCHOOL = Profile(
    nickname=0.04,
    known_by_middle=0.01,
    typo_given=0.012,
    typo_family=0.012,
    typo_address=0.015,
    strip_accents=0.35,
    upper_family=0.05,
    surname_variant=0.25,
    drop_middle=0.3,
    stale_address=0.3,
    stale_surname=0.4,
    missing_postcode=0.01,
    wrong_postcode=0.008,
    restyle_postcode=0.1,
    swap_day_month=0.004,
    date_typo=0.003,
    drop_locality=0.5,
    abbreviate=0.3,
    flat_on_own_line=0.5,
    missing_updated=0.05,
    unknown_sex=0.003,
    long_unchanged=0.2,
)

BENEFIT = Profile(
    nickname=0.005,
    known_by_middle=0.002,
    typo_given=0.015,
    typo_family=0.015,
    typo_address=0.02,
    strip_accents=0.5,
    upper_family=0.2,
    surname_variant=0.3,
    drop_middle=0.45,
    stale_address=0.45,
    stale_surname=0.6,
    missing_postcode=0.005,
    wrong_postcode=0.01,
    restyle_postcode=0.05,
    swap_day_month=0.005,
    date_typo=0.004,
    drop_locality=0.6,
    abbreviate=0.4,
    flat_on_own_line=0.2,
    missing_updated=0.03,
    unknown_sex=0.005,
    long_unchanged=0.4,
)

LA = Profile(
    nickname=0.08,
    known_by_middle=0.02,
    typo_given=0.025,
    typo_family=0.025,
    typo_address=0.03,
    strip_accents=0.3,
    upper_family=0.1,
    surname_variant=0.35,
    drop_middle=0.5,
    stale_address=0.25,
    stale_surname=0.3,
    missing_postcode=0.03,
    wrong_postcode=0.015,
    restyle_postcode=0.15,
    swap_day_month=0.01,
    date_typo=0.008,
    drop_locality=0.5,
    abbreviate=0.5,
    flat_on_own_line=0.4,
    missing_updated=0.1,
    unknown_sex=0.01,
    long_unchanged=0.3,
)
