"""The validation process's own work, without starting GX: which columns a suite's batches read."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from cleaner.validation_process import read_columns


def _part(tmp_path: Path) -> list[Path]:
    path = tmp_path / "part-00000.parquet"
    table = pa.table({"id": ["a"], "text": ["x"], "n_words": [1], "content_sha256": ["s"], "title": [None]})
    pq.write_table(table, path)
    return [path]


def test_only_the_columns_a_suite_names_are_read(tmp_path):
    parts = _part(tmp_path)
    spec = {"expectations": [
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "content_sha256"}},
        {"type": "expect_column_pair_values_to_be_equal", "kwargs": {"column_A": "n_words", "column_B": "nope"}},
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
    ]}  # fmt: skip
    assert read_columns(spec, parts) == ["content_sha256", "id", "n_words"]  # "nope" left for GX to report missing
    spec["expectations"].append({"type": "expect_table_column_count_to_equal", "kwargs": {"value": 3}})
    assert read_columns(spec, parts) is None  # a table-level expectation sees every column


def test_without_parts_every_named_column_is_asked_for(tmp_path):
    spec = {"expectations": [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "nope"}}]}
    assert read_columns(spec, []) == ["id", "nope"]
