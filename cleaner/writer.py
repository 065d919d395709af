"""Writing the output tables as Parquet parts, and publishing a finished run atomically.

Each task of the run writes its own part of each table (``documents/part-00003.parquet``), so workers never share
a file. Rows are buffered and written in row groups of bounded size: memory stays flat however large the part.
The whole run is written into a hidden temporary folder beside the destination and renamed into place only when
complete, so a reader never sees a half-written output and an interrupted run leaves the previous one untouched.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

# Row groups of about this much text: small enough to keep memory flat, large enough to compress well.
ROW_GROUP_BYTES = 64 << 20
PARQUET_OPTIONS: dict[str, Any] = {"compression": "zstd", "write_statistics": True, "use_dictionary": True}
TMP_PREFIX = ".tmp-"


class PartWriter:
    """Buffers rows of one table, column by column, and writes them to one Parquet file with a fixed schema."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.path = path
        self.schema = schema
        self.columns: dict[str, list[Any]] = {name: [] for name in schema.names}
        self.buffered = 0
        self.pending = 0
        self.written = 0
        self._writer: pq.ParquetWriter | None = None

    def add(self, row: dict[str, Any], size: int = 0) -> None:
        for name, values in self.columns.items():
            values.append(row[name])
        self.pending += 1
        self.buffered += size + 64
        if self.buffered >= ROW_GROUP_BYTES:
            self.flush()

    def extend(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            self.add(row, len(row.get("text") or ""))

    def flush(self) -> None:
        if not self.pending:
            return
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self.path, self.schema, **PARQUET_OPTIONS)
        table = pa.Table.from_pydict(self.columns, schema=self.schema)
        self._writer.write_table(table, row_group_size=self.pending)
        self.written += self.pending
        self.columns = {name: [] for name in self.schema.names}
        self.pending, self.buffered = 0, 0

    def close(self) -> int:
        """Write what is buffered and close; returns the number of rows written (no file when none)."""
        self.flush()
        if self._writer is not None:
            self._writer.close()
        return self.written


def write_empty(path: Path, schema: pa.Schema) -> None:
    """An empty table with the schema, so that a table with no rows still exists and can be opened."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(schema.empty_table(), path, **PARQUET_OPTIONS)


def make_staging(destination: Path) -> Path:
    """A fresh hidden folder beside ``destination`` to build the output in; stale ones of killed runs go first."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    for stale in destination.parent.glob(f"{TMP_PREFIX}{destination.name}-*"):
        if _owner_is_gone(stale):
            shutil.rmtree(stale, ignore_errors=True)
    staging = destination.parent / f"{TMP_PREFIX}{destination.name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    return staging


def publish_staging(staging: Path, destination: Path) -> None:
    """Swap ``staging`` in for ``destination``: the old output stays whole until the new one is complete."""
    old = None
    if destination.exists():
        old = destination.parent / f"{TMP_PREFIX}{destination.name}-old-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        os.rename(destination, old)
    os.rename(staging, destination)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _owner_is_gone(stale: Path) -> bool:
    """A staging folder is stale when the process that made it no longer runs."""
    parts = stale.name.split("-")
    pid = next((int(p) for p in parts if p.isdigit()), None)
    if pid is None:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return pid == os.getpid()
