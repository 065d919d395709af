from __future__ import annotations

import io
import json

import pytest

import cleaner.readers.jsonarray as jsonarray
from cleaner.document import Reject
from cleaner.readers.jsonarray import array_items


def items(data: bytes, limit: int = 1_000) -> list:
    return [
        value.reason if isinstance(value, Reject) else value
        for _, value in array_items(io.BytesIO(data), "a.json", limit)
    ]


@pytest.fixture
def tiny_chunks(monkeypatch):
    """Chunks of 7 bytes: every item, string and escape crosses a chunk boundary somewhere."""
    monkeypatch.setattr(jsonarray, "CHUNK", 7)


def test_items_one_by_one_across_chunks(tiny_chunks):
    records = [{"text": 'é"]}\\' * n, "n": n, "list": [1, {"a": None}]} for n in range(30)]
    data = json.dumps(records, ensure_ascii=False).encode()
    assert items(data, 10**6) == records
    assert items(b"\xef\xbb\xbf" + json.dumps(records[:3], indent=2).encode(), 10**6) == records[:3]
    assert items(b"[]") == [] and items(b"  [ ]  ") == []


def test_items_over_the_limit_are_skipped_by_their_brackets(tiny_chunks):
    records = [{"text": "\\" * n + '"]}[{', "n": n} for n in range(40)]  # escapes and brackets inside strings
    data = json.dumps(records).encode()
    out = items(data, 40)
    assert [o for o in out if o != "read.too_large"] == [r for r in records if len(json.dumps(r).encode()) <= 40]
    assert len(out) == 40
    assert items(json.dumps(["x" * 100, {"text": "y"}]).encode(), 50) == ["read.too_large", {"text": "y"}]


def test_a_list_cut_short_or_broken_ends_with_a_reject():
    assert items(b'[{"text": "a"}, {"text": "b') == [{"text": "a"}, "read.truncated"]
    assert items(b'[{"text": "a"}, {"text": "b"}') == [{"text": "a"}, {"text": "b"}, "read.truncated"]
    assert items(b'[{"text": "a"}, {"text": "' + b"x" * 5_000) == [{"text": "a"}, "read.truncated"]
    assert items(b'[{"text": "a"}, {"text" "b"}, {"text": "c"}]') == [{"text": "a"}, "read.bad_json"]
    assert items(b'{"text": "a"}') == ["read.bad_json"]
    assert items(b'[{"text": "\xff"}]') == ["read.undecodable"]


def test_rejects_name_the_item():
    [(index, reject)] = list(array_items(io.BytesIO(json.dumps(["x" * 100]).encode()), "big.json", 10))
    assert index == 0 and reject.source == "big.json#0" and "big.json#0" in reject.detail
