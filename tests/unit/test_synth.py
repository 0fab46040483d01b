"""The synthetic country: deterministic, valid, realistic enough to make matching hard."""

from __future__ import annotations

import csv
import json
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from childindex.domain.identifiers import (
    is_valid_nhs_number,
    is_valid_upn,
    normalise_postcode,
)
from childindex.synth import REFERENCE_DATE, SynthSummary, corrupt, generate
from childindex.synth.numbers import NhsNumbers, OpaqueIds, Upns
from childindex.synth.parts import Country, write_country
from childindex.synth.people import People
from childindex.synth.places import Geography

FILES = ("health.jsonl", "school.csv", "benefit.csv", "la.jsonl", "truth.csv", "shielded.csv")
COMMON = [
    "record_id",
    "given_name",
    "other_given_names",
    "family_name",
    "sex",
    "birth_date",
    "address_line1",
    "address_line2",
    "town",
    "postcode",
    "updated_at",
]
SCHOOL_HEADER = [
    *COMMON,
    "upn",
    "school_urn",
    "school_name",
    "school_phone",
    "start_date",
    "leave_date",
]
BENEFIT_HEADER = [*COMMON, "claimant_given_name", "claimant_family_name", "claimant_phone"]
HEALTH_KEYS = {
    *COMMON,
    "nhs_number",
    "gp_practice_code",
    "gp_practice_name",
    "carers",
    "sensitive",
    "deceased_date",
}
LA_KEYS = {*COMMON, "la_code", "nhs_number", "upn", "involvements", "shield"}
CARER_KEYS = {
    "given_name",
    "family_name",
    "relationship",
    "parental_responsibility",
    "phone",
    "email",
}
INVOLVEMENT_KEYS = {
    "service_type",
    "organisation",
    "practitioner_name",
    "phone",
    "email",
    "lead_professional",
    "assessment_in_place",
    "sensitive",
    "start_date",
    "end_date",
}
# Ofcom's ranges for drama, written without spaces and with a leading 0.
DRAMA_PHONE = re.compile(
    r"^(07700900\d{3}|016329600\d{2}|01632960\d{3}|02079460\d{3}|01(1[3-8]|[2-6]1)4960\d{3}"
    r"|01914980\d{3}|02920180\d{3}|02890180\d{3})$"
)
SIZE = 3000
SEED = 20_260_901


@dataclass
class Feeds:
    summary: SynthSummary
    health: list[dict[str, Any]]
    la: list[dict[str, Any]]
    school: list[dict[str, str]]
    benefit: list[dict[str, str]]
    truth: list[dict[str, str]]
    shielded: set[str]
    person: dict[tuple[str, str], str] = field(default_factory=dict)

    def records_of(self, source: str) -> list[dict[str, Any]]:
        return {"health": self.health, "la": self.la, "school": self.school}.get(
            source, self.benefit
        )


def _read(out: Path, summary: SynthSummary) -> Feeds:
    def jsonl(name: str) -> list[dict[str, Any]]:
        with (out / name).open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle]

    def rows(name: str) -> list[dict[str, str]]:
        with (out / name).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    country = Feeds(
        summary=summary,
        health=jsonl("health.jsonl"),
        la=jsonl("la.jsonl"),
        school=rows("school.csv"),
        benefit=rows("benefit.csv"),
        truth=rows("truth.csv"),
        shielded={row["person_key"] for row in rows("shielded.csv")},
    )
    country.person = {(r["source"], r["record_id"]): r["person_key"] for r in country.truth}
    return country


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Feeds:
    out = tmp_path_factory.mktemp("country")
    return _read(out, generate(SIZE, SEED, out))


@pytest.fixture(scope="module")
def shielded_country(tmp_path_factory: pytest.TempPathFactory) -> Feeds:
    out = tmp_path_factory.mktemp("shielded")
    return _read(out, generate(SIZE, SEED + 1, out, shielded_rate=0.05))


def _age(birth_date: str) -> int:
    born = date.fromisoformat(birth_date)
    before_birthday = (REFERENCE_DATE.month, REFERENCE_DATE.day) < (born.month, born.day)
    return REFERENCE_DATE.year - born.year - before_birthday


def _persons(country: Feeds, source: str) -> set[str]:
    return {row["person_key"] for row in country.truth if row["source"] == source}


# Determinism ---------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    generate(700, 42, tmp_path / "a")
    generate(700, 42, tmp_path / "b")
    generate(700, 43, tmp_path / "c")
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "health.jsonl").read_bytes() != (
        tmp_path / "c" / "health.jsonl"
    ).read_bytes()


def test_worker_processes_write_the_same_bytes_as_one_process(tmp_path: Path) -> None:
    alone = write_country(Country(1500, 9), tmp_path / "one", workers=1)
    shared = write_country(Country(1500, 9), tmp_path / "two", workers=2)
    assert alone == shared
    for name in FILES:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == sorted(FILES)


