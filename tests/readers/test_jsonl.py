"""JSON Lines cut short, and lines longer than a document may be."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import zstandard

from cleaner.document import Document, Reject
from cleaner.readers import InputFile, read_file
from cleaner.readers.limits import DEFAULT_LIMITS, Limits
from tests.conftest import ARTICLE, ARTICLE_DE


def read(path: Path, limits: Limits = DEFAULT_LIMITS) -> list[Document | Reject]:
    return list(read_file(InputFile(str(path), path.name, path.stat().st_size), limits=limits))


def outcome(records: list) -> list[str]:
    return [r.reason if isinstance(r, Reject) else "kept" for r in records]


LINES = [json.dumps({"text": ARTICLE}), json.dumps({"text": ARTICLE_DE}), json.dumps({"text": ARTICLE + " Again."})]


def test_a_file_cut_mid_line_ends_with_a_truncated_record(tmp_path: Path):
    whole = "\n".join(LINES) + "\n"
    cut = whole[: whole.rindex("\n", 0, -1) + 40]  # into the last line
    (tmp_path / "cut.jsonl").write_text(cut, encoding="utf-8")
    records = read(tmp_path / "cut.jsonl")
    assert outcome(records) == ["kept", "kept", "read.truncated"]
    last = records[-1]
    assert last.source == "cut.jsonl#2" and "cut short" in last.detail and "re-download" in last.detail
    assert last.text == cut.splitlines()[-1]  # what there was of it, kept in the rejects


def test_a_last_line_without_newline_that_is_whole_is_a_record(tmp_path: Path):
    (tmp_path / "a.jsonl").write_text("\n".join(LINES), encoding="utf-8")
    assert outcome(read(tmp_path / "a.jsonl")) == ["kept", "kept", "kept"]


def test_a_bad_line_in_the_middle_is_bad_json_not_truncation(tmp_path: Path):
    (tmp_path / "a.jsonl").write_text("\n".join([LINES[0], "{oops", LINES[1]]) + "\n", encoding="utf-8")
    assert outcome(read(tmp_path / "a.jsonl")) == ["kept", "read.bad_json", "kept"]


def test_cut_compressed_json_lines_are_reported(tmp_path: Path):
    data = ("\n".join(LINES * 200) + "\n").encode()
    packed = {".gz": gzip.compress(data), ".zst": zstandard.ZstdCompressor().compress(data)}
    for suffix, blob in packed.items():
        path = tmp_path / f"cut.jsonl{suffix}"
        path.write_bytes(blob[: len(blob) * 2 // 3])
        records = read(path)
        assert records[-1].reason == "read.truncated", suffix
        assert records[-1].detail.startswith(f"{path.name}")


def test_a_line_over_the_limit_is_skipped_to_its_end(tmp_path: Path):
    long_line = json.dumps({"text": "word " * 100_000})  # 500 KB
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(("\n".join([LINES[0], long_line, LINES[1]]) + "\n").encode()))
    records = read(tmp_path / "a.jsonl.gz", Limits(document_bytes=10_000))
    assert outcome(records) == ["kept", "read.too_large", "kept"]
    assert [r.source for r in records] == ["a.jsonl.gz#0", "a.jsonl.gz#1", "a.jsonl.gz#2"]
    assert records[1].text is None  # the rejects do not hold the oversized text
    # a line of exactly the limit (newline apart) is within it
    exact = tmp_path / "exact.jsonl"
    exact.write_text(LINES[0] + "\n", encoding="utf-8")
    assert outcome(read(exact, Limits(document_bytes=len(LINES[0].encode())))) == ["kept"]
    assert outcome(read(exact, Limits(document_bytes=len(LINES[0].encode()) - 1))) == ["read.too_large"]
