"""JSON Lines feeds (health, la), and JSON records sent to the API for any source."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from childindex.domain.source_record import ParsedLine, RecordError
from childindex.feeds.common import FeedData, numbered_lines

# Validates one record already parsed from JSON: (object, file, line, now) -> outcome.
ParseObject = Callable[..., ParsedLine]


def parse_json_line(
    text: str, *, file: str, line: int, now: datetime, parse: ParseObject
) -> ParsedLine:
    """One JSON line: a record, or errors saying why it is not one."""
    try:
        obj: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"not valid JSON: {exc.msg} (column {exc.colno})"
        return ParsedLine(line, text, errors=[RecordError(file, line, None, message)])
    except RecursionError:
        message = "not valid JSON: nested too deeply"
        return ParsedLine(line, text, errors=[RecordError(file, line, None, message)])
    return parse_object(obj, text=text, file=file, line=line, now=now, parse=parse)


def parse_object(
    obj: Any, *, text: str, file: str, line: int, now: datetime, parse: ParseObject
) -> ParsedLine:
    """One decoded JSON value: it must be an object, then the source's rules apply."""
    if not isinstance(obj, dict):
        message = f"each record must be a JSON object, not {_json_type(obj)}"
        return ParsedLine(line, text, errors=[RecordError(file, line, None, message)])
    parsed = parse(obj, file=file, line=line, now=now)
    parsed.text = text
    return parsed


def read_json_lines(
    data: FeedData, *, file: str, now: datetime, parse: ParseObject
) -> Iterator[ParsedLine]:
    """Every record of a JSON Lines file, valid or not, in file order."""
    for number, raw, problem in numbered_lines(data):
        if problem is not None:
            yield ParsedLine(number, raw, errors=[RecordError(file, number, None, problem)])
            continue
        yield parse_json_line(raw, file=file, line=number, now=now, parse=parse)


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"
