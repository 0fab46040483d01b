"""The Splink input table made a column at a time from records' features is the table of
their feature rows (one dict per record), column for column and row for row."""

from __future__ import annotations

import pyarrow as pa  # type: ignore[import-untyped]
from hypothesis import given
from hypothesis import strategies as st

from childindex.linkage.training import COLUMNS, feature_table
from childindex.matching.features import Features

maybe = st.one_of(st.none(), st.text(max_size=6))
features = st.builds(Features, **dict.fromkeys(Features.__slots__, maybe))


@given(st.dictionaries(st.text(min_size=1, max_size=8), features, max_size=30))
def test_the_feature_table_is_the_table_of_the_feature_rows(
    by_id: dict[str, Features],
) -> None:
    rows = [{"unique_id": uid, **one.as_row()} for uid, one in by_id.items()]
    expected = pa.Table.from_pylist(rows, schema=pa.schema([(c, pa.string()) for c in COLUMNS]))
    assert feature_table(by_id).equals(expected)
