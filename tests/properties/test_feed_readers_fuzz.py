"""Any bytes at all give records or per-record errors: never a crash, never a 500."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app_fixtures
from app_fixtures import FIXED_NOW, make_health_record
from childindex.domain.errors import InvalidInput
from childindex.domain.permissions import Role
from childindex.domain.source_record import RecordError, Source
from childindex.feeds.formats import FORMATS, read_json_body

GOOD_LINE = json.dumps(make_health_record()).encode()
SCHOOL_HEADER = (
    b"record_id,given_name,family_name,sex,birth_date,postcode,upn,school_urn,start_date\n"
)
# Bytes that look a little like feeds: fragments of good records, quotes, separators, junk.
PIECES = st.sampled_from(
    [
        GOOD_LINE,
        SCHOOL_HEADER,
        b'"',
        b",",
        b"\n",
        b"\r\n",
        b"\xef\xbb\xbf",
        b"\xff",
        b"{",
        b"}",
        b"[",
        b"]",
        b":",
        b'"record_id"',
        b"\\ud800",
        b"null",
        b"9990000018",
        b"2015-01-01",
        b"\x00",
    ]
)
FEEDISH = st.one_of(st.binary(max_size=400), st.lists(PIECES, max_size=30).map(b"".join))


@pytest.fixture
def feed_user(make_user: Callable[..., app_fixtures.TestUser]) -> app_fixtures.TestUser:
    return make_user(Role.FEED)


@settings(max_examples=150, deadline=None)
@given(source=st.sampled_from(list(Source)), data=FEEDISH)
def test_any_bytes_give_records_or_record_errors(source: Source, data: bytes) -> None:
    lines = list(FORMATS[source].read_file(data, file="fuzz", now=FIXED_NOW))
    for parsed in lines:
        assert (parsed.record is None) == bool(parsed.errors)
        assert all(isinstance(e, RecordError) and e.line >= 1 for e in parsed.errors)
        parsed.text.encode("utf-8")  # storable as received
        for problem in (*parsed.errors, *parsed.warnings):
            json.dumps(problem.field, ensure_ascii=False).encode("utf-8")
    assert [p.line for p in lines] == sorted({p.line for p in lines})


@settings(max_examples=100, deadline=None)
@given(source=st.sampled_from(list(Source)), data=FEEDISH)
def test_any_api_body_gives_records_errors_or_invalid_input(source: Source, data: bytes) -> None:
    try:
        lines = list(read_json_body(data, source=source, file="api", now=FIXED_NOW))
    except InvalidInput as exc:
        field = exc.field
        lines = []
    else:
        field = "body"
    assert field == "body"
    for parsed in lines:
        assert (parsed.record is None) == bool(parsed.errors)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(source=st.sampled_from(list(Source)), data=FEEDISH)
def test_any_api_body_is_never_a_500(
    client: TestClient, feed_user: app_fixtures.TestUser, source: Source, data: bytes
) -> None:
    # One feed account for every example (a function-scoped fixture is shared across them).
    user = feed_user
    response = client.post(f"/api/v1/feeds/{source.value}", content=data, headers=user.headers)
    assert response.status_code < 500, response.text