def test_progress_counts_up_to_the_number_of_children(tmp_path: Path) -> None:
    seen: list[int] = []
    summary = generate(2500, 1, tmp_path, progress=seen.append)
    assert seen == sorted(seen)
    assert seen[-1] == summary.children == 2500
    assert len(seen) >= 2


@pytest.mark.parametrize(("children", "rate"), [(-1, 0.005), (10, 1.5), (10, -0.1)])
def test_nonsense_arguments_are_refused(tmp_path: Path, children: int, rate: float) -> None:
    with pytest.raises(ValueError, match=r"children|shielded_rate"):
        generate(children, 1, tmp_path, shielded_rate=rate)


# Formats -------------------------------------------------------------------------------


def test_csv_headers_are_the_contract_and_json_lines_have_its_fields(
    country: Feeds,
) -> None:
    out = country.summary.out
    with (out / "school.csv").open(encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == SCHOOL_HEADER
    with (out / "benefit.csv").open(encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == BENEFIT_HEADER
    assert (
        (out / "truth.csv").read_text(encoding="utf-8").startswith("source,record_id,person_key\n")
    )
    assert (out / "shielded.csv").read_text(encoding="utf-8").startswith("person_key\n")
    for record in country.health:
        assert set(record) <= HEALTH_KEYS
        assert {"record_id", "given_name", "family_name", "sex", "birth_date"} <= set(record)
        assert isinstance(record["sensitive"], bool)
        for carer in record["carers"]:
            assert {"given_name", "family_name", "relationship"} <= set(carer) <= CARER_KEYS
    for record in country.la:
        assert set(COMMON) <= set(record) <= LA_KEYS
        assert re.fullmatch(r"\d{3}", record["la_code"])
        assert record["involvements"]
        for involvement in record["involvements"]:
            assert set(involvement) == INVOLVEMENT_KEYS
        if "shield" in record:
            assert record["shield"]["reason"]


def test_values_have_the_contract_shapes(country: Feeds) -> None:
    records = [*country.health, *country.la, *country.school, *country.benefit]
    for record in records:
        assert record["sex"] in {"F", "M", "U"}
        assert date(2008, 9, 2) <= date.fromisoformat(record["birth_date"]) <= REFERENCE_DATE
        if record.get("updated_at") and record["birth_date"] < REFERENCE_DATE.isoformat():
            updated = datetime.fromisoformat(record["updated_at"])
            assert updated < datetime(2026, 9, 1, tzinfo=UTC)  # never after the snapshot
    for row in country.school:
        assert re.fullmatch(r"9\d{5}", row["school_urn"])
        assert date.fromisoformat(row["start_date"]) <= REFERENCE_DATE
        if row["leave_date"]:
            assert row["start_date"] <= row["leave_date"]
    for record in country.health:
        assert re.fullmatch(r"[A-Z]\d{5}", record["gp_practice_code"])


def test_postcodes_are_uk_shaped(country: Feeds) -> None:
    records = [*country.health, *country.la, *country.school, *country.benefit]
    postcodes = [r["postcode"] for r in records if r.get("postcode")]
    assert len(postcodes) > 0.95 * len(records)
    for postcode in postcodes:
        normalise_postcode(postcode)
    assert any(" " not in p or p != p.upper() for p in postcodes)  # as some systems store them


def test_phones_are_drama_numbers_and_emails_example_domains(country: Feeds) -> None:
    phones = [row["claimant_phone"] for row in country.benefit if row["claimant_phone"]]
    phones += [row["school_phone"] for row in country.school]
    emails = []
    for record in country.health:
        phones += [c["phone"] for c in record["carers"] if "phone" in c]
        emails += [c["email"] for c in record["carers"] if "email" in c]
    for record in country.la:
        phones += [i["phone"] for i in record["involvements"]]
        emails += [i["email"] for i in record["involvements"]]
    assert phones
    assert emails
    for phone in phones:
        compact = phone.replace(" ", "").replace("+44", "0")
        assert DRAMA_PHONE.match(compact), phone
    for email in emails:
        assert re.fullmatch(r"[a-z0-9.]+@example\.(org|com)", email), email


# Identifiers and truth -----------------------------------------------------------------


def test_nhs_numbers_are_valid_begin_with_9_and_belong_to_one_child(country: Feeds) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for source, records in (("health", country.health), ("la", country.la)):
        for record in records:
            if "nhs_number" in record:
                owners[record["nhs_number"]].add(country.person[source, record["record_id"]])
    assert len(owners) >= 0.98 * SIZE
    for number, persons in owners.items():
        assert is_valid_nhs_number(number)
        assert number.startswith("999")  # a small country stays in the test range
        assert len(persons) == 1


def test_upns_are_valid_and_belong_to_one_child(country: Feeds) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    per_person: dict[str, set[str]] = defaultdict(set)
    for row in country.school:
        person = country.person["school", row["record_id"]]
        owners[row["upn"]].add(person)
        per_person[person].add(row["upn"])
    for record in country.la:
        if "upn" in record:
            owners[record["upn"]].add(country.person["la", record["record_id"]])
    for upn, persons in owners.items():
        assert is_valid_upn(upn), upn
        assert len(persons) == 1
    assert all(len(upns) == 1 for upns in per_person.values())


def test_truth_names_every_record_exactly_once(country: Feeds) -> None:
    written = Counter((row["source"], row["record_id"]) for row in country.truth)
    assert all(count == 1 for count in written.values())
    for source in ("health", "school", "benefit", "la"):
        ids = [r["record_id"] for r in country.records_of(source)]
        assert len(ids) == len(set(ids)), f"duplicate record_id in {source}"
        assert {(source, i) for i in ids} == {key for key in written if key[0] == source}
        assert country.summary.records[source] == len(ids)
        assert country.summary.counts()[source] == len(ids)
    keys = {row["person_key"] for row in country.truth}
    assert SIZE * 0.99 <= len(keys) <= SIZE


def test_some_children_are_registered_twice_with_health(country: Feeds) -> None:
    per_person = Counter(country.person["health", r["record_id"]] for r in country.health)
    twice = [person for person, count in per_person.items() if count > 1]
    assert 3 <= len(twice) <= 0.02 * SIZE
    assert len(twice) == country.summary.duplicate_registrations


# Realism -------------------------------------------------------------------------------


def test_coverage_of_each_source_is_plausible(country: Feeds) -> None:
    share = {s: len(_persons(country, s)) / SIZE for s in ("health", "school", "benefit", "la")}
    assert 0.97 <= share["health"] <= 1.0
    assert 0.68 <= share["school"] <= 0.80  # ages 4 to 17 (14 of 18 years), about 95% of them
    assert 0.80 <= share["benefit"] <= 0.90
    assert 0.025 <= share["la"] <= 0.06


def test_school_records_are_only_for_children_aged_4_to_17(country: Feeds) -> None:
    ages = Counter(_age(row["birth_date"]) for row in country.school)
    assert min(ages) >= 4
    assert max(ages) <= 17
    assert ages[4] > 0
    assert ages[17] > 0


def test_ages_run_from_0_to_17(country: Feeds) -> None:
    ages = Counter(_age(record["birth_date"]) for record in country.health)
    assert set(ages) == set(range(18))
    assert min(ages.values()) > 0.5 * max(ages.values())


def test_twins_share_surname_birth_date_and_address_but_not_forenames(
    country: Feeds,
) -> None:
    assert 0.008 <= country.summary.twins / SIZE <= 0.025
    rng = random.Random(5)
    people = People(rng, Geography(SIZE, 5), SIZE, 5, (0, 10 * SIZE))
    twins = 0
    done = 0
    while done < SIZE:
        home = people.household(done, SIZE - done)
        done += len(home.children)
        for first, second in zip(home.children, home.children[1:], strict=False):
            if first.twin and second.twin and first.birth == second.birth:
                twins += 2
                assert first.given != second.given
                assert first.family.rstrip("ai") == second.family.rstrip("ai")  # -ski / -ska
    assert 0.008 <= twins / SIZE <= 0.025
    # In the feeds they look alike: same surname, birth date and postcode, other forenames.
    groups: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for record in country.health:
        key = (record["family_name"], record["birth_date"], record.get("postcode", ""))
        groups[key].add(country.person["health", record["record_id"]])
    alike = [g for g in groups.values() if len(g) == 2]
    assert len(alike) >= 0.5 * country.summary.twins / 2


def test_names_are_varied_and_not_only_ascii(country: Feeds) -> None:
    given_names = Counter(r["given_name"] for r in country.health)
    family_names = Counter(r["family_name"] for r in country.health)
    assert len(given_names) > 300
    assert len(family_names) > 300
    assert any(not name.isascii() for name in given_names)
    assert any("'" in name for name in family_names)
    assert any("-" in name for name in family_names)
    assert given_names.most_common(1)[0][1] < 0.03 * len(country.health)


def test_sources_disagree_the_way_real_ones_do(country: Feeds) -> None:
    by_person: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for source in ("health", "school", "benefit", "la"):
        for record in country.records_of(source):
            by_person[country.person[source, record["record_id"]]].append(record)
    differing = Counter[str]()
    for records in by_person.values():
        for key in ("given_name", "family_name", "birth_date", "postcode", "address_line1"):
            if len({(r.get(key) or "") for r in records}) > 1:
                differing[key] += 1
    for key in ("given_name", "family_name", "birth_date", "postcode", "address_line1"):
        assert differing[key] > 0.002 * SIZE, key
    assert differing["family_name"] < 0.5 * SIZE


def test_shielded_share_is_near_the_requested_rate(country: Feeds, shielded_country: Feeds) -> None:
    assert 0.001 <= len(country.shielded) / SIZE <= 0.012
    assert 0.035 <= len(shielded_country.shielded) / SIZE <= 0.065
    assert len(shielded_country.shielded) == shielded_country.summary.shielded


def test_every_shielded_child_is_flagged_by_some_source(shielded_country: Feeds) -> None:
    c = shielded_country
    flagged = {c.person["health", r["record_id"]] for r in c.health if r["sensitive"]}
    flagged |= {c.person["la", r["record_id"]] for r in c.la if "shield" in r}
    assert c.shielded == flagged
    in_la = {c.person["la", r["record_id"]] for r in c.la if "shield" in r}
    assert 0 < len(in_la) < len(c.shielded)  # some shielded only by health


# Building blocks -----------------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32), st.integers(0, 100_000_000 - 400))
def test_nhs_numbers_from_any_stretch_are_valid_and_unique(seed: int, first: int) -> None:
    numbers = NhsNumbers(seed, first, 400)
    issued = [numbers.issue() for _ in range(300)]
    assert len(set(issued)) == len(issued)
    assert all(is_valid_nhs_number(n) and n.startswith("9") for n in issued)


def test_nhs_numbers_leave_the_test_range_only_after_it() -> None:
    numbers = NhsNumbers(7, 1_000_000 - 20, 100)
    issued = [numbers.issue() for _ in range(60)]
    prefixes = [n.startswith("999") for n in issued]
    assert prefixes[0]
    assert not prefixes[-1]
    assert prefixes == sorted(prefixes, reverse=True)  # never back into 999 once out


def test_a_stretch_of_nhs_numbers_runs_out_rather_than_repeat() -> None:
    numbers = NhsNumbers(1, 0, 5)
    issued = {numbers.issue() for _ in range(5)}  # with seed 1, all five have a check digit
    assert len(issued) == 5
    with pytest.raises(ValueError, match="used up"):
        numbers.issue()


@settings(max_examples=30, deadline=None)
@given(st.integers(100, 999), st.integers(2008, 2030))
def test_upns_are_valid_and_unique(la: int, year: int) -> None:
    upns = Upns()
    issued = [upns.issue(str(la), year) for _ in range(2100)]
    assert len(set(issued)) == len(issued)
    assert all(is_valid_upn(u) and u[1:4] == str(la) for u in issued)


@settings(max_examples=20, deadline=None)
@given(st.text(min_size=1, max_size=8), st.integers(1, 10), st.integers(0, 10**6))
def test_record_ids_are_unique_within_their_span(scramble: str, width: int, first: int) -> None:
    count = min(500, 10**width)
    ids = OpaqueIds("X", width, scramble, (first % 10**width, count))
    issued = []
    for _ in range(count):
        try:
            issued.append(ids.issue())
        except ValueError:
            break
    assert len(set(issued)) == len(issued)
    assert all(len(i) == width + 1 for i in issued)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzéëó'-", min_size=3, max_size=12))
def test_a_typo_is_one_small_edit(name: str) -> None:
    typed = corrupt.typo(random.Random(name), name.capitalize())
    assert abs(len(typed) - len(name)) <= 1
    assert typed[:1] == name.capitalize()[:1]


@given(st.dates(date(2008, 9, 2), REFERENCE_DATE))
def test_day_month_swaps_only_where_both_could_be_a_month(day: date) -> None:
    swapped = corrupt.swap_day_month(day)
    if day.day <= 12 and day.day != day.month:
        assert (swapped.day, swapped.month) == (day.month, day.day)
    else:
        assert swapped == day


@given(st.integers(0, 10_000), st.integers(0, 399), st.integers(0, 2**16))
def test_mistyped_and_restyled_postcodes_stay_uk_shaped(sector: int, unit: int, seed: int) -> None:
    geography = Geography(1_000_000, seed)
    postcode = geography.postcode(sector % geography.sectors, unit)
    assert normalise_postcode(postcode) == postcode
    rng = random.Random(seed)
    assert normalise_postcode(corrupt.restyle_postcode(rng, postcode)) == postcode
    assert normalise_postcode(corrupt.wrong_postcode(rng, postcode)) != postcode


def test_accents_are_stripped_the_way_ascii_systems_do() -> None:
    assert (
        corrupt.strip_accents("Zoë Siân Łukasz Y\u0131lmaz Björn") == "Zoe Sian Lukasz Yilmaz Bjorn"
    )
    assert corrupt.ascii_fold("O'Brien-Núñez") == "obriennunez"
