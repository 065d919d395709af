"""Parquet files: one document per row of a ``text`` column; other columns are carried as metadata.

Parquet needs random access, so a compressed file is first inflated into a temporary file (on disk: a large
shard would not fit in memory), at most ``max_file_bytes`` of it. A row whose text is over ``max_document_bytes``
is rejected (``read.too_large``).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

from cleaner.document import Document, Reject, stable_id
from cleaner.readers.decode import RawInput, ReadError, too_large
from cleaner.readers.jsonl import record_to_document

BATCH_ROWS = 1024
# A compressed file is spooled in memory up to this size, to disk beyond it.
SPOOL_BYTES = 16 << 20


def read(raw: RawInput) -> Iterator[Document | Reject]:
    if not raw.compression:
        try:
            handle = raw.opener()
        except OSError as err:
            raise ReadError("read.unreadable", f"{raw.rel}: cannot open ({err.strerror or err})") from err
        with handle:
            yield from _rows(raw, handle)
        return
    with tempfile.SpooledTemporaryFile(SPOOL_BYTES, prefix="cleaner-parquet-") as inflated:
        with raw.stream() as stream:
            shutil.copyfileobj(stream, inflated, 1 << 20)
        inflated.seek(0)
        yield from _rows(raw, inflated)


def _rows(raw: RawInput, handle: Any) -> Iterator[Document | Reject]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rel = raw.rel
    limit = raw.limits.document_bytes
    try:
        source = pq.ParquetFile(handle)
    except (pa.ArrowException, OSError, UnicodeDecodeError) as err:
        raise ReadError("read.bad_parquet", f"{rel}: not a readable Parquet file ({err})") from err
    if "text" not in source.schema_arrow.names:
        raise ReadError(
            "read.no_text_column",
            f"{rel}: no 'text' column (columns: {', '.join(source.schema_arrow.names)}); rename the text column",
        )
    index = 0
    try:
        for batch in source.iter_batches(batch_size=BATCH_ROWS):
            for row in _python_rows(batch):
                source_id = f"{rel}#{index}"
                text = row.get("text")
                if isinstance(text, str) and len(text) > limit // 4 and len(text.encode()) > limit:
                    detail = too_large(source_id, limit)
                    yield Reject(id=stable_id(source_id), source=source_id, reason="read.too_large", detail=detail)
                else:
                    yield record_to_document(row, source_id)
                index += 1
    except (pa.ArrowException, OSError, UnicodeDecodeError) as err:
        raise ReadError("read.bad_parquet", f"{rel}: unreadable after row {index} ({err})") from err


def _python_rows(batch) -> list[dict]:
    """The rows of a batch as dicts. pyarrow does not check that a string column holds UTF-8 when it writes one, and
    fails on the whole batch when it reads a value that is not: then the text columns are decoded here, each bad
    byte becoming U+FFFD as a decoder makes it, instead of the rest of the file being lost."""
    import pyarrow as pa

    try:
        return batch.to_pylist()
    except UnicodeDecodeError:
        columns = {}
        for name, column in zip(batch.schema.names, batch.columns, strict=True):
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                raw = column.view(pa.large_binary() if pa.types.is_large_string(column.type) else pa.binary())
                columns[name] = [None if v is None else v.decode("utf-8", "replace") for v in raw.to_pylist()]
            else:
                columns[name] = column.to_pylist()
        return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
