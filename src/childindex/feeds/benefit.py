"""Reader for the child benefit feed (CSV with a header): the child and the claimant."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from childindex.domain.source_record import ParsedLine, Source
from childindex.feeds.common import COMMON, Checker, FeedData, check_common, finish
from childindex.feeds.csv_rows import read_csv

BENEFIT_FIELDS = COMMON | {"claimant_given_name", "claimant_family_name", "claimant_phone"}
BENEFIT_REQUIRED = ("record_id", "given_name", "family_name")


def parse_benefit(
    obj: dict[str, Any], *, file: str, line: int, now: datetime, warn_unknown: bool = True
) -> ParsedLine:
    """Validate one benefit record (a CSV row or a JSON object)."""
    checker = Checker(obj, file=file, line=line)
    payload = check_common(checker, now=now)
    payload["claimant_given_name"] = checker.text("claimant_given_name")
    payload["claimant_family_name"] = checker.text("claimant_family_name")
    payload["claimant_phone"] = checker.text("claimant_phone", max_length=40)
    return finish(
        checker,
        source=Source.BENEFIT,
        payload=payload,
        known=BENEFIT_FIELDS,
        warn_unknown=warn_unknown,
    )


def read_benefit(data: FeedData, *, file: str, now: datetime) -> Iterator[ParsedLine]:
    """Every record of a benefit CSV file, valid or not, in file order."""
    return read_csv(
        data,
        file=file,
        now=now,
        parse=parse_benefit,
        known=BENEFIT_FIELDS,
        required=BENEFIT_REQUIRED,
    )
