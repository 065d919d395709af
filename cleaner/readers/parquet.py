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
    except (pa.ArrowException, OSError, UnicodeDecodeError) as err:  # a column name that is not UTF-8, too
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
                yield record_to_document(row, f"{rel}#{index}")
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
