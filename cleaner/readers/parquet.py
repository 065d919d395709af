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
    except (pa.ArrowInvalid, OSError) as err:
        raise ReadError("read.bad_parquet", f"{rel}: not a readable Parquet file ({err})") from err
    if "text" not in source.schema_arrow.names:
        raise ReadError(
            "read.no_text_column",
            f"{rel}: no 'text' column (columns: {', '.join(source.schema_arrow.names)}); rename the text column",
        )
    index = 0
    try:
        for batch in source.iter_batches(batch_size=BATCH_ROWS):
            for row in batch.to_pylist():
                source_id = f"{rel}#{index}"
                text = row.get("text")
                if isinstance(text, str) and len(text) > limit // 4 and len(text.encode()) > limit:
                    detail = too_large(source_id, limit)
                    yield Reject(id=stable_id(source_id), source=source_id, reason="read.too_large", detail=detail)
                else:
                    yield record_to_document(row, source_id)
                index += 1
    except (pa.ArrowInvalid, OSError) as err:
        raise ReadError("read.bad_parquet", f"{rel}: unreadable after row {index} ({err})") from err
