"""Reader for the health demographics feed (JSON Lines)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from childindex.domain.identifiers import normalise_nhs_number
from childindex.domain.source_record import Source
from childindex.feeds.common import (
    COMMON,
    Checker,
    FeedData,
    ParsedLine,
    check_common,
    finish,
    nested_objects,
)
from childindex.feeds.jsonlines import read_json_lines

HEALTH_FIELDS = COMMON | {
    "nhs_number",
    "gp_practice_code",
    "gp_practice_name",
    "carers",
    "sensitive",
    "deceased_date",
}
CARER_FIELDS = ("given_name", "family_name", "relationship", "phone", "email")


def _carer(inner: Checker) -> dict[str, Any]:
    carer: dict[str, Any] = {name: inner.text(name) for name in CARER_FIELDS}
    carer["parental_responsibility"] = inner.flag("parental_responsibility")
    return carer


def parse_health(
    obj: dict[str, Any], *, file: str, line: int, now: datetime, warn_unknown: bool = True
) -> ParsedLine:
    """Validate one health record (already parsed from JSON)."""
    checker = Checker(obj, file=file, line=line)
    payload = check_common(checker, now=now)
    payload["nhs_number"] = checker.identifier("nhs_number", normalise_nhs_number, required=True)
    payload["gp_practice_code"] = checker.text("gp_practice_code", max_length=20)
    payload["gp_practice_name"] = checker.text("gp_practice_name")
    payload["carers"] = nested_objects(checker, "carers", _carer)
    payload["sensitive"] = checker.flag("sensitive")
    died = checker.day("deceased_date", today=now.date())
    payload["deceased_date"] = died.isoformat() if died else None
    return finish(
        checker,
        source=Source.HEALTH,
        payload=payload,
        known=HEALTH_FIELDS,
        warn_unknown=warn_unknown,
    )


def read_health(data: FeedData, *, file: str, now: datetime) -> Iterator[ParsedLine]:
    """Every record of a health JSON Lines file, valid or not, in file order."""
    return read_json_lines(data, file=file, now=now, parse=parse_health)
