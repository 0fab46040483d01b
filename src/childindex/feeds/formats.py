"""Which reader reads which source: files for the CLI, JSON records for the API."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from childindex.domain.errors import InvalidInput
from childindex.domain.halt import FeedKind, QueuedFeed
from childindex.domain.source_record import ParsedLine, Source
from childindex.feeds.benefit import parse_benefit, read_benefit
from childindex.feeds.health import parse_health, read_health
from childindex.feeds.jsonlines import ParseObject, parse_object, read_json_lines
from childindex.feeds.la import parse_la, read_la
from childindex.feeds.school import parse_school, read_school

__all__ = ["FORMATS", "FeedFormat", "read_json_body", "read_queued"]


@dataclass(frozen=True, slots=True)
class FeedFormat:
    """A source's file reader and its one-record validator."""

    read_file: Callable[..., Iterator[ParsedLine]]
    parse: ParseObject


FORMATS: dict[Source, FeedFormat] = {
    Source.HEALTH: FeedFormat(read_health, parse_health),
    Source.SCHOOL: FeedFormat(read_school, parse_school),
    Source.BENEFIT: FeedFormat(read_benefit, parse_benefit),
    Source.LA: FeedFormat(read_la, parse_la),
}


def read_json_body(
    body: bytes, *, source: Source, file: str, now: datetime
) -> Iterator[ParsedLine]:
    """Records sent to the API: a JSON array (numbered from 1) or NDJSON (numbered by line).

    A body that is not one of those at all raises :class:`InvalidInput` naming ``body``;
    inside a readable body each record is judged on its own.
    """
    parse = FORMATS[source].parse
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        raise InvalidInput(
            "the body is empty: send NDJSON or a JSON array of records", field="body"
        )
    if not stripped.startswith(b"["):
        return read_json_lines(body, file=file, now=now, parse=parse)
    try:
        items = json.loads(stripped.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InvalidInput(f"the body is not a valid JSON array: {exc}", field="body") from None
    if not isinstance(items, list):
        raise InvalidInput("the body must be a JSON array of records", field="body")
    return (
        parse_object(
            item,
            text=json.dumps(item),
            file=file,
            line=number,
            now=now,
            parse=parse,
        )
        for number, item in enumerate(items, start=1)
    )


def read_queued(item: QueuedFeed) -> Iterator[ParsedLine]:
    """Read a feed queued during a halt as it would have been read when it arrived: a file
    by its source's reader, an API body as NDJSON or a JSON array."""
    if item.kind is FeedKind.API:
        return read_json_body(
            item.data, source=item.source, file=item.filename, now=item.submitted_at
        )
    return FORMATS[item.source].read_file(item.data, file=item.filename, now=item.submitted_at)
