"""Loading feed files as an operator would (``childindex feeds load``): counts, errors, versions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import Engine, select

from app_fixtures import make_health_record
from childindex.bootstrap import Container
from childindex.cli.data import load_file
from childindex.domain.source_record import Source
from childindex.storage.models import Base, RawRecordRow, SourceRecordRow, VersionRow

# Tables a load writes besides its own log (feed_loads, raw_records) and the audit trail.
STATE_TABLES = (
    "source_records",
    "source_record_versions",
    "links",
    "children",
    "child_search_keys",
    "shields",
)

SCHOOL_HEADER = (
    "record_id,given_name,other_given_names,family_name,sex,birth_date,address_line1,"
    "address_line2,town,postcode,updated_at,upn,school_urn,school_name,school_phone,"
    "start_date,leave_date"
)


def school_row(record_id: str, upn: str = "J103200019000", **swap: str) -> str:
    row = (
        f"{record_id},Sofia,,Watson,F,2015-01-08,21 Station Road,,Ellerford,AL1 0AE,"
        f'2024-10-07T23:08:03Z,{upn},980003,"St Mary\'s, Upper School",0118 496 0750,2026-09-01,'
    )
    for old, new in swap.items():
        row = row.replace(old, new)
    return row


def load(
    container: Container, source: Source, path: Path, capsys: pytest.CaptureFixture[str]
) -> dict[str, Any]:
    capsys.readouterr()
    load_file(source, path, as_json=True, container=container)
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def errors_of(path: Path) -> list[tuple[int, str | None, str]]:
    rows = [json.loads(line) for line in Path(f"{path}.errors.jsonl").read_text().splitlines()]
    return [(r["line"], r["field"], r["severity"]) for r in rows]


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every state table, in a stable order."""
    with engine.connect() as connection:
        return {
            name: sorted(
                (tuple(row) for row in connection.execute(Base.metadata.tables[name].select())),
                key=repr,
            )
            for name in STATE_TABLES
        }


def test_school_file_with_every_kind_of_bad_row_gives_exact_counts_and_errors(
    container: Container, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "school.csv"
    lines = [
        f"\ufeff{SCHOOL_HEADER},shoe_size",
        school_row("S1") + ",3",
        school_row("S2", upn="A103200019000") + ",3",  # UPN check letter wrong
        school_row("S3", **{"2015-01-08": "2015-02-30"}) + ",3",  # impossible date
        school_row("S4", **{",F,": ",Q,"}) + ",3",  # unknown sex
        school_row("S5", **{"AL1 0AE": "AL1 0A"}) + ",3",  # malformed postcode
        school_row("S6", **{",Sofia,": ",,"}) + ",3",  # missing given_name
        school_row("S7"),  # a column short
        school_row("S8", **{"Upper School": "Upper\nSchool"}) + ",3",  # embedded newline
        school_row("S1", Watson="Watson-Ng") + ",3",  # duplicate id: a later version
    ]
    path.write_bytes("\r\n".join(lines).encode() + b"\r\n")
    result = load(container, Source.SCHOOL, path, capsys)
    assert (result["read"], result["accepted"], result["rejected"]) == (9, 3, 6)
    # S8 shares S1's UPN, so links to S1's child; the second S1 updates its own link.
    assert (result["new"], result["linked"]) == (1, 2)
    assert errors_of(path) == [
        (1, "shoe_size", "warning"),
        (3, "upn", "error"),
        (4, "birth_date", "error"),
        (5, "sex", "error"),
        (6, "postcode", "error"),
        (7, "given_name", "error"),
        (8, None, "error"),
        (11, "record_id", "warning"),
    ]


def test_rejected_records_are_kept_raw_with_their_errors_in_the_database(
    container: Container, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "health.jsonl"
    bad = json.dumps(make_health_record(record_id="H2", nhs_number="9990000019"))
    path.write_text(f"{json.dumps(make_health_record())}\n{bad}\nnot json\n")
    result = load(container, Source.HEALTH, path, capsys)
    assert (result["accepted"], result["rejected"]) == (1, 2)
    with engine.connect() as connection:
        rows = connection.execute(
            select(RawRecordRow.line_no, RawRecordRow.rejected).order_by(RawRecordRow.line_no)
        ).all()
    assert [tuple(r) for r in rows] == [(1, False), (2, True), (3, True)]


def test_an_empty_file_loads_nothing_and_succeeds(
    container: Container, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "la.jsonl"
    path.write_bytes(b"")
    result = load(container, Source.LA, path, capsys)
    assert (result["read"], result["accepted"], result["rejected"]) == (0, 0, 0)


def test_loading_the_same_files_twice_changes_nothing(
    container: Container, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    health = tmp_path / "health.jsonl"
    health.write_text(
        "".join(
            json.dumps(make_health_record(record_id=f"H{n}", nhs_number=nhs)) + "\n"
            for n, nhs in enumerate(["9990000018", "9990000026", "9990000034"])
        )
    )
    school = tmp_path / "school.csv"
    school.write_text(
        f"{SCHOOL_HEADER}\n{school_row('S1')}\n{school_row('S2', upn='A103200019000')}\n"
    )
    load(container, Source.HEALTH, health, capsys)
    load(container, Source.SCHOOL, school, capsys)
    before = snapshot(engine)
    assert len(before["source_records"]) == 4
    again = load(container, Source.HEALTH, health, capsys)
    assert (again["unchanged"], again["new"], again["linked"]) == (3, 0, 0)
    load(container, Source.SCHOOL, school, capsys)
    assert snapshot(engine) == before


def test_an_older_update_is_kept_as_history_and_does_not_overwrite(
    container: Container, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    newer = tmp_path / "newer.jsonl"
    newer.write_text(json.dumps(make_health_record(updated_at="2026-06-01T00:00:00Z")) + "\n")
    older = tmp_path / "older.jsonl"
    older.write_text(
        json.dumps(make_health_record(family_name="Oldname", updated_at="2025-01-01T00:00:00Z"))
        + "\n"
    )
    load(container, Source.HEALTH, newer, capsys)
    before = snapshot(engine)
    result = load(container, Source.HEALTH, older, capsys)
    assert (result["stale"], result["accepted"]) == (1, 1)
    after = snapshot(engine)
    assert len(after["source_record_versions"]) == 2
    assert {k: v for k, v in after.items() if k != "source_record_versions"} == {
        k: v for k, v in before.items() if k != "source_record_versions"
    }
    with engine.connect() as connection:
        current = connection.execute(select(SourceRecordRow.current_version_id)).scalar_one()
        newest = connection.execute(
            select(VersionRow.id).order_by(VersionRow.source_updated_at.desc()).limit(1)
        ).scalar_one()
    assert current == newest


def test_a_file_that_cannot_be_read_exits_non_zero(container: Container, tmp_path: Path) -> None:
    with pytest.raises(typer.Exit) as caught:
        load_file(Source.HEALTH, tmp_path / "missing.jsonl", as_json=True, container=container)
    assert caught.value.exit_code != 0
