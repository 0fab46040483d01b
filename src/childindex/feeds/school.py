"""Reader for the school census feed (CSV with a header)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from childindex.domain.identifiers import normalise_upn
from childindex.domain.source_record import ParsedLine, Source
from childindex.feeds.common import COMMON, Checker, FeedData, check_common, finish
from childindex.feeds.csv_rows import read_csv

SCHOOL_FIELDS = COMMON | {
    "upn",
    "school_urn",
    "school_name",
    "school_phone",
    "start_date",
    "leave_date",
}
SCHOOL_REQUIRED = ("record_id", "upn")


def parse_school(
    obj: dict[str, Any], *, file: str, line: int, now: datetime, warn_unknown: bool = True
) -> ParsedLine:
    """Validate one school record (a CSV row or a JSON object)."""
    checker = Checker(obj, file=file, line=line)
    payload = check_common(checker, now=now)
    payload["upn"] = checker.identifier("upn", normalise_upn, required=True)
    urn = checker.text("school_urn", max_length=10)
    if urn is not None and not (urn.isascii() and urn.isdigit() and len(urn) == 6):
        checker.error("school_urn", "school_urn must be 6 digits")
        urn = None
    payload["school_urn"] = urn
    payload["school_name"] = checker.text("school_name")
    payload["school_phone"] = checker.text("school_phone", max_length=40)
    # Admission dates may lie ahead (a place for next September), so no future check.
    started = checker.day("start_date")
    left = checker.day("leave_date")
    if started and left and left < started:
        checker.error("leave_date", "leave_date is before start_date")
    payload["start_date"] = started.isoformat() if started else None
    payload["leave_date"] = left.isoformat() if left else None
    return finish(
        checker,
        source=Source.SCHOOL,
        payload=payload,
        known=SCHOOL_FIELDS,
        warn_unknown=warn_unknown,
    )


def read_school(data: FeedData, *, file: str, now: datetime) -> Iterator[ParsedLine]:
    """Every record of a school CSV file, valid or not, in file order."""
    return read_csv(
        data, file=file, now=now, parse=parse_school, known=SCHOOL_FIELDS, required=SCHOOL_REQUIRED
    )
