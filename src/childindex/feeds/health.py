"""Reader for the health demographics feed (JSON Lines)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from childindex.domain.errors import InvalidIdentifier
from childindex.domain.identifiers import normalise_nhs_number
from childindex.domain.source_record import RecordError, Source
from childindex.feeds.common import Checker, ParsedLine, check_common, finish, numbered_lines

COMMON = frozenset(
    {
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
    }
)
HEALTH_FIELDS = COMMON | {
    "nhs_number",
    "gp_practice_code",
    "gp_practice_name",
    "carers",
    "sensitive",
    "deceased_date",
}
CARER_FIELDS = ("given_name", "family_name", "relationship", "phone", "email")


def _carers(checker: Checker) -> list[dict[str, Any]] | None:
    value = checker.raw.get("carers")
    if value is None:
        return None
    if not isinstance(value, list):
        checker.error("carers", "carers must be a list")
        return None
    carers: list[dict[str, Any]] = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            checker.error(f"carers[{index}]", "each carer must be an object")
            continue
        inner = Checker(item, file=checker.file, line=checker.line)
        carer: dict[str, Any] = {name: inner.text(name) for name in CARER_FIELDS}
        carer["parental_responsibility"] = inner.flag("parental_responsibility")
        checker.errors.extend(
            RecordError(e.file, e.line, f"carers[{index}].{e.field}", e.message)
            for e in inner.errors
        )
        carers.append({k: v for k, v in carer.items() if v is not None})
    return carers


def parse_health(obj: dict[str, Any], *, file: str, line: int, now: datetime) -> ParsedLine:
    """Validate one health record (already parsed from JSON)."""
    checker = Checker(obj, file=file, line=line)
    payload = check_common(checker, now=now)
    nhs = checker.text("nhs_number", required=True, max_length=20)
    if nhs is not None:
        try:
            nhs = normalise_nhs_number(nhs)
        except InvalidIdentifier as exc:
            checker.error("nhs_number", exc.message)
            nhs = None
    payload["nhs_number"] = nhs
    payload["gp_practice_code"] = checker.text("gp_practice_code", max_length=20)
    payload["gp_practice_name"] = checker.text("gp_practice_name")
    payload["carers"] = _carers(checker)
    payload["sensitive"] = checker.flag("sensitive")
    died = checker.day("deceased_date", today=now.date())
    payload["deceased_date"] = died.isoformat() if died else None
    record = finish(checker, source=Source.HEALTH, payload=payload, known=HEALTH_FIELDS)
    return ParsedLine(line=line, text="", record=record, errors=checker.errors)


def read_health(data: bytes, *, file: str, now: datetime) -> Iterator[ParsedLine]:
    """Every record of a health JSON Lines file, valid or not, in file order."""
    for number, text, raw in numbered_lines(data):
        if text is None:
            yield ParsedLine(
                number, raw, errors=[RecordError(file, number, None, "line is not valid UTF-8")]
            )
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            yield ParsedLine(
                number, raw, errors=[RecordError(file, number, None, f"not valid JSON: {exc.msg}")]
            )
            continue
        if not isinstance(obj, dict):
            yield ParsedLine(
                number,
                raw,
                errors=[RecordError(file, number, None, "each line must be a JSON object")],
            )
            continue
        parsed = parse_health(obj, file=file, line=number, now=now)
        parsed.text = raw
        yield parsed
