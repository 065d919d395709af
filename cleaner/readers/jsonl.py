"""JSON Lines and JSON files: one document per record with a ``text`` field.

``url``, ``title``, ``date`` and ``author`` become columns; every other field (the record's own ``id`` too) is
carried along as metadata. A ``.json`` file may hold one record, a list of records, or JSON Lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from cleaner.document import Document, Reject, stable_id
from cleaner.readers.decode import RawInput, decode_text, strip_compression

KNOWN_FIELDS = ("url", "title", "date", "author")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def record_to_document(record: Any, source: str) -> Document | Reject:
    """A parsed record as a document, or a reject saying what the record lacks."""
    record = valid_unicode(record)
    if not isinstance(record, dict):
        return Reject(
            id=stable_id(source),
            source=source,
            reason="read.bad_record",
            detail=f"{source}: expected a JSON object with a 'text' field, got {type(record).__name__}",
            text=json.dumps(record, ensure_ascii=False, default=str),
        )
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return Reject(
            id=stable_id(source),
            source=source,
            reason="read.no_text",
            detail=f"{source}: the record has no non-empty string 'text' field; fields: {sorted(record)[:10]}",
            text=json.dumps(record, ensure_ascii=False, default=str),
        )
    metadata = {name: record[name] for name in KNOWN_FIELDS if record.get(name) not in (None, "")}
    extra = {k: v for k, v in record.items() if k != "text" and k not in KNOWN_FIELDS}
    if extra:
        metadata["extra"] = extra
    return Document(id=stable_id(source), text=text, source=source, metadata=metadata)


def valid_unicode(value: Any) -> Any:
    """``value`` with each lone surrogate in its strings (and keys) replaced by U+FFFD.

    JSON can escape any UTF-16 code unit, half a surrogate pair too (``"\\ud800"``), and ``json`` decodes it to a
    string that no UTF-8 text, and so no Parquet file, can hold: one such record stopped the whole run. A decoder
    does the same with bytes that are not UTF-8. (Encoding is the quick test: a quarter of a regex scan.)"""
    if isinstance(value, str):
        if value.isascii():
            return value
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return LONE_SURROGATE.sub("\ufffd", value)
        return value
    if isinstance(value, dict):
        return {valid_unicode(key): valid_unicode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [valid_unicode(item) for item in value]
    return value


def _parse_line(line: bytes, source: str) -> Document | Reject:
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        return Reject(
            id=stable_id(source),
            source=source,
            reason="read.bad_json",
            detail=f"{source}: not valid JSON ({err}); fix or remove that line",
            text=line.rstrip(b"\r\n").decode("utf-8", errors="replace"),
        )
    return record_to_document(record, source)


def read(raw: RawInput) -> Iterator[Document | Reject]:
    rel = raw.rel
    if strip_compression(rel)[0].lower().endswith(".json"):
        text, _ = decode_text(raw.read_all(), rel)
        try:
            whole = json.loads(text)
        except json.JSONDecodeError:
            whole = None  # not one JSON value: read it as JSON Lines below
        if whole is not None:
            records = whole if isinstance(whole, list) else [whole]
            for index, record in enumerate(records):
                yield record_to_document(record, f"{rel}#{index}")
            return
    with raw.stream() as stream:
        for index, line in enumerate(stream):
            if line.strip():
                yield _parse_line(line, f"{rel}#{index}")
