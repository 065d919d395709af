"""Parquet files: one document per row of a ``text`` column; other columns are carried as metadata."""

from __future__ import annotations

import io
from collections.abc import Iterator

from cleaner.document import Document, Reject
from cleaner.readers.decode import RawInput, ReadError
from cleaner.readers.jsonl import record_to_document

BATCH_ROWS = 1024


def read(raw: RawInput) -> Iterator[Document | Reject]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rel = raw.rel
    try:
        # Parquet needs random access: a compressed file is decompressed into memory first.
        source = pq.ParquetFile(io.BytesIO(raw.read_all()) if raw.compression else raw.opener())
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
                yield record_to_document(row, f"{rel}#{index}")
                index += 1
    except (pa.ArrowInvalid, OSError) as err:
        raise ReadError("read.bad_parquet", f"{rel}: unreadable after row {index} ({err})") from err
