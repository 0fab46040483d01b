"""Validation shared by every source: the common fields of ``contract.md``.

Each record is judged on its own; every problem becomes a :class:`RecordError` naming the
file, line and field, and a record with any error is rejected whole (kept raw, never stored
as a version).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import IO, Any

from childindex.domain.errors import InvalidIdentifier
from childindex.domain.identifiers import normalise_postcode
from childindex.domain.source_record import ParsedLine, RecordError, Source, SourceRecord

__all__ = [
    "COMMON",
    "Checker",
    "FeedData",
    "ParsedLine",
    "check_common",
    "finish",
    "numbered_lines",
    "physical_lines",
]

MAX_AGE_YEARS = 25
MAX_LINE_BYTES = 1024 * 1024
# A feed: the whole file's bytes, or a binary stream read line by line in constant memory.
FeedData = bytes | IO[bytes]
_BOM = b"\xef\xbb\xbf"
_READ = MAX_LINE_BYTES + 8  # a first read of a line: enough to know it is over the limit
_CHUNK = 1 << 16
SEXES = frozenset({"F", "M", "U"})
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


class Checker:
    """Collects the errors of one record while its fields are read."""

    def __init__(self, raw: dict[str, Any], *, file: str, line: int) -> None:
        self.raw = raw
        self.file = file
        self.line = line
        self.errors: list[RecordError] = []
        self.warnings: list[RecordError] = []

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
        if not value.isprintable() and any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            self.error(name, f"{name} holds an unpaired surrogate, not text")
            return None
        return value.strip()

    def identifier(
        self, name: str, normalise: Callable[[str], str], *, required: bool = False
    ) -> str | None:
        """An identifier in its normal form (NHS number, UPN), or an error naming the field."""
        value = self.text(name, required=required, max_length=20)
        if value is None:
            return None
        try:
            return normalise(value)
        except InvalidIdentifier as exc:
            self.error(name, exc.message)
            return None

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

    def day(self, name: str, *, required: bool = False, today: date = date.max) -> date | None:
        """An ISO date, not after ``today`` (no limit unless given)."""
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


def nested_objects(
    checker: Checker, name: str, read_one: Callable[[Checker], dict[str, Any]]
) -> list[dict[str, Any]] | None:
    """A list of objects (carers, involvements), each read by ``read_one``; errors name
    the item, as in ``carers[1].phone``."""
    value = checker.raw.get(name)
    if value is None:
        return None
    if not isinstance(value, list):
        checker.error(name, f"{name} must be a list")
        return None
    items: list[dict[str, Any]] = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            checker.error(f"{name}[{index}]", f"each of {name} must be an object")
            continue
        inner = Checker(item, file=checker.file, line=checker.line)
        read = read_one(inner)
        checker.errors.extend(
            RecordError(e.file, e.line, f"{name}[{index}].{e.field}", e.message)
            for e in inner.errors
        )
        items.append({k: v for k, v in read.items() if v is not None})
    return items


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
    checker: Checker,
    *,
    source: Source,
    payload: dict[str, Any],
    known: frozenset[str],
    warn_unknown: bool = True,
) -> ParsedLine:
    """The line's outcome: a record, or its errors.

    Unknown fields are not a reason to reject (a source adding a column must not stop its
    feed): they stay in the raw text, are not used, and each is reported as a warning.
    """
    extra = sorted(
        str(k).encode("utf-8", errors="replace").decode("utf-8") for k in set(checker.raw) - known
    )
    if warn_unknown:
        checker.warnings.extend(
            RecordError(checker.file, checker.line, name, "unknown field: kept raw, not used")
            for name in extra
        )
    parsed = ParsedLine(
        line=checker.line, text="", errors=checker.errors, warnings=checker.warnings
    )
    if checker.errors:
        return parsed
    stamp = payload.get("updated_at")
    parsed.record = SourceRecord(
        source=source,
        record_id=str(payload["record_id"]),
        payload={k: v for k, v in payload.items() if v is not None},
        updated_at=datetime.fromisoformat(stamp) if stamp else None,
    )
    return parsed


def physical_lines(data: FeedData) -> Iterator[tuple[bytes, int, bool]]:
    """``(bytes, length, blank)`` per line of ``data`` (bytes or a binary stream, read in
    constant memory): the line without its LF and a CR before it, whole if it is within
    :data:`MAX_LINE_BYTES` (else only its first :data:`MAX_LINE_BYTES`), its full length,
    and whether it is all white space. A UTF-8 byte-order mark before the first line is
    dropped. Lines are those of ``data.split(b"\n")`` less a last empty one."""
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    first = True
    while True:
        read = stream.readline(_READ)
        if not read:
            return
        if first:
            first = False
            read = read.removeprefix(_BOM)
            if not read:  # the file was a byte-order mark and nothing else
                return
        if read.endswith(b"\n") or len(read) < _READ - len(_BOM):
            line = read.removesuffix(b"\n").removesuffix(b"\r")
            yield line[:MAX_LINE_BYTES], len(line), not line.strip()
            continue
        # Over the limit: count the rest of the line without keeping it.
        total, blank, tail = len(read), not read.strip(), read[-2:]
        while not tail.endswith(b"\n"):
            more = stream.readline(_CHUNK)
            if not more:
                break
            total += len(more)
            blank = blank and not more.strip()
            tail = (tail + more)[-2:]
        if tail.endswith(b"\n"):
            total -= 1
            tail = tail[:-1]
        if tail.endswith(b"\r"):
            total -= 1
        yield read[:MAX_LINE_BYTES], total, blank


def numbered_lines(data: FeedData) -> Iterator[tuple[int, str, str | None]]:
    """``(line number, text for keeping raw, problem)`` per non-blank line.

    ``problem`` is None when the line is good UTF-8 within :data:`MAX_LINE_BYTES`; else it
    says why the line cannot be read (its raw text then keeps what can be shown). Handles a
    UTF-8 byte-order mark and CRLF line ends; reads a stream in constant memory.
    """
    for number, (chunk, length, blank) in enumerate(physical_lines(data), start=1):
        if blank:
            continue
        if length > MAX_LINE_BYTES:
            kept = chunk[:MAX_LINE_BYTES].decode("utf-8", errors="replace")
            yield (
                number,
                kept,
                f"line is {length:,} bytes, over the 1 MiB limit (first 1 MiB kept)",
            )
            continue
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield (
                number,
                chunk.decode("utf-8", errors="replace"),
                (f"line is not valid UTF-8 (byte {exc.start + 1})"),
            )
        else:
            yield number, text, None
