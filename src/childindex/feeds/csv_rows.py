"""CSV feeds (school, benefit): header-named columns, one record per row.

Rows may span lines (quoted newlines); each record is numbered by the line it starts on and
kept raw as the lines it spans. Nothing in a file stops the reader: a wrong header rejects
every row (naming the missing column), a broken row rejects that row only, and a quote left
open is cut off at 128 KiB (csv's field limit) or :data:`MAX_LINE_BYTES`, rejected, and
reading starts again on the next line.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from childindex.domain.source_record import ParsedLine, RecordError
from childindex.feeds.common import MAX_LINE_BYTES, FeedData, physical_lines

ParseRow = Callable[..., ParsedLine]


class _RecordTooLong(Exception):
    """Raised inside the line feed when one record grows past the limit."""


class _Lines:
    """Physical lines for ``csv.reader``, remembering those the current record spans."""

    def __init__(self, data: FeedData) -> None:
        self._lines = physical_lines(data)
        self.next_index = 0  # index of the next line to hand out (line number - 1)
        self.span: list[str] = []
        self._size = 0

    def start_record(self) -> int:
        """Forget the previous record; the line number the next one starts on."""
        self.span = []
        self._size = 0
        return self.next_index + 1

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        chunk, length, _ = next(self._lines)
        self.next_index += 1
        self._size += length
        if self._size > MAX_LINE_BYTES:
            self.span.append(chunk[:MAX_LINE_BYTES].decode("utf-8", errors="replace"))
            raise _RecordTooLong
        # Bad bytes become lone surrogates, found per field once the row is split.
        text = chunk.decode("utf-8", errors="surrogateescape")
        self.span.append(text.encode("utf-8", errors="replace").decode("utf-8"))
        return text + "\n"

    @property
    def raw(self) -> str:
        """The current record as received (bad bytes shown as U+FFFD)."""
        return "\n".join(self.span)


def _rows(lines: _Lines) -> Iterator[tuple[int, str, list[str] | None, str | None]]:
    """``(line, raw text, fields or None, problem)`` per non-blank row."""
    reader = csv.reader(lines)
    while True:
        start = lines.start_record()
        try:
            row = next(reader)
        except StopIteration:
            return
        except _RecordTooLong:
            yield start, lines.raw, None, "record is over the 1 MiB limit (a quote left open?)"
            reader = csv.reader(lines)
            continue
        except csv.Error as exc:
            why = str(exc)
            if "field limit" in why:  # csv's own cap (128 KiB) on one field
                why = "a field is over 128 KiB (a quote left open?)"
            yield start, lines.raw, None, f"not valid CSV: {why}"
            reader = csv.reader(lines)
            continue
        if not any(field.strip() for field in row):
            continue
        yield start, lines.raw, row, None


def _shown(name: str) -> str:
    """A column name safe to report (bad bytes as U+FFFD)."""
    return name.strip().encode("utf-8", errors="replace").decode("utf-8")


def _undecodable(fields: dict[str, str]) -> str | None:
    for name, value in fields.items():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return name
    return None


def read_csv(
    data: FeedData,
    *,
    file: str,
    now: datetime,
    parse: ParseRow,
    known: frozenset[str],
    required: Sequence[str],
) -> Iterator[ParsedLine]:
    """Every record of a CSV file with a header, valid or not, in file order."""
    rows = _rows(_Lines(data))
    header: list[str] | None = None
    header_line = 0
    missing: list[str] = []
    notes: list[RecordError] = []
    for line, raw, row, problem in rows:
        if problem is not None:
            yield ParsedLine(line, raw, errors=[RecordError(file, line, None, problem)])
            continue
        assert row is not None  # noqa: S101 - a row comes with no problem
        if header is None:
            header, header_line = [_shown(name) for name in row], line
            missing = [name for name in required if name not in header]
            duplicated = sorted({name for name in header if header.count(name) > 1})
            if missing or duplicated:
                why = f"lacks {', '.join(missing)}" if missing else f"repeats {duplicated[0]}"
                message = f"the first line must be a header naming the columns; it {why}"
                yield ParsedLine(line, raw, errors=[RecordError(file, line, None, message)])
                missing = missing or duplicated
            notes = [
                RecordError(file, line, name, "unknown column: kept raw, not used")
                for name in header
                if name not in known
            ]
            continue
        if missing:
            message = f"column {missing[0]} is missing from the header on line {header_line}"
            yield ParsedLine(line, raw, errors=[RecordError(file, line, missing[0], message)])
            continue
        if len(row) != len(header):
            message = f"row has {len(row)} fields; the header has {len(header)}"
            yield ParsedLine(line, raw, errors=[RecordError(file, line, None, message)])
            continue
        fields: dict[str, Any] = dict(zip(header, row, strict=True))
        bad = _undecodable(fields)
        if bad is not None:
            message = f"{bad} is not valid UTF-8"
            yield ParsedLine(line, raw, errors=[RecordError(file, line, bad, message)])
            continue
        parsed = parse(fields, file=file, line=line, now=now, warn_unknown=False)
        parsed.text = raw
        parsed.warnings[:0], notes = notes, []
        yield parsed
