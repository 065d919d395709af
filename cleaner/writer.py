"""Writing the output tables as Parquet parts, and publishing a finished run atomically.

Each task of the run writes its own part of each table (``documents/part-00003.parquet``), so workers never share
a file. Rows are buffered and written in row groups of bounded size: memory stays flat however large the part.
The whole run is written into a hidden temporary folder beside the destination and renamed into place only when
complete, so a reader never sees a half-written output and an interrupted run leaves the previous one untouched.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

# Row groups of about this much text: small enough to keep memory flat, large enough to compress well.
ROW_GROUP_BYTES = 64 << 20
PARQUET_OPTIONS: dict[str, Any] = {"compression": "zstd", "write_statistics": True, "use_dictionary": True}
# Files a run reads once and removes (dedup's signatures): mostly random 32-bit hashes, which neither a dictionary nor
# zstd makes smaller; written plain, in a fifth of the time.
SCRATCH_OPTIONS: dict[str, Any] = {"compression": "none", "write_statistics": False, "use_dictionary": False}
TMP_PREFIX = ".tmp-"
# Writes that fail for a reason of the machine's, not of cleaner's, and what to do about each.
ELSEWHERE = "write the output elsewhere with --out"
WRITE_ADVICE = {
    errno.ENOSPC: f"free some space on that disk, or {ELSEWHERE}",
    errno.EDQUOT: f"your disk quota is used up: free some space, or {ELSEWHERE}",
    errno.EFBIG: f"the file is larger than the file system or your limits allow (ulimit -f): {ELSEWHERE}",
    errno.EROFS: f"the file system is read-only: {ELSEWHERE}",
    errno.EACCES: f"make the folder writable for you, or {ELSEWHERE}",
    errno.EPERM: f"make the folder writable for you, or {ELSEWHERE}",
    errno.ENOTDIR: f"a file stands where a folder must be: move it, or {ELSEWHERE}",
}


class OutputError(Exception):
    """A write of the output failed for a reason the user can fix (no space left, no permission, a read-only file
    system); ``str()`` is one line naming the path and what to do."""

    def __init__(self, path: str, reason: str, advice: str) -> None:
        super().__init__(path, reason, advice)
        self.path, self.reason, self.advice = path, reason, advice

    def __str__(self) -> str:
        return f"cannot write {self.path}: {self.reason}; {self.advice}"


def output_error(err: OSError, where: str | Path) -> OutputError | None:
    """``err`` as an :class:`OutputError` when it is one of :data:`WRITE_ADVICE`, naming the file the system named,
    else ``where`` (Arrow's write errors name none); None for any other error, which stays what it is."""
    advice = WRITE_ADVICE.get(err.errno) if isinstance(err.errno, int) else None
    if advice is None:
        return None
    path = os.fsdecode(err.filename) if err.filename else str(where)
    return OutputError(path, os.strerror(err.errno), advice)


class PartWriter:
    """Buffers rows of one table, column by column, and writes them to one Parquet file with a fixed schema."""

    def __init__(self, path: Path, schema: pa.Schema, options: dict[str, Any] | None = None) -> None:
        self.path = path
        self.schema = schema
        self.options = PARQUET_OPTIONS if options is None else options
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

    def add_columns(self, columns: dict[str, list[Any]], sizes: list[int]) -> None:
        """Rows given column by column (``sizes``: each row's size, as for :meth:`add`): a document's audit rows
        are dozens, and appending them column-wise costs a fifth of a dictionary per row. The row groups come out
        exactly as if the rows were added one by one: a batch that would fill a row group goes row by row."""
        count = len(sizes)
        if self.buffered + sum(sizes) + 64 * count >= ROW_GROUP_BYTES:
            names = list(columns)
            for k, size in enumerate(sizes):
                self.add({name: columns[name][k] for name in names}, size)
            return
        for name, values in self.columns.items():
            values.extend(columns[name])
        self.pending += count
        self.buffered += sum(sizes) + 64 * count

    def flush(self) -> None:
        if not self.pending:
            return
        table = pa.Table.from_pydict(self.columns, schema=self.schema)
        with naming(self.path):
            if self._writer is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._writer = pq.ParquetWriter(self.path, self.schema, **self.options)
            self._writer.write_table(table, row_group_size=self.pending)
        self.written += self.pending
        self.columns = {name: [] for name in self.schema.names}
        self.pending, self.buffered = 0, 0

    def close(self) -> int:
        """Write what is buffered and close; returns the number of rows written (no file when none)."""
        self.flush()
        if self._writer is not None:
            with naming(self.path):
                self._writer.close()
        return self.written


def write_empty(path: Path, schema: pa.Schema) -> None:
    """An empty table with the schema, so that a table with no rows still exists and can be opened."""
    with naming(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(schema.empty_table(), path, **PARQUET_OPTIONS)


@contextmanager
def naming(path: Path) -> Iterator[None]:
    """Arrow's write errors name no file ("Error writing bytes to file"): the same error, naming ``path``, so that
    the message of a full disk says which file it was."""
    try:
        yield
    except OSError as err:
        if err.filename or not isinstance(err.errno, int):
            raise
        raise type(err)(err.errno, os.strerror(err.errno), str(path)) from err


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
    """Swap ``staging`` in for ``destination``: the old output stays whole until the new one is complete, and is put
    back when the new one cannot be renamed into place."""
    old = None
    if destination.exists():
        old = destination.parent / f"{TMP_PREFIX}{destination.name}-old-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        os.rename(destination, old)
    try:
        os.rename(staging, destination)
    except OSError:
        if old is not None:
            os.rename(old, destination)
        raise
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


def prime_pyarrow() -> None:
    """Convert one Python list to Arrow, with pyarrow told that pandas is absent (``cleaner run`` before its workers
    fork; ``cleaner report`` and ``publish`` before they gather figures).

    pyarrow imports pandas (about 0.3 s, longer than the spine takes to clean a thousand documents) the first
    time it converts a Python list, only to ask whether the list is a pandas object, and again the first time it
    converts a column to numpy (each forked worker of the deduplication passes did). The rows we write are plain
    lists, so the answer is always no. pyarrow's lazy shim remembers the failed import and tries again at the
    first call that really needs pandas (``Table.to_pandas``, in validation), so nothing else changes."""
    if "pandas" in sys.modules:  # already paid for (a notebook, the tests): nothing to save
        pa.array(["warm"], pa.string()).to_pylist()
        return
    sys.meta_path.insert(0, _NoPandas)
    try:
        pa.array(["warm"], pa.string()).to_pylist()
        pa.array([0], pa.int64()).to_numpy()
    finally:
        sys.meta_path.remove(_NoPandas)


class _NoPandas:
    """An import hook under which ``import pandas`` fails at once, as it does where pandas is not installed."""

    @staticmethod
    def find_spec(name: str, path: Any = None, target: Any = None) -> None:
        if name == "pandas":
            raise ModuleNotFoundError("pandas is not needed to convert Python lists", name=name)
