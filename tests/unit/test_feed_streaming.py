"""Readers work from a stream in constant memory and split lines exactly as before."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

from hypothesis import given
from hypothesis import strategies as st

from app_fixtures import FIXED_NOW, make_health_record
from childindex.domain.source_record import Source
from childindex.feeds.common import MAX_LINE_BYTES, physical_lines
from childindex.feeds.formats import FORMATS

BOM = b"\xef\xbb\xbf"


def split_reference(data: bytes) -> Iterator[tuple[bytes, int, bool]]:
    """What the readers did with the whole file in memory: ``data.split(b"\\n")``."""
    data = data.removeprefix(BOM)
    pieces = data.split(b"\n")
    if pieces and pieces[-1] == b"":
        pieces.pop()
    for piece in pieces:
        line = piece.removesuffix(b"\r")
        yield line[:MAX_LINE_BYTES], len(line), not line.strip()


@given(st.lists(st.sampled_from([b"a", b" ", b"\r", b"\n", b"\r\n", BOM, b"\xff", b"{}"])))
def test_a_stream_splits_into_the_lines_the_whole_file_did(parts: list[bytes]) -> None:
    data = b"".join(parts)
    assert list(physical_lines(io.BytesIO(data))) == list(split_reference(data))


def test_lines_over_the_limit_are_measured_not_kept() -> None:
    long = b"x" * (MAX_LINE_BYTES + 10)
    cases = [
        BOM + long + b"\r\nnext\n",
        long + b"\r",
        b"a\n" + b"x" * (MAX_LINE_BYTES + 1) + b"\r\n",  # exactly at the limit once CR goes
        b" " * (MAX_LINE_BYTES + 5) + b"\nz",  # long but blank
        long[: MAX_LINE_BYTES + 7] + b"\n" + long,  # EOF without a newline
    ]
    for data in cases:
        assert list(physical_lines(io.BytesIO(data))) == list(split_reference(data))


class CountingStream(io.BytesIO):
    """A stream that remembers how far it has been read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.furthest = 0

    def readline(self, size: int | None = -1) -> bytes:
        line = super().readline(size)
        self.furthest = max(self.furthest, self.tell())
        return line

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.furthest = max(self.furthest, self.tell())
        return chunk


def test_the_first_records_come_before_the_file_is_read() -> None:
    health = b"".join(
        (json.dumps(make_health_record(record_id=f"H{n}")) + "\n").encode() for n in range(20_000)
    )
    school = (
        b"record_id,given_name,family_name,sex,birth_date,upn\n"
        + b"S1,Sofia,Watson,F,2015-01-08,J103200019000\n" * 100_000
    )
    for source, data in ((Source.HEALTH, health), (Source.SCHOOL, school)):
        stream = CountingStream(data)
        lines = FORMATS[source].read_file(stream, file="f", now=FIXED_NOW)
        first = [next(lines) for _ in range(10)]
        assert all(line.record is not None for line in first)
        assert stream.furthest < 2 * MAX_LINE_BYTES < len(data)
        # And the rest reads to the end, exactly as from bytes.
        rest = sum(1 for _ in lines)
        assert rest + 10 == sum(1 for _ in FORMATS[source].read_file(data, file="f", now=FIXED_NOW))
