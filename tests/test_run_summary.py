"""A run's summary and record: every record accounted for, the input's fingerprint, run.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner import config as config_module
from cleaner.run_summary import RunSummary, check_accounting, input_fingerprint, write_run_json


def summary(read: int, kept: int, rejected: int) -> RunSummary:
    result = RunSummary(raw_dir="raw", output="out", files=1, read=read, kept=kept)
    result.rejected["length.too_short"] = rejected
    result.rows["documents"], result.rows["rejects"] = kept, rejected
    return result


def test_every_record_read_must_be_kept_or_rejected():
    check_accounting(summary(5, 3, 2))
    with pytest.raises(RuntimeError, match="read 5 != kept 3 \\+ rejected 1"):
        check_accounting(summary(5, 3, 1))
    wrong_rows = summary(5, 3, 2)
    wrong_rows.rows["documents"] = 2
    with pytest.raises(RuntimeError, match="tables hold"):
        check_accounting(wrong_rows)


def test_the_fingerprint_is_of_the_files_not_of_their_order():
    a, b = ("a.txt", 3, "aa"), ("b.txt", 4, "bb")
    assert input_fingerprint([a, b]) == input_fingerprint([b, a])
    assert input_fingerprint([a, b]) != input_fingerprint([a, ("b.txt", 4, "bc")])


def test_run_json_records_the_counts_and_the_config(tmp_path: Path):
    config = config_module.parse({"pipeline": ["whitespace", "length"]})
    done = summary(5, 3, 2)
    write_run_json(tmp_path / "run.json", done, config, tasks=2)
    record = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert record["counts"]["read"] == 5 and record["counts"]["rejected_by_reason"] == {"length.too_short": 2}
    assert record["config_fingerprint"] == config.fingerprint()
    assert record["execution"]["tasks"] == 2
