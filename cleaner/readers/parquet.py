"""Parquet files: one document per row of a ``text`` column; other columns are carried as metadata."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from cleaner.document import Document, Reject
from cleaner.readers.decode import ReadError, open_stream, strip_compression
from cleaner.readers.jsonl import record_to_document

BATCH_ROWS = 1024


def read(path: Path, rel: str) -> Iterator[Document | Reject]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    _, compression = strip_compression(path.name)
    try:
        if compression:
            with open_stream(path, rel) as stream:
                source = pq.ParquetFile(io.BytesIO(stream.read()))
        else:
            source = pq.ParquetFile(path)
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
