"""Every kind of bad input the readers must survive: exact outcomes; errors name line, field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app_fixtures import FIXED_NOW, make_health_record
from childindex.domain.errors import InvalidInput
from childindex.domain.source_record import ParsedLine, Source
from childindex.feeds.formats import FORMATS, read_json_body

SCHOOL_HEADER = (
    "record_id,given_name,other_given_names,family_name,sex,birth_date,address_line1,"
    "address_line2,town,postcode,updated_at,upn,school_urn,school_name,school_phone,"
    "start_date,leave_date"
)
SCHOOL_ROW = (
    "S1,Sofia,,Watson,F,2015-01-08,21 Station Road,,Ellerford,AL1 0AE,2024-10-07T23:08:03Z,"
    "J103200019000,980003,St Mary's School,0118 496 0750,2026-09-01,"
)
BENEFIT_HEADER = (
    "record_id,given_name,other_given_names,family_name,sex,birth_date,address_line1,"
    "address_line2,town,postcode,updated_at,claimant_given_name,claimant_family_name,claimant_phone"
)
BENEFIT_ROW = (
    "CB1,David,Callum,Ward,M,2024-12-28,23 Wellington Way,,Ellerford,AL1 6FE,"
    "2025-09-24T00:20:19Z,Leanne,Ward,07700900079"
)


def la_record(**fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "record_id": "LA1",
        "given_name": "Filip",
        "family_name": "Wieczorek",
        "sex": "M",
        "birth_date": "2020-04-30",
        "postcode": "BA1 6HQ",
        "la_code": "103",
        "upn": "C103200024010",
        "involvements": [{"service_type": "Children's Social Care", "lead_professional": True}],
    }
    record.update(fields)
    return record


def read(source: Source, data: bytes) -> list[ParsedLine]:
    return list(FORMATS[source].read_file(data, file="f", now=FIXED_NOW))


def outcome(lines: list[ParsedLine]) -> tuple[int, int, list[tuple[int, str | None]]]:
    """(accepted, rejected, [(line, field) of every error])."""
    accepted = sum(1 for p in lines if p.record is not None)
    errors = [(e.line, e.field) for p in lines for e in p.errors]
    return accepted, len(lines) - accepted, errors


def jsonl(*records: dict[str, Any]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def test_good_files_of_every_source_are_accepted_whole() -> None:
    assert outcome(read(Source.HEALTH, jsonl(make_health_record()))) == (1, 0, [])
    assert outcome(read(Source.LA, jsonl(la_record()))) == (1, 0, [])
    school = f"{SCHOOL_HEADER}\n{SCHOOL_ROW}\n".encode()
    assert outcome(read(Source.SCHOOL, school)) == (1, 0, [])
    benefit = f"{BENEFIT_HEADER}\n{BENEFIT_ROW}\n".encode()
    assert outcome(read(Source.BENEFIT, benefit)) == (1, 0, [])


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"nhs_number": "9990000019"}, "nhs_number"),  # wrong check digit
        ({"birth_date": "2015-02-30"}, "birth_date"),  # impossible
        ({"birth_date": "2027-01-01"}, "birth_date"),  # future
        ({"birth_date": "1990-01-01"}, "birth_date"),  # over 25
        ({"sex": "X"}, "sex"),
        ({"postcode": "NOT A CODE"}, "postcode"),
        ({"family_name": None}, "family_name"),  # missing required
        ({"given_name": 42}, "given_name"),  # wrong type
        ({"carers": "mum"}, "carers"),
        ({"carers": [{"given_name": 7}]}, "carers[0].given_name"),
        ({"updated_at": "yesterday"}, "updated_at"),
    ],
)
def test_each_bad_health_field_rejects_its_record_naming_the_field(
    fields: dict[str, Any], field: str
) -> None:
    data = jsonl(make_health_record(record_id="A"), make_health_record(record_id="B", **fields))
    assert outcome(read(Source.HEALTH, data)) == (1, 1, [(2, field)])


def test_school_upn_failing_its_check_letter_is_rejected() -> None:
    row = SCHOOL_ROW.replace("J103200019000", "A103200019000")
    assert outcome(read(Source.SCHOOL, f"{SCHOOL_HEADER}\n{row}\n".encode())) == (
        0,
        1,
        [(2, "upn")],
    )


def test_la_record_with_bad_identifier_and_involvement_is_rejected() -> None:
    data = jsonl(
        la_record(nhs_number="123"),
        la_record(record_id="LA2", involvements=[{"start_date": "2020-13-01"}]),
        la_record(record_id="LA3", shield={"reason": "refuge"}),
    )
    lines = read(Source.LA, data)
    assert outcome(lines) == (
        1,
        2,
        [(1, "nhs_number"), (2, "involvements[0].service_type"), (2, "involvements[0].start_date")],
    )
    assert lines[2].record is not None
    assert lines[2].record.payload["shield"] == {"reason": "refuge"}


def test_invalid_utf8_bom_and_crlf_are_handled_per_line() -> None:
    good = json.dumps(make_health_record()).encode()
    data = b"\xef\xbb\xbf" + good + b"\r\n" + b'{"given_name": "\xff"}\r\n' + good + b"\r\n"
    assert outcome(read(Source.HEALTH, data)) == (2, 1, [(2, None)])
    csv_data = (
        f"\ufeff{SCHOOL_HEADER}\r\n{SCHOOL_ROW}\r\n".encode()
        + SCHOOL_ROW.replace("Sofia", "So\udcfefia").encode("utf-8", errors="surrogateescape")
        + b"\r\n"
    )
    lines = read(Source.SCHOOL, csv_data)
    assert outcome(lines) == (1, 1, [(3, "given_name")])
    assert "UTF-8" in lines[1].errors[0].message


def test_csv_quoted_commas_and_embedded_newlines_keep_their_line_numbers() -> None:
    quoted = SCHOOL_ROW.replace("St Mary's School", '"St Mary\'s, Upper\nSchool"')
    data = f"{SCHOOL_HEADER}\n{quoted}\n{SCHOOL_ROW.replace('S1', 'S2')}\n".encode()
    lines = read(Source.SCHOOL, data)
    assert outcome(lines) == (2, 0, [])
    assert [p.line for p in lines] == [2, 4]
    assert lines[0].record is not None
    assert lines[0].record.payload["school_name"] == "St Mary's, Upper\nSchool"
    assert lines[0].text.count("\n") == 1  # kept raw as the two lines it spans


def test_csv_rows_with_missing_or_extra_columns_are_rejected() -> None:
    short = ",".join(SCHOOL_ROW.split(",")[:-2])
    data = f"{SCHOOL_HEADER}\n{short}\n{SCHOOL_ROW},extra\n{SCHOOL_ROW}\n".encode()
    assert outcome(read(Source.SCHOOL, data)) == (1, 2, [(2, None), (3, None)])


def test_csv_missing_header_rejects_every_row_naming_the_column() -> None:
    data = f"{SCHOOL_ROW}\n{SCHOOL_ROW}\n".encode()
    assert outcome(read(Source.SCHOOL, data)) == (0, 2, [(1, None), (2, "record_id")])


def test_csv_wrong_header_rejects_rows_but_unknown_columns_only_warn() -> None:
    wrong = SCHOOL_HEADER.replace("upn", "pupil_no")
    data = f"{wrong}\n{SCHOOL_ROW}\n".encode()
    assert outcome(read(Source.SCHOOL, data)) == (0, 2, [(1, None), (2, "upn")])
    extra = f"{BENEFIT_HEADER},favourite_colour\n{BENEFIT_ROW},blue\n".encode()
    lines = read(Source.BENEFIT, extra)
    assert outcome(lines) == (1, 0, [])
    assert [(w.line, w.field) for w in lines[0].warnings] == [(1, "favourite_colour")]
    assert "blue" in lines[0].text  # kept raw


def test_unknown_json_fields_are_kept_raw_and_warned_not_rejected() -> None:
    lines = read(Source.HEALTH, jsonl(make_health_record(shoe_size=3)))
    assert outcome(lines) == (1, 0, [])
    assert [(w.line, w.field) for w in lines[0].warnings] == [(1, "shoe_size")]
    assert "shoe_size" in lines[0].text
    assert lines[0].record is not None
    assert "shoe_size" not in lines[0].record.payload


def test_json_syntax_errors_and_non_objects_are_rejected_per_line() -> None:
    good = json.dumps(make_health_record())
    data = f'{good}\n{{"record_id": \n[1, 2]\n"text"\n{good}\n'.encode()
    assert outcome(read(Source.HEALTH, data)) == (2, 3, [(2, None), (3, None), (4, None)])


def test_a_line_over_one_mebibyte_is_rejected_and_the_next_line_still_read() -> None:
    huge = json.dumps(make_health_record(given_name="A" * (1024 * 1024 + 1)))
    data = f"{huge}\n{json.dumps(make_health_record())}\n".encode()
    lines = read(Source.HEALTH, data)
    assert outcome(lines) == (1, 1, [(1, None)])
    assert "1 MiB" in lines[0].errors[0].message


def test_an_unclosed_csv_quote_is_cut_off_and_reading_resumes() -> None:
    filler = "\n".join(SCHOOL_ROW for _ in range(8000))  # ~1.1 MB swallowed by the open quote
    data = f'{SCHOOL_HEADER}\n{SCHOOL_ROW}"open\n{filler}\n'.encode()
    lines = read(Source.SCHOOL, data)
    accepted, rejected, errors = outcome(lines)
    assert errors[0] == (2, None)
    assert "quote left open" in lines[0].errors[0].message
    assert accepted > 0
    assert accepted + rejected == len(lines)


def test_an_empty_file_gives_no_records() -> None:
    for source in Source:
        assert read(source, b"") == []
        assert read(source, b"\r\n\n") == []


def test_a_file_not_in_the_named_format_rejects_every_record() -> None:
    school = f"{SCHOOL_HEADER}\n{SCHOOL_ROW}\n".encode()
    assert outcome(read(Source.HEALTH, school)) == (0, 2, [(1, None), (2, None)])
    health = jsonl(make_health_record(), make_health_record(record_id="H2"))
    accepted, rejected, _ = outcome(read(Source.SCHOOL, health))
    assert (accepted, rejected) == (0, 2)


def test_api_body_may_be_a_json_array_or_ndjson() -> None:
    records = [make_health_record(), make_health_record(record_id="H2", sex="Q")]
    as_array = list(
        read_json_body(
            json.dumps(records).encode(), source=Source.HEALTH, file="api", now=FIXED_NOW
        )
    )
    assert outcome(as_array) == (1, 1, [(2, "sex")])
    as_lines = list(
        read_json_body(jsonl(*records), source=Source.HEALTH, file="api", now=FIXED_NOW)
    )
    assert outcome(as_lines) == (1, 1, [(2, "sex")])


@pytest.mark.parametrize("body", [b"", b"  \n", b"[1, 2", b"[\xff]"])
def test_unreadable_api_body_is_invalid_input_naming_the_body(body: bytes) -> None:
    with pytest.raises(InvalidInput) as caught:
        list(read_json_body(body, source=Source.LA, file="api", now=FIXED_NOW))
    assert caught.value.field == "body"


def test_a_csv_row_over_one_mebibyte_is_rejected_and_the_next_row_still_read() -> None:
    huge = "x," * (600 * 1024)
    data = f"{SCHOOL_HEADER}\n{huge}\n{SCHOOL_ROW}\n".encode()
    lines = read(Source.SCHOOL, data)
    assert outcome(lines) == (1, 1, [(2, None)])
    assert "1 MiB" in lines[0].errors[0].message
