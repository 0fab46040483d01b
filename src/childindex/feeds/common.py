"""Validation shared by every source: the common fields of ``contract.md``.

Each record is judged on its own; every problem becomes a :class:`RecordError` naming the
file, line and field, and a record with any error is rejected whole (kept raw, never stored
as a version).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from childindex.domain.errors import InvalidIdentifier
from childindex.domain.identifiers import normalise_postcode
from childindex.domain.source_record import ParsedLine, RecordError, Source, SourceRecord

__all__ = ["Checker", "ParsedLine", "check_common", "finish", "numbered_lines"]

MAX_AGE_YEARS = 25
SEXES = frozenset({"F", "M", "U"})


class Checker:
    """Collects the errors of one record while its fields are read."""

    def __init__(self, raw: dict[str, Any], *, file: str, line: int) -> None:
        self.raw = raw
        self.file = file
        self.line = line
        self.errors: list[RecordError] = []

    def error(self, field_name: str | None, message: str) -> None:
        """Note one problem."""
        self.errors.append(RecordError(self.file, self.line, field_name, message))

    def text(self, name: str, *, required: bool = False, max_length: int = 200) -> str | None:
        """A string field, stripped; blank counts as missing."""
        value = self.raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(name, f"{name} is required")
            return None
        if not isinstance(value, str):
            self.error(name, f"{name} must be text, not {type(value).__name__}")
            return None
        if len(value) > max_length:
            self.error(name, f"{name} is longer than {max_length} characters")
            return None
        return value.strip()

    def flag(self, name: str) -> bool | None:
        """A boolean field (JSON true/false, or CSV true/false/yes/no/1/0)."""
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in {"true", "yes", "1", "y"}:
            return True
        if isinstance(value, str) and value.strip().lower() in {"false", "no", "0", "n"}:
            return False
        self.error(name, f"{name} must be true or false")
        return None

    def day(self, name: str, *, required: bool = False, today: date) -> date | None:
        """An ISO date that is not in the future."""
        value = self.text(name, required=required, max_length=10)
        if value is None:
            return None
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            self.error(name, f"{name} must be a real date as YYYY-MM-DD")
            return None
        if len(value) != 10:  # fromisoformat also takes 20240101
            self.error(name, f"{name} must be a real date as YYYY-MM-DD")
            return None
        if parsed > today:
            self.error(name, f"{name} is in the future")
            return None
        return parsed

    def timestamp(self, name: str, *, now: datetime) -> datetime | None:
        """An ISO timestamp (UTC assumed when no offset is given), not in the future."""
        value = self.text(name, max_length=40)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.error(name, f"{name} must be an ISO timestamp")
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        if parsed > now:
            self.error(name, f"{name} is in the future")
            return None
        return parsed.astimezone(UTC)


def check_common(checker: Checker, *, now: datetime) -> dict[str, Any]:
    """Validate the common fields; return them normalised in contract names."""
    today = now.date()
    payload: dict[str, Any] = {
        "record_id": checker.text("record_id", required=True, max_length=64),
        "given_name": checker.text("given_name", required=True),
        "other_given_names": checker.text("other_given_names"),
        "family_name": checker.text("family_name", required=True),
    }
    sex = checker.text("sex", required=True, max_length=10)
    if sex is not None and sex.upper() not in SEXES:
        checker.error("sex", "sex must be F, M or U")
    payload["sex"] = sex.upper() if sex else None
    born = checker.day("birth_date", required=True, today=today)
    if born is not None and (today.year - born.year) > MAX_AGE_YEARS:
        checker.error("birth_date", f"birth_date makes the child older than {MAX_AGE_YEARS}")
    payload["birth_date"] = born.isoformat() if born else None
    payload["address_line1"] = checker.text("address_line1")
    payload["address_line2"] = checker.text("address_line2")
    payload["town"] = checker.text("town")
    postcode = checker.text("postcode", max_length=10)
    if postcode is not None:
        try:
            postcode = normalise_postcode(postcode)
        except InvalidIdentifier as exc:
            checker.error("postcode", exc.message)
            postcode = None
    payload["postcode"] = postcode
    stamp = checker.timestamp("updated_at", now=now)
    payload["updated_at"] = stamp.isoformat() if stamp else None
    return payload


def finish(
    checker: Checker, *, source: Source, payload: dict[str, Any], known: frozenset[str]
) -> SourceRecord | None:
    """The record, or None if any error was found; unknown fields are kept in the payload."""
    extra = sorted(set(checker.raw) - known)
    if extra:
        payload["extra_fields"] = {k: checker.raw[k] for k in extra}
    if checker.errors:
        return None
    stamp = payload.get("updated_at")
    return SourceRecord(
        source=source,
        record_id=str(payload["record_id"]),
        payload={k: v for k, v in payload.items() if v is not None},
        updated_at=datetime.fromisoformat(stamp) if stamp else None,
    )


def numbered_lines(data: bytes) -> Iterator[tuple[int, str | None, str]]:
    """``(line number, decoded text or None if not UTF-8, text for keeping raw)`` per line.

    Handles a UTF-8 byte-order mark and CRLF line ends; skips blank lines.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw in enumerate(data.split(b"\n"), start=1):
        chunk = raw.removesuffix(b"\r")
        if not chunk.strip():
            continue
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError:
            yield number, None, chunk.decode("utf-8", errors="replace")
        else:
            yield number, text, text
