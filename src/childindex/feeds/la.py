"""Reader for the local-authority children's services feed (JSON Lines)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from childindex.domain.identifiers import normalise_nhs_number, normalise_upn
from childindex.domain.source_record import ParsedLine, Source
from childindex.feeds.common import COMMON, Checker, FeedData, check_common, finish, nested_objects
from childindex.feeds.jsonlines import read_json_lines

LA_FIELDS = COMMON | {"la_code", "nhs_number", "upn", "involvements", "shield"}
INVOLVEMENT_TEXT = ("service_type", "organisation", "practitioner_name", "phone", "email")
# consent_to_share: consent to show a sensitive involvement is recorded (optional, default false).
INVOLVEMENT_FLAGS = (
    "lead_professional",
    "assessment_in_place",
    "sensitive",
    "consent_to_share",
)


def _involvement(inner: Checker) -> dict[str, Any]:
    item: dict[str, Any] = {name: inner.text(name) for name in INVOLVEMENT_TEXT}
    if item["service_type"] is None and "service_type" not in {e.field for e in inner.errors}:
        inner.error("service_type", "service_type is required")
    for name in INVOLVEMENT_FLAGS:
        item[name] = inner.flag(name)
    started = inner.day("start_date")
    ended = inner.day("end_date")
    if started and ended and ended < started:
        inner.error("end_date", "end_date is before start_date")
    item["start_date"] = started.isoformat() if started else None
    item["end_date"] = ended.isoformat() if ended else None
    return item


def _shield(checker: Checker) -> dict[str, str] | None:
    value = checker.raw.get("shield")
    if value is None:
        return None
    if not isinstance(value, dict):
        checker.error("shield", "shield must be an object with a reason")
        return None
    reason = Checker(value, file=checker.file, line=checker.line).text("reason", max_length=500)
    if reason is None:
        checker.error("shield.reason", "shield.reason must be text saying why")
        return None
    return {"reason": reason}


def parse_la(
    obj: dict[str, Any], *, file: str, line: int, now: datetime, warn_unknown: bool = True
) -> ParsedLine:
    """Validate one local-authority record (already parsed from JSON)."""
    checker = Checker(obj, file=file, line=line)
    payload = check_common(checker, now=now)
    code = checker.text("la_code", required=True, max_length=10)
    if code is not None and not (code.isascii() and code.isalnum()):
        checker.error("la_code", "la_code must be letters and digits")
        code = None
    payload["la_code"] = code
    payload["nhs_number"] = checker.identifier("nhs_number", normalise_nhs_number)
    payload["upn"] = checker.identifier("upn", normalise_upn)
    payload["involvements"] = nested_objects(checker, "involvements", _involvement)
    payload["shield"] = _shield(checker)
    return finish(
        checker, source=Source.LA, payload=payload, known=LA_FIELDS, warn_unknown=warn_unknown
    )


def read_la(data: FeedData, *, file: str, now: datetime) -> Iterator[ParsedLine]:
    """Every record of a local-authority JSON Lines file, valid or not, in file order."""
    return read_json_lines(data, file=file, now=now, parse=parse_la)
