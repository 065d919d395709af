"""JSON Lines and JSON files: one document per record with a ``text`` field.

``url``, ``title``, ``date`` and ``author`` become columns; every other field (the record's own ``id`` too) is
carried along as metadata. A ``.json`` file may hold one record, a list of records, or JSON Lines.

Both are read in bounded memory: a line is read up to ``max_document_bytes`` (a longer one is rejected as
``read.too_large`` and skipped to its end), and a ``.json`` list larger than that is parsed one item at a time
(:mod:`cleaner.readers.jsonarray`); one larger value that is not a list is rejected whole. A last line with no
newline that is not valid JSON is a file cut short (``read.truncated``), not just a bad line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from cleaner.document import Document, Reject, stable_id
from cleaner.readers.decode import RawInput, ReadError, decode_text, strip_compression, too_large
from cleaner.readers.jsonarray import array_items

KNOWN_FIELDS = ("url", "title", "date", "author")
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
SKIP_CHUNK = 1 << 20


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


def _parse_line(line: bytes, source: str, last: bool) -> Document | Reject:
    """One line as a record; ``last``: the file's last line, with no newline after it."""
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        text = line.rstrip(b"\r\n").decode("utf-8", errors="replace")
        if last:
            return Reject(
                id=stable_id(source),
                source=source,
                reason="read.truncated",
                detail=f"{source}: the file ends in the middle of this record (no newline after it, and it is not"
                f" valid JSON: {err}); the file was probably cut short: re-download it",
                text=text,
            )
        return Reject(
            id=stable_id(source),
            source=source,
            reason="read.bad_json",
            detail=f"{source}: not valid JSON ({err}); fix or remove that line",
            text=text,
        )
    return record_to_document(record, source)


def read(raw: RawInput) -> Iterator[Document | Reject]:
    rel = raw.rel
    limit = raw.limits.document_bytes
    if strip_compression(rel)[0].lower().endswith(".json"):
        with raw.stream() as stream:
            head = stream.read(limit + 1)
        if len(head) <= limit:  # small enough to be one value (one record or a list), read whole
            text, _ = decode_text(head, rel)
            try:
                whole = json.loads(text)
            except json.JSONDecodeError:
                whole = None  # not one JSON value: read it as JSON Lines below
            if whole is not None:
                records = whole if isinstance(whole, list) else [whole]
                for index, record in enumerate(records):
                    yield record_to_document(record, f"{rel}#{index}")
                return
        elif head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"[":  # a large list: one item at a time
            with raw.stream() as stream:
                for index, item in array_items(stream, rel, limit):
                    yield item if isinstance(item, Reject) else record_to_document(item, f"{rel}#{index}")
            return
        elif not _is_json(head.split(b"\n", 1)[0]):  # one value larger than a document, not JSON Lines
            raise ReadError("read.too_large", too_large(rel, limit))
    with raw.stream() as stream:
        yield from _lines(stream, rel, limit)


def _is_json(line: bytes) -> bool:
    try:
        json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False
    return True


def _lines(stream: BinaryIO, rel: str, limit: int) -> Iterator[Document | Reject]:
    """The records of a JSON Lines stream, each line read up to ``limit`` bytes (``#N`` counts every line, blank
    ones too, so that it points into the file)."""
    index = -1
    while line := stream.readline(limit + 1):
        index += 1
        source = f"{rel}#{index}"
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := stream.readline(SKIP_CHUNK)) and not rest.endswith(b"\n"):
                pass  # the rest of the line, read in pieces and dropped
            yield Reject(id=stable_id(source), source=source, reason="read.too_large", detail=too_large(source, limit))
        elif line.strip():
            yield _parse_line(line, source, last=not line.endswith(b"\n"))
